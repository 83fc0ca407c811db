"""Every monitor, under Xvfb: a window per described monitor (the fake monitor layout is the
seam: Xvfb has one screen), each paced at its own rate from its own thread; monitors
plugged in and removed while running; the screensaver's exit rule with real input events
(XTest); SIGTERM from a screensaver host; the preview inside a foreign window.

The show runs as `python -m slideshow` in a child process, as users run it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.run.shows import QUIET, ShowProcess
from tests.x11 import ForeignWindow

pytestmark = [pytest.mark.window, pytest.mark.usefixtures("x_display", "nothing_left_behind")]

def bench_json(out: str) -> dict:
    return json.loads(out[out.index("{"):])


def test_two_monitors_each_run_at_their_own_rate_without_halving_each_other(tmp_path):
    show = ShowProcess(tmp_path, "left=192x108+0+0@60; right=192x108+200+0@144",
                       "bench", "--fullscreen", "--seconds", "3", "--json", "-", *QUIET)
    figures = bench_json(show.finish())
    displays = {d["display"]: d for d in figures["displays"]}
    assert set(displays) == {"left", "right"}
    for name, rate_hz in (("left", 60.0), ("right", 144.0)):
        display = displays[name]
        assert display["refresh_hz"] == pytest.approx(rate_hz, rel=0.01)  # its own monitor's
        assert display["size"] == [192, 108]
        assert display["vsync"] == "paced"
        assert display["seconds"] >= 2.9
    # Swapped one after the other from one thread, both would present the same number of
    # frames. How close each comes to its full rate depends on the machine's load:
    # benchmarks/displays.py measures that.
    assert displays["right"]["frames"] > 1.2 * displays["left"]["frames"], displays


def test_a_monitor_plugged_in_gets_a_window_and_one_removed_loses_it(tmp_path):
    # 15 s: the monitor goes away a few seconds in, so "closed early" keeps a wide margin
    # on a loaded machine, where noticing the change and closing the window take longer.
    show = ShowProcess(tmp_path, "left=192x108+0+0@60", "bench", "--fullscreen", "--seconds", "15",
                       "--json", "-", *QUIET)
    show.wait_for_log(r"presenting paced at 60\.00 Hz")
    show.layout.write_text("left=192x108+0+0@60; right=192x108+200+0@60")  # plugged in
    show.wait_for_log(r"monitor right plugged in")
    show.wait_for_log(r"presenting paced", count=2)
    time.sleep(1.0)
    show.layout.write_text("right=192x108+200+0@60")  # left unplugged
    show.wait_for_log(r"monitor left went away")
    figures = bench_json(show.finish())
    displays = {d["display"]: d for d in figures["displays"]}
    assert set(displays) == {"left", "right"}
    assert displays["left"]["seconds"] < 12.0  # closed early, when its monitor went away
    assert displays["right"]["seconds"] >= 14.9  # ran all its time, from its own start
    # ... presenting all along: more frames than the display that closed early.
    assert displays["right"]["frames"] > displays["left"]["frames"] > 0


def test_pointer_exit_ignores_the_first_motion_and_small_moves_and_exits_past_10_px(tmp_path, keys):
    show = ShowProcess(tmp_path, "only=320x180+0+0@60", "show", "--seconds", "60", *QUIET)
    show.wait_for_log(r"presenting paced")
    keys.move(100, 100)  # the pointer arrives: its first event only sets the anchor
    time.sleep(0.4)
    keys.move(106, 104)  # 7.2 px from the anchor
    # A show key after the moves: X delivers events in order, so once the show has logged
    # the key it has seen the moves too, and a show that exited on them would be gone.
    keys.press("i")
    show.wait_for_log(r"key i: photo caption")
    assert show.process.poll() is None, "exited on the first event or on a 7 px move"
    moved_s = time.monotonic()
    keys.move(109, 107)  # 11.4 px from the anchor
    out = show.finish(timeout_s=10)
    assert "slideshow: ended (input)" in out
    assert time.monotonic() - moved_s < 5.0
    match = re.search(r"closed (\d+) ms after", out)
    assert match, out


def test_photo_frame_mode_ignores_input_and_esc_still_ends_it(tmp_path, xtest):
    show = ShowProcess(tmp_path, "only=320x180+0+0@60", "show", "--no-exit-on-input",
                       "--seconds", "3", *QUIET)
    show.wait_for_log(r"presenting paced")
    xtest.move(100, 100)
    xtest.move(200, 150)
    xtest.click()
    out = show.finish()
    assert "slideshow: ended (done)" in out  # ran its 3 s


def test_a_click_ends_the_show(tmp_path, xtest):
    show = ShowProcess(tmp_path, "only=320x180+0+0@60", "show", "--seconds", "60", *QUIET)
    show.wait_for_log(r"presenting paced")
    xtest.move(50, 50)
    time.sleep(0.3)
    xtest.click()
    assert "slideshow: ended (input)" in show.finish(timeout_s=10)


def test_sigterm_from_a_host_closes_everything_cleanly(tmp_path):
    show = ShowProcess(tmp_path, "only=320x180+0+0@60", "show", "--seconds", "60",
                       "--visualizer", "bars", "--audio", "synthetic", "--transitions", "crossfade")
    show.wait_for_log(r"presenting paced")
    children = child_pids(show.process.pid)
    assert children, "the show runs decode and audio workers"
    show.process.send_signal(signal.SIGTERM)
    out = show.finish(timeout_s=10)
    assert "slideshow: ended (terminated)" in out
    deadline = time.monotonic() + 3
    while any(running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if running(pid)]


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for the container's init to reap it)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def child_pids(parent: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)$", text, re.M)
        if match and int(match.group(1)) == parent:
            pids.append(int(status.parent.name))
    return pids


def x_children(window: int) -> list[tuple[int, int, int]]:
    """(id, width, height) of each child of `window`, from xwininfo."""
    text = subprocess.run(["xwininfo", "-children", "-id", str(window)], capture_output=True,
                          text=True, check=True).stdout
    return [(int(xid, 16), int(w), int(h))
            for xid, w, h in re.findall(r"^\s+(0x[0-9a-f]+) .*: \(.*\)\s+(\d+)x(\d+)\+", text, re.M)]


def test_preview_draws_inside_a_host_window_follows_its_size_and_ends_with_it(tmp_path):
    host = ForeignWindow(400, 300)
    try:
        show = ShowProcess(tmp_path, "", "preview", "--window-id", hex(host.xid), "--seconds", "60",
                           *QUIET)
        show.wait_for_log(r"presenting paced at 30\.00 Hz")  # a preview runs at half the rate
        children = x_children(host.xid)
        assert [size for _, *size in children] == [[400, 300]], (children, "".join(show.log))
        child = children[0][0]
        host.resize(320, 200)
        show.wait_for_log(r"resized from 400x300 to 320x200: rebuilding")
        assert x_children(host.xid) == [(child, 320, 200)], "".join(show.log)
        host.destroy()
        out = show.finish(timeout_s=30)
        assert "slideshow preview: ended (parent gone)" in out, out + "".join(show.log)
    finally:
        host.close()


def test_xscreensaver_window_variable_embeds_the_show_and_sigterm_ends_it(tmp_path):
    host = ForeignWindow(320, 180)  # xscreensaver's saver window
    try:
        os.environ["XSCREENSAVER_WINDOW"] = hex(host.xid)
        try:
            show = ShowProcess(tmp_path, "", "-root", *QUIET)
        finally:
            del os.environ["XSCREENSAVER_WINDOW"]
        show.wait_for_log(r"presenting paced")
        [(_, width, height)] = x_children(host.xid)
        assert (width, height) == (320, 180)
        show.process.send_signal(signal.SIGTERM)  # how xscreensaver ends a hack
        show.finish(timeout_s=10)
        assert any("screensaver ended: terminated" in line for line in show.log), "".join(show.log)
    finally:
        host.close()
