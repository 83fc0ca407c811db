"""`slideshow config`: the settings file. Without a flag it prints every setting with its
default, commented out, as the file would hold it (`slideshow config > FILE` writes one
that loads); `--path` prints where the file is read from; `--edit` creates it when missing
and opens it, which is also what a Windows `.scr`'s `/c` does."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from slideshow.config import default_config_path, settings_template


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config", help="print every setting with its default, or where the config file is",
        description="Prints every setting with its default, what it does and what is "
        "allowed, commented out, in the config file's TOML (uncomment a setting and its "
        f"[section] line to change it). The file: {default_config_path()}.")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--path", action="store_true", help="print the config file's path")
    action.add_argument("--edit", action="store_true",
                        help="create the config file (every setting commented out) when "
                        "missing, then open it in the desktop's editor")


def run(args: argparse.Namespace) -> int:
    if args.path:
        print(default_config_path())
    elif args.edit:
        return edit()
    else:
        sys.stdout.write(settings_template())
    return 0


def edit() -> int:
    """Creates the config file (every setting, commented out) if missing, then opens it
    with the desktop's editor, and prints where it is."""
    path = default_config_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(settings_template(path), encoding="utf-8")
    print(f"slideshow settings: {path}")
    _open(path)
    return 0


def _open(path: Path) -> None:
    try:
        if sys.platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]
        elif sys.platform == "darwin":
            subprocess.Popen(["open", str(path)])
        elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    except OSError:
        pass  # no opener: the path printed is the answer
