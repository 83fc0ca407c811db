"""`slideshow preview`: the embedded preview window: a small window of its own (`--size`),
or drawn inside a host's window (`--window-id`, as a screensaver settings dialog shows its
preview pane). It never exits on input, runs at half the refresh rate (a lighter frame
budget), follows the host window's size and closes when the host window goes away."""

from __future__ import annotations

import argparse

from slideshow.commands.options import add_config_options, config_from_args
from slideshow.commands.show import DISPLAY_FLAGS, add_display_options
from slideshow.screensaver.launch_args import parse_window_id

DEFAULT_PREVIEW_SIZE = "480x270"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview", help="a small preview window, or the show inside a host's window",
        description="Runs the show in a small window (--size), or inside another program's "
        "window (--window-id: an X11 window id, or a window handle on Windows), at half the "
        "refresh rate. Input never ends a preview; it ends with its window, or when the host "
        "window goes away.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="photo files or folders (default: the built-in demo set)")
    parser.add_argument("--size", default=DEFAULT_PREVIEW_SIZE, metavar="WxH",
                        help=f"the preview window's size (default {DEFAULT_PREVIEW_SIZE}); "
                        "inside a host's window, the host's size wins")
    parser.add_argument("--window-id", metavar="ID",
                        help="draw inside this window (decimal, or hex with 0x)")
    add_display_options(parser)
    add_config_options(parser)


def run(args: argparse.Namespace, parent_window: int | None = None) -> int:
    # Heavy: the show's stack, loaded only when a show runs.
    from slideshow.run.app import run_show

    if args.window_id is not None:
        parent_window = parse_window_id(args.window_id, "--window-id")
    args.fullscreen_off = "false"
    flags = dict(DISPLAY_FLAGS, size=("display.size", "--size"),
                 fullscreen_off=("display.fullscreen", "preview"))
    if args.paths:
        args.show_paths = list(args.paths)
        flags["show_paths"] = ("show.paths", "PATH")
    config = config_from_args(args, flags)
    result = run_show(config, seconds=args.seconds, parent_window=parent_window, preview=True)
    print(f"slideshow preview: ended ({result.exit_reason})")
    return 0
