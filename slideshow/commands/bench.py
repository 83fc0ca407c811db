"""`slideshow bench`: runs the real renderer for a while and prints the frame-time (dt)
histogram and its summary; `--json` writes the figures for comparison between machines,
`--plot` draws them (slideshow/health/bench_plot.py), and `--compare` sets two saved runs
side by side without running (slideshow/health/bench_compare.py)."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from typing import Any

from PIL import Image

from slideshow.commands.options import add_config_options, config_from_args
from slideshow.commands.show import DISPLAY_FLAGS, add_display_options
from slideshow.config import Config, check_output_path
from slideshow.errors import ConfigError
from slideshow.health.bench_compare import MISSED_ALLOWANCE, compare
from slideshow.health.bench_report import read_report
from slideshow.pacing.slow_frames import format_slowest


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure frame pacing and print the dt histogram",
        description="Runs the show (photo decode workers, uploads, a transition every couple "
        "of seconds, and the visualizer listening to a synthetic beat) and reports how evenly "
        "frames were presented: the dt histogram, percentiles, missed vsyncs, per-phase times "
        "and garbage-collector pauses, and how long after the launch the first photo was on "
        "screen. Detection and warm-up frames are not counted. "
        "Defaults here: --seconds 10 --interval 2 --transition 1 --audio synthetic, in a "
        "1280x720 window, so that runs compare.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="photos to show (default: the built-in demo set)")
    parser.add_argument("--headless", action="store_true",
                        help="render offscreen through EGL (no window, paced clock)")
    parser.add_argument("--size", default="1280x720", metavar="WxH",
                        help="window or offscreen size (default 1280x720)")
    parser.add_argument("--fullscreen", action="store_true",
                        help="fullscreen on each monitor (see --monitor) instead of a window; "
                        "each display is measured and reported on its own; input never ends "
                        "a bench (Esc or q does)")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="write the figures as JSON to FILE (or stdout with no FILE)")
    parser.add_argument("--frames", type=int, metavar="N",
                        help="stop after N measured frames instead of --seconds")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="save the last frame as a PNG image")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="draw the figures into a PNG: per display, the dt histogram above "
                        "a timeline of every frame's dt, with transitions, photo changes and "
                        "the slowest frames marked")
    parser.add_argument("--from", dest="from_json", metavar="RUN.json",
                        help="with --plot: draw a run saved with --json instead of running")
    parser.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"),
                        help="print two runs saved with --json side by side (dt percentiles, "
                        "missed vsyncs, phases, GC, governor) with the ratio B/A, display by "
                        "display; nothing runs")
    parser.add_argument("--fail-if-worse", type=_percent, metavar="PCT",
                        help="with --compare: exit with status 1 when B is worse than A on any "
                        "display: its dt p99 above A's by more than PCT percent, or its missed "
                        "vsyncs above A's (scaled to B's number of frames) by more than PCT "
                        f"percent plus {MISSED_ALLOWANCE} (so A 0, B 1 passes; B 2 fails)")
    add_display_options(parser)
    parser.set_defaults(seconds=10.0, interval=2.0, transition=1.0, audio="synthetic")
    add_config_options(parser)


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    _check_modes(args)
    if args.compare:
        return _compare(args)
    if args.from_json:
        return _plot_saved(args)
    # Heavy: the show's stack, loaded only when a show runs.
    from slideshow.run.app import run_show

    args.fullscreen_flag = "true" if args.fullscreen and not args.headless else "false"
    args.exit_on_input = "false"
    flags = dict(DISPLAY_FLAGS, size=("display.size", "--size"),
                 fullscreen_flag=("display.fullscreen", "--fullscreen"),
                 exit_on_input=("display.exit_on_input", "bench"))
    if args.paths:
        args.show_paths = list(args.paths)
        flags["show_paths"] = ("show.paths", "PATH")
    config = config_from_args(args, flags)
    # Checked now, not when the run is over: a bad path would waste the whole run.
    check_output_path("--json", None if args.json == "-" else args.json)
    check_output_path("--screenshot", args.screenshot)
    if args.screenshot:
        _check_image_type("--screenshot", args.screenshot)
    _check_plot_path(args.plot)
    result = run_show(config, headless=args.headless, seconds=None if args.frames else args.seconds,
                      frames=args.frames, capture_last_frame=bool(args.screenshot))
    settings = bench_settings(config)
    displays = [bench_figures(report, settings) for report in result.displays]
    if args.screenshot:
        for index, report in enumerate(result.displays):
            path = args.screenshot if index == 0 else _numbered(args.screenshot, index)
            Image.fromarray(report.last_frame[..., :3]).save(path)
    out = sys.stderr if args.json == "-" else sys.stdout
    for figures, report in zip(displays, result.displays, strict=True):
        if len(displays) > 1:
            print(f"== display {figures['display']} ==", file=out)
        print(format_report(figures, report.chart), file=out)
    if args.json:
        # One display: its figures at the top level. Several: the first one's there too (so
        # scripts written for one keep working), and all of them under "displays".
        document = dict(displays[0], displays=displays) if len(displays) > 1 else displays[0]
        text = json.dumps(document, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            print(f"figures written to {args.json}", file=out)
    if args.plot:
        _save_plot(displays, args.plot)
        print(f"plot written to {args.plot}", file=out)
    return 0


def _check_modes(args: argparse.Namespace) -> None:
    """The flags that need another, or exclude one: --compare and --from run nothing."""
    if args.fail_if_worse is not None and not args.compare:
        raise ConfigError("option --fail-if-worse: only with --compare A.json B.json")
    if args.from_json and not args.plot:
        raise ConfigError("option --from: only with --plot FILE.png (it draws a saved run)")
    no_run = "--compare" if args.compare else "--from" if args.from_json else None
    if no_run:
        given = {"PATH": args.paths, "--json": args.json, "--screenshot": args.screenshot,
                 "--frames": args.frames}
        if args.compare:  # --from goes with --plot, --compare with neither
            given.update({"--plot": args.plot, "--from": args.from_json})
        run_flags = [flag for flag, value in given.items() if value]
        if run_flags:
            raise ConfigError(f"option {no_run}: nothing runs with it, so {', '.join(run_flags)} "
                              "cannot go with it")


def _check_plot_path(path: str | None) -> None:
    check_output_path("--plot", path)
    if path is not None and not path.lower().endswith(".png"):
        raise ConfigError(f"option --plot = {path!r}: the name must end in .png")


def _compare(args: argparse.Namespace) -> int:
    """Exit status 1 when --fail-if-worse finds B worse than A, else 0."""
    path_a, path_b = args.compare
    text, worse = compare(read_report("--compare", path_a), read_report("--compare", path_b),
                          path_a, path_b, args.fail_if_worse)
    print(text)
    return 1 if worse else 0


def _save_plot(displays: list[dict[str, Any]], path: str) -> None:
    # Deferred: the plot's drawing code, 15 ms of imports on every start of the show.
    from slideshow.health.bench_plot import save_plot

    save_plot(displays, path)


def _plot_saved(args: argparse.Namespace) -> int:
    displays = read_report("--from", args.from_json)
    _check_plot_path(args.plot)
    _save_plot(displays, args.plot)
    print(f"plot of {args.from_json} written to {args.plot}")
    return 0


def _check_image_type(flag: str, path: str) -> None:
    """Pillow picks the image type from the name's ending, and only when it saves."""
    if Image.registered_extensions().get(os.path.splitext(path)[1].lower()) not in Image.SAVE:
        raise ConfigError(f"option {flag} = {path!r}: the name must end in an image type "
                          "Pillow writes, such as .png")


