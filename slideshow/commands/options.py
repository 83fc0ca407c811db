"""Options every subcommand shares (`--config`, `--set`, `--log-level`, `--debug`) and the one place
where command-line flags become config overrides (checked by slideshow/config.py, like the
file)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from slideshow.config import Config, check_run_length, choices, load_config
from slideshow.errors import ConfigError


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="PATH",
        help="TOML settings file (default: the per-user config.toml, when it exists)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
        help="override one setting, e.g. --set show.interval_s=10 (repeatable)")
    parser.add_argument(
        "--log-level", choices=choices("log_level"), default=None,
        help="log verbosity (default: the config's log_level, info)")
    parser.add_argument(
        "--debug", action="store_const", const="debug", dest="log_level",
        help="the same as --log-level debug: the log shows the traceback behind an error")


def config_from_args(args: argparse.Namespace, flags: dict[str, tuple[str, str]]) -> Config:
    """Loads the config file, then applies `--set` and the subcommand's own flags, and
    checks the run length (`--seconds`, `--frames`) where the subcommand has one.

    `flags` maps an argparse destination to (dotted config key, flag as typed), so a bad
    value names both the key and the flag the user wrote.
    """
    check_run_length(getattr(args, "seconds", None), getattr(args, "frames", None))
    flagged: list[tuple[str, Any, str]] = []
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. show.fit=fit")
        flagged.append((key.strip(), value.strip(), f"--set {key.strip()}"))
    for dest, (key, flag) in flags.items():
        value: Any = getattr(args, dest, None)
        if value is not None:
            flagged.append((key, value, flag))
    if getattr(args, "log_level", None):
        flagged.append(("log_level", args.log_level, "--log-level"))
    config = load_config(args.config, flagged=flagged)
    logging.getLogger().setLevel(config.log_level.upper())
    return config
