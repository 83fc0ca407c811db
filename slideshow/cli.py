"""The command line: `slideshow [show] PATH...`, `slideshow bench`, `slideshow preview`,
`slideshow check`, `slideshow scan`, `slideshow transitions`, `slideshow listen`,
`slideshow devices`; and a screensaver host's arguments (`-root`, `-window-id ID`, `/s`,
`/p HWND`, `/c`: slideshow/screensaver/launch_args.py).

Each subcommand lives in `slideshow/commands/<name>.py`; this module only builds the parser,
sets up logging and turns project errors into one clear line and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from slideshow import __version__
from slideshow.commands import (
    bench,
    check,
    devices,
    listen,
    preview,
    scan,
    screensaver,
    show,
    transitions,
)
from slideshow.config import describe_settings
from slideshow.errors import SlideshowError
from slideshow.screensaver.launch_args import (
    looks_like_screensaver_args,
    parse_launch_args,
)

COMMANDS = {
    "show": show, "bench": bench, "check": check, "scan": scan, "transitions": transitions,
    "listen": listen, "devices": devices, "preview": preview,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slideshow",
        description="A photo slideshow and screensaver that never drops a frame. "
        "Without a subcommand, `slideshow PATH...` runs the show.",
        epilog="Settings (config file, TOML; override any with --set SECTION.KEY=VALUE):\n\n"
        + describe_settings(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"slideshow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)

    # A host's arguments (`-root`, `/p 1234`) never start with one of our commands.
    if (not args_list or args_list[0] not in COMMANDS) and looks_like_screensaver_args(
            args_list, program=sys.argv[0] if argv is None else "slideshow"):
        return _screensaver(args_list)
    # `slideshow ~/Photos` means `slideshow show ~/Photos`.
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "show")
    parser = build_parser()
    args = parser.parse_args(args_list)
    logging.basicConfig(
        level=getattr(logging, (getattr(args, "log_level", None) or "info").upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    try:
        return COMMANDS[args.command].run(args)
    except SlideshowError as exc:
        return _report_error(exc)
    except KeyboardInterrupt:
        return 130


def _screensaver(args_list: list[str]) -> int:
    """A screensaver host's launch (`-root`, `-window-id ID`, `/s`, `/p HWND`, `/c`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    parser = build_parser()
    try:
        return screensaver.run(parse_launch_args(args_list), parser.parse_args)
    except SlideshowError as exc:
        return _report_error(exc)
    except KeyboardInterrupt:
        return 130


def _report_error(exc: SlideshowError) -> int:
    """One line for the user; the traceback of what caused it (a frame's FrameError wraps
    the original exception) goes to the log at debug level."""
    if exc.__cause__ is not None:
        logging.getLogger("slideshow").debug("what caused the error below", exc_info=exc.__cause__)
    print(f"slideshow: error: {exc}", file=sys.stderr)
    return 2