def bench_settings(config: Config) -> dict[str, Any]:
    """The settings that shape a bench's load, for the plot's label and for telling runs
    apart later."""
    return {
        "interval_s": config.show.interval_s,
        "transition_s": config.show.transition_s,
        "pool": list(config.transitions.pool),
        "visualizer": config.visualizer.mode,
        "audio": config.audio.source,
        "ken_burns": config.ken_burns.enabled,
        "gc": config.pacing.gc,
        "governor": config.pacing.governor,
        "min_scale": config.pacing.min_scale,
        "cadence": config.pacing.cadence,
    }


def bench_figures(report: Any, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    frames = report.frames
    return {
        "frames": frames["frames"],
        "seconds": report.seconds,
        "refresh_hz": report.refresh_hz,
        "vsync": report.vsync,
        "dt_ms": frames["dt_ms"],
        "missed_vsyncs": frames["missed_vsyncs"],
        "planned_repeats": frames.get("planned_repeats", 0),
        "governor": report.governor,
        "phase_ms": report.phase_ms,
        "gc": report.gc,
        "histogram": [{"lo_ms": lo, "hi_ms": hi, "count": n} for lo, hi, n in report.histogram if n],
        "show": report.show,
        "audio": report.audio,
        "surface": report.surface,
        "size": list(report.size),
        "renderer": report.renderer,
        "slowest": report.slowest,
        # Launch to the present of the first frame showing a photo, and that frame's index.
        "first_photo_s": report.first_photo_s,
        "first_photo_frame": report.first_photo_frame,
        # Every measured frame and the show's events, for plots and comparisons later.
        "timeline": {**report.timeline, "events": [list(event) for event in report.events]},
        "display": report.display or "window",
        "settings": settings or {},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _first_photo_line(figures: dict[str, Any]) -> str:
    frame, seconds = figures.get("first_photo_frame"), figures.get("first_photo_s")
    if frame is None:
        return "first photo: none shown"
    if seconds is None:
        return f"first photo: frame {frame} (the launch time is unknown on this system)"
    return f"first photo: {seconds:.3f} s after launch (frame {frame})"


def _numbered(path: str, index: int) -> str:
    stem, dot, suffix = path.rpartition(".")
    return f"{stem}-{index}.{suffix}" if dot else f"{path}-{index}"


def format_report(figures: dict[str, Any], chart: str) -> str:
    dt, gc = figures["dt_ms"], figures["gc"]
    period_ms = 1000.0 / figures["refresh_hz"]
    lines = [
        f"slideshow bench: {figures['frames']} frames in {figures['seconds']:.1f} s on "
        f"{figures['surface']} {figures['size'][0]}x{figures['size'][1]} ({figures['renderer']})",
        f"clock: {figures['vsync']} at {figures['refresh_hz']:.2f} Hz (period {period_ms:.3f} ms)",
        "",
        chart,
        "",
        f"dt ms   p50 {dt['p50']:.3f}  p90 {dt['p90']:.3f}  p99 {dt['p99']:.3f}  "
        f"p99.9 {dt['p999']:.3f}  max {dt['max']:.3f}",
        f"missed vsyncs {figures['missed_vsyncs']} (unplanned; planned repeats "
        f"{figures.get('planned_repeats', 0)})   "
        f"gc: {gc['collections']} collections, {gc['in_frame']} inside a frame, "
        f"max pause {gc['max_pause_ms']:.3f} ms",
        *governor_lines(figures.get("governor") or {}),
        "phase ms       p50      p99      max",
    ]
    for name, p in figures["phase_ms"].items():
        lines.append(f"  {name:<8} {p['p50']:8.3f} {p['p99']:8.3f} {p['max']:8.3f}")
    audio = figures["audio"]
    if audio.get("hop_ms"):
        lines.append(f"audio: {audio['source']}, {audio['hops']} hops, hop ms median "
                     f"{audio['hop_ms']['median']} p99 {audio['hop_ms']['p99']}, age of the bins "
                     f"drawn ms p50 {audio['age_ms']['p50']} p99 {audio['age_ms']['p99']}")
    show = figures["show"]
    lines.append(f"photos: {show['photos_shown']} shown, {show['decoded']} decoded, "
                 f"{show['failed']} failed, {show['late_photos']} late, "
                 f"{show['worker_restarts']} worker restarts")
    lines.append(_first_photo_line(figures))
    preparation = show.get("preparation")
    if preparation:
        step_ms = preparation["step_ms"]
        lines.append(f"transitions: {preparation['ready']} of {preparation['pool']} ready after "
                     f"{preparation['steps']} steps ({preparation['forced']} forced, "
                     f"{preparation['overran']} over their slack), step ms p50 "
                     f"{_ms(step_ms['p50'])} max {_ms(step_ms['max'])}")
    if figures.get("slowest"):
        lines.append(format_slowest(figures["slowest"]))
    return "\n".join(lines)


def governor_lines(governor: dict[str, Any]) -> list[str]:
    """The frame-cost governor's work in two lines (none when the report has no governor)."""
    if not governor:
        return []
    if governor.get("mode") == "off":
        return ["governor: off (pacing.governor): every frame at full size and rate"]
    scale, error, own = governor["scale"], governor["prediction_error_ms"], governor["own_ms"]
    dropped = ", ".join(governor["dropped_transitions"]) or "none"
    scaled = (f"governor: {governor['frames_scaled']} frames scaled (scale p50 "
              f"{scale['p50']:.2f}, min {scale['min']:.2f}), {governor['frames_reduced_cadence']} "
              f"at a reduced cadence; dropped transitions: {dropped}")
    spread = governor.get("cost_spread")  # (not in the figures of older versions)
    room = f"budgets leave x{spread:.2f} room; " if spread is not None else ""
    errors = (f"governor: prediction error ms p50 {error['p50']:.2f} p99 {error['p99']:.2f}; "
              f"{room}its own time per frame ms p50 {own['p50']:.3f} p99 {own['p99']:.3f}")
    return [scaled, errors]
