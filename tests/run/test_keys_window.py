"""The show's keys in real windows, under Xvfb: keys sent through XTEST reach every
display's render thread (next photo, pause, caption), and in a fullscreen show that ends on
input they do not end it; Esc still does. The show runs as `python -m slideshow`."""

from __future__ import annotations

import re
import time

import pytest

from tests.run.shows import QUIET, ShowProcess
from tests.x11 import XTestKeys

pytestmark = [pytest.mark.window, pytest.mark.usefixtures("x_display", "nothing_left_behind")]


def wait_for_first_photos(show, timeout_s: float = 30.0) -> None:
    """Until both displays have a photo on screen: asks for the caption (i) until each
    display shows one with a file name rather than "no photo yet"; then lets it fade."""
    keys = XTestKeys()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            keys.press("i")
            time.sleep(0.5)
            if all(any(re.search(rf"display {d} shows: [^|]+\.\w+ \| ", line) for line in show.log)
                   for d in ("left", "right")):
                return
        raise AssertionError("no photo on screen:\n" + "".join(show.log))
    finally:
        keys.close()


def test_show_keys_reach_every_display_and_do_not_end_a_screensaver_show(tmp_path, keys):
    show = ShowProcess(tmp_path, "left=192x108+0+0@60; right=192x108+200+0@60", "show",
                       "--seconds", "60", "--interval", "60", "--transition", "0.3", *QUIET)
    show.wait_for_log(r"presenting paced", count=2)
    keys.move(50, 50)  # over the left window: X gives it the keys (focus follows the pointer)
    wait_for_first_photos(show)
    keys.press("Right")
    show.wait_for_log(r"key right: next photo")
    time.sleep(1.0)  # the next photos come in at once (not after the minute's hold)
    keys.press("space")
    show.wait_for_log(r"key space: pause / resume")
    for display in ("left", "right"):
        show.wait_for_log(rf"display {display} shows: paused")
    captions = {d: rf"display {d} shows: [^|]+\.\w+ \| [^|]+ \| " for d in ("left", "right")}
    before = {d: sum(bool(re.search(p, line)) for line in show.log) for d, p in captions.items()}
    keys.press("i")
    show.wait_for_log(r"key i: photo caption")
    for display, pattern in captions.items():  # file name | date | folder, from its worker thread
        show.wait_for_log(pattern, count=before[display] + 1)
    assert show.process.poll() is None, "a show key ended the show"
    keys.press("Escape")
    out = show.finish(timeout_s=15)
    assert "slideshow: ended (key)" in out
    counts = {name: int(count) for count, name in re.findall(r"(\d+) photos shown on (\w+)", out)}
    # Each display: its first photo, then the one the right key brought in; paused since.
    assert counts == {"left": 2, "right": 2}, out
