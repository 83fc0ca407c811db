"""The command line: `slideshow [show] PATH...`, `slideshow bench`, `slideshow preview`,
`slideshow check`, `slideshow scan`, `slideshow transitions`, `slideshow listen`,
`slideshow devices`, `slideshow config`, `slideshow install` / `uninstall`; and a
screensaver host's arguments (`-root`, `-window-id ID`, `/s`,
`/p HWND`, `/c`: slideshow/screensaver/launch_args.py).

Each subcommand lives in `slideshow/commands/<name>.py`; this module only builds the parser,
sets up logging and turns project errors into one clear line and exit status 2. Every help
text keeps within 100 columns (narrower on a narrower terminal); the settings themselves
are `slideshow config`'s, which keeps `--help` to a screen.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import shutil
import sys
import textwrap
from collections.abc import Sequence

from slideshow import __version__
from slideshow.commands import (
    bench,
    check,
    config,
    devices,
    install,
    listen,
    preview,
    scan,
    screensaver,
    show,
    transitions,
)
from slideshow.config import default_config_path
from slideshow.errors import SlideshowError
from slideshow.screensaver.launch_args import (
    looks_like_screensaver_args,
    parse_launch_args,
)

COMMANDS = {
    "show": show, "bench": bench, "check": check, "scan": scan, "transitions": transitions,
    "listen": listen, "devices": devices, "preview": preview, "config": config,
    "install": install, "uninstall": install,
}
#: The widest help line, whatever the terminal.
HELP_COLUMNS = 100


def _width() -> int:
    return min(HELP_COLUMNS, shutil.get_terminal_size().columns)


class _HelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_width() - 2)


class _EpilogFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_width() - 2)


class _Parser(argparse.ArgumentParser):
    """Every subcommand's parser: help wrapped to the terminal, at most HELP_COLUMNS wide."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _epilog() -> str:
    paragraphs = [
        "Without a COMMAND, `slideshow PATH...` runs the show; `slideshow show --help` lists "
        "its options and keys, `slideshow COMMAND --help` any command's.",
        f"Settings: {default_config_path()} (TOML; when missing, the defaults). "
        "`slideshow config` prints every setting with its default, `slideshow config --edit` "
        "opens the file, and `--set SECTION.KEY=VALUE` overrides one setting for a run.",
        "Screensaver hosts: xscreensaver runs `slideshow -root` or `-window-id ID` (or sets "
        "$XSCREENSAVER_WINDOW): the show draws in the host's window; a Windows .scr gets /s "
        "(fullscreen), /p HWND (the preview) or /c (the settings). `slideshow install "
        "--xscreensaver` adds it to xscreensaver, `--photo-frame` starts it with your session.",
    ]
    width = _width() - 2
    return "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paragraphs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slideshow",
        description="A photo slideshow and screensaver that never drops a frame.",
        epilog=_epilog(),
        formatter_class=_EpilogFormatter,
    )
    parser.add_argument("--version", action="version", version=f"slideshow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in dict.fromkeys(COMMANDS.values()):  # install also adds uninstall
        module.add_parser(subparsers)
    # `install --completion` writes completion from this very parser.
    parser.set_defaults(root_parser=parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _children_skip_the_launcher()
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


def _children_skip_the_launcher() -> None:
    """Run from the `slideshow` launcher script that pip writes (`from slideshow.cli import
    main` at its top), a spawned worker would run that script again as its own main module
    and so import this whole command line: 0.4-0.6 s of CPU in every image worker, the
    audio worker and the shader warmer, on a 2-core machine beside the show's own start-up
    (launch to first photo: 2.0 s instead of 1.6 s). Naming the launcher as
    `slideshow.__main__`, as `python -m slideshow` does, tells multiprocessing's spawn to
    leave the child's main module alone."""
    launcher = sys.modules.get("__main__")
    if (launcher is not None and getattr(launcher, "__spec__", None) is None
            and getattr(launcher, "main", None) is main):
        launcher.__spec__ = importlib.util.find_spec("slideshow.__main__")


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
