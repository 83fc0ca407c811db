"""Runs what a screensaver host asked for (slideshow/screensaver/launch_args.py reads its arguments):
xscreensaver's `-root` / `-window-id ID` / XSCREENSAVER_WINDOW draw inside the host's
window (the host watches the input and ends us with SIGTERM); Windows' `/s` is the
fullscreen show that exits on input, `/p HWND` the preview inside the Control Panel's
pane, and `/c` (or no argument, for a `.scr`) the settings: the config file, created with
every setting commented out when there is none, then opened (commands/config.py)."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable

from slideshow.commands import config, preview
from slideshow.commands.options import config_from_args
from slideshow.commands.show import DISPLAY_FLAGS
from slideshow.screensaver.launch_args import LaunchRequest

log = logging.getLogger(__name__)


def run(request: LaunchRequest, parse: Callable[[list[str]], argparse.Namespace]) -> int:
    """`parse(argv)` parses the arguments the host left (`other_args`) as a command line."""
    if request.display:
        os.environ["DISPLAY"] = request.display
    if request.ignored:
        log.info("ignoring xscreensaver options that mean nothing here: %s", " ".join(request.ignored))
    if request.mode == "settings":
        return config.edit()
    if request.mode == "preview":
        return preview.run(parse(["preview", *request.other_args]), parent_window=request.parent_window)
    return _run_show(request, parse(["show", *request.other_args]))


def _run_show(request: LaunchRequest, args: argparse.Namespace) -> int:
    # Heavy: the show's stack, loaded only when a show runs.
    from slideshow.run.app import run_show

    parent = request.parent_window
    if parent is None and request.root:
        # X11 only: xscreensaver's -root.
        from slideshow.gpu.x11_embed import root_window_id

        parent = root_window_id(request.display)
    flags = dict(DISPLAY_FLAGS)
    args.exit_on_input = "true" if request.exits_on_input else "false"
    flags["exit_on_input"] = ("display.exit_on_input", "screensaver host")
    if args.paths:
        args.show_paths = list(args.paths)
        flags["show_paths"] = ("show.paths", "PATH")
    if parent is not None:
        args.fullscreen_off = "false"
        flags["fullscreen_off"] = ("display.fullscreen", "-window-id")
    config = config_from_args(args, flags)
    result = run_show(config, seconds=args.seconds, parent_window=parent)
    log.info("screensaver ended: %s", result.exit_reason)
    return 0
