"""Options every subcommand shares (`--config`, `--set`, `--log-level`) and the one place
where command-line flags become config overrides."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from slideshow.config import Config, choices, load_config, override
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


def config_from_args(args: argparse.Namespace, flags: dict[str, tuple[str, str]]) -> Config:
    """Loads the config file, then applies `--set` and the subcommand's own flags.

    `flags` maps an argparse destination to (dotted config key, flag as typed), so a bad
    value names both the key and the flag the user wrote.
    """
    config = load_config(args.config)
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. show.fit=fit")
        config = override(config, key.strip(), value.strip(), flag=f"--set {key.strip()}")
    for dest, (key, flag) in flags.items():
        value: Any = getattr(args, dest, None)
        if value is not None:
            config = override(config, key, value, flag=flag)
    if getattr(args, "log_level", None):
        config = override(config, "log_level", args.log_level, flag="--log-level")
    logging.getLogger().setLevel(config.log_level.upper())
    return config
