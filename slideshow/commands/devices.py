"""`slideshow devices`: the audio input devices, and which one the visualizer would use and why."""

from __future__ import annotations

import argparse

from slideshow.audio.capture import SPEC_HELP, describe_devices, parse_spec
from slideshow.errors import ConfigError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices", help="list audio input devices and say which one would be captured",
        description="Lists the input devices PortAudio offers and says which one --audio "
        "would use, and why (the monitor of the default output, a loopback device, the "
        "default input), or why none would.")
    parser.add_argument("--audio", default="auto", metavar="SPEC", help=SPEC_HELP)


def run(args: argparse.Namespace) -> int:
    try:
        parse_spec(args.audio)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    print(describe_devices(args.audio))
    return 0
