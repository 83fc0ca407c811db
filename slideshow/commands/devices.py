"""`slideshow devices`: the audio inputs each capture backend sees, and which one the
visualizer would capture, through which backend, and why."""

from __future__ import annotations

import argparse

from slideshow.audio.backends import BACKEND_HELP, BACKENDS, describe_devices
from slideshow.audio.capture import SPEC_HELP, parse_spec
from slideshow.errors import ConfigError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices", help="list audio inputs and say which one would be captured",
        description="Lists the inputs sounddevice (PortAudio) and soundcard each see, and "
        "says which one --audio would capture through which backend, and why (the monitor "
        "of the default output, the default speaker's loopback, the default input), or why "
        "none would.")
    parser.add_argument("--audio", default="auto", metavar="SPEC", help=SPEC_HELP)
    parser.add_argument("--audio-backend", default="auto", type=str.lower, choices=BACKENDS,
                        help=BACKEND_HELP)


def run(args: argparse.Namespace) -> int:
    try:
        spec = parse_spec(args.audio)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    print(describe_devices(spec, args.audio_backend))
    return 0
