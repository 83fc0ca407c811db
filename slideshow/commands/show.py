"""`slideshow [show] [PATH...]`: the slideshow itself, fullscreen unless --windowed."""

from __future__ import annotations

import argparse

from slideshow.commands.options import add_config_options, config_from_args
from slideshow.config import Size, choices

PERF_EVERY_S = 10.0  # --perf without a number; also what --perf-json alone implies


def add_display_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fit", choices=choices("show.fit"),
                        help="how a photo fits the display (show.fit; default fill)")
    parser.add_argument("--interval", type=float, metavar="S",
                        help="seconds each photo is held (show.interval_s)")
    parser.add_argument("--transition", type=float, metavar="S",
                        help="seconds a transition lasts (show.transition_s)")
    parser.add_argument("--transitions", metavar="NAMES",
                        help="comma-separated transitions to pick from, or all "
                        "(transitions.pool; `slideshow transitions` lists them)")
    parser.add_argument("--rate", type=float, metavar="HZ",
                        help="refresh rate when swap does not block (display.rate_hz; "
                        "default: the monitor's, 60 when unknown)")
    parser.add_argument("--vsync", choices=choices("display.vsync"),
                        help="auto measures whether swap blocks on vsync (display.vsync)")
    parser.add_argument("--audio", metavar="SOURCE",
                        help="what the visualizer listens to: auto, a device, file:PATH, "
                        "synthetic or off (audio.source; `slideshow devices` lists devices)")
    parser.add_argument("--visualizer", choices=choices("visualizer.mode"),
                        help="the visualizer mode (visualizer.mode)")
    parser.add_argument("--seconds", type=float, metavar="N",
                        help="stop after N seconds of frames")
    parser.add_argument("--monitor", metavar="N|all",
                        help="the monitors to go fullscreen on: all, or one's number, 0 being "
                        "the primary (display.monitor; default all)")
    parser.add_argument("--perf", nargs="?", type=float, const=PERF_EVERY_S, metavar="S",
                        help=f"log frame metrics per display every S seconds (default "
                        f"{PERF_EVERY_S:g}; show.perf_every_s)")
    parser.add_argument("--perf-json", metavar="FILE",
                        help="append those metrics to FILE as JSON lines (show.perf_json; "
                        f"implies --perf {PERF_EVERY_S:g})")
    parser.add_argument("--hud", action="store_const", const="true",
                        help="start with the frame-time graph on screen; key p toggles it "
                        "(show.hud)")


DISPLAY_FLAGS = {
    "perf": ("show.perf_every_s", "--perf"),
    "perf_json": ("show.perf_json", "--perf-json"),
    "hud": ("show.hud", "--hud"),
    "fit": ("show.fit", "--fit"),
    "interval": ("show.interval_s", "--interval"),
    "transition": ("show.transition_s", "--transition"),
    "transitions": ("transitions.pool", "--transitions"),
    "rate": ("display.rate_hz", "--rate"),
    "vsync": ("display.vsync", "--vsync"),
    "audio": ("audio.source", "--audio"),
    "visualizer": ("visualizer.mode", "--visualizer"),
    "monitor": ("display.monitor", "--monitor"),
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "show", help="run the slideshow (the default command)",
        description="Shows photos fullscreen on every monitor with transitions, until Esc, q "
        "or Ctrl-C; fullscreen, also (like a screensaver) when the mouse moves, on a click or "
        "on a key other than the show's own, unless --no-exit-on-input. Without PATH, a "
        "built-in set of painted landscapes is shown. Keys while it runs: right / left next "
        "/ previous photo, space pause / resume, t next transition (then random again), v "
        "next visualizer mode, i the photo's name, date and folder.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="photo files or folders (searched recursively)")
    parser.add_argument("--windowed", nargs="?", const="1280x720", metavar="WxH",
                        help="a window instead of fullscreen (default size 1280x720)")
    parser.add_argument("--no-exit-on-input", dest="exit_on_input", action="store_const",
                        const="false", help="photo-frame mode: the mouse and keys other than "
                        "Esc and q do not end the show (display.exit_on_input)")
    add_display_options(parser)
    add_config_options(parser)


def run(args: argparse.Namespace) -> int:
    # Heavy: the show's stack, loaded only when a show runs.
    from slideshow.run.app import run_show

    flags = dict(DISPLAY_FLAGS, exit_on_input=("display.exit_on_input", "--no-exit-on-input"))
    if args.windowed:
        args.fullscreen_off = "false"
        args.window_size = args.windowed
        flags.update({"fullscreen_off": ("display.fullscreen", "--windowed"),
                      "window_size": ("display.size", "--windowed")})
    if args.paths:
        args.show_paths = list(args.paths)
        flags["show_paths"] = ("show.paths", "PATH")
    config = config_from_args(args, flags)
    result = run_show(config, seconds=args.seconds)
    ended = f"slideshow: ended ({result.exit_reason})"
    if result.exit_s is not None:
        ended += f"; windows, workers and shared memory closed {result.exit_s * 1000:.0f} ms after"
    print(ended)
    for report in result.displays:
        where = f" on {report.display}" if report.display else ""
        print(f"slideshow: {report.show['photos_shown']} photos shown{where} in "
              f"{report.seconds:.0f} s; dt p99 {report.frames['dt_ms']['p99']:.2f} ms, "
              f"{report.frames['missed_vsyncs']} missed vsyncs")
    return 0


__all__ = ["Size", "add_parser", "run"]
