"""What watching the show costs: the bench with live metrics (`--perf 2 --perf-json`) and
with the HUD on (`--hud`), against the same bench without either, in the same session.

    python3 benchmarks/health.py [--repeat 3] [--seconds 12] [--headless-only]

Runs are interleaved (off, perf, hud, off, perf, hud, ...) so that a machine that gets
busier during the session slows every variant alike. Each run is `slideshow bench` at
1280x720 with crossfades and the visualizer on the synthetic beat; headless (EGL) and, when
an X display is there, windowed. Where `../shared/tools/swaptrace.c` and a C compiler are
at hand, every swap is also timed from outside the process (LD_PRELOAD), and the outside
p99 is printed beside the program's own: a figure counts only where the two agree.

Prints per mode and variant: dt p50 / p99 / max and missed vsyncs as the median and
[min-max] over the runs, and the outside p99. The claim to check: with perf or the HUD on,
p99 and missed vsyncs stay within the run-to-run spread of the runs without.

First, the HUD's own GPU time at 1280x720 (its graph and text, timed by a GL timer query
around them alone, 300 draws), beside its peer the held photo's draw (the photo pass
drawing a frame: what every held frame costs anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SWAPTRACE_C = REPO.parent / "shared" / "tools" / "swaptrace.c"
VARIANTS = {"off": [], "perf": ["--perf", "2", "--perf-json", "{tmp}/perf.jsonl"], "hud": ["--hud"]}


def build_swaptrace(folder: Path) -> Path | None:
    if not SWAPTRACE_C.is_file() or shutil.which("gcc") is None:
        return None
    library = folder / "swaptrace.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(SWAPTRACE_C), "-ldl"],
                   check=True)
    return library


def run_bench(mode: str, variant: str, seconds: float, folder: Path, swaptrace: Path | None) -> dict:
    out = folder / "bench.json"
    args = [sys.executable, "-m", "slideshow", "bench", "--seconds", str(seconds),
            "--transitions", "crossfade", "--json", str(out), "--log-level", "warning",
            *(arg.format(tmp=folder) for arg in VARIANTS[variant])]
    if mode == "headless":
        args.append("--headless")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    trace = folder / "swaps.txt"
    if swaptrace is not None:
        env.update(LD_PRELOAD=str(swaptrace), SWAPTRACE=str(trace))
    subprocess.run(args, check=True, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
    figures = json.loads(out.read_text())
    figures = figures["displays"][0] if "displays" in figures else figures
    result = {"p50": figures["dt_ms"]["p50"], "p99": figures["dt_ms"]["p99"],
              "max": figures["dt_ms"]["max"], "missed": figures["missed_vsyncs"]}
    if swaptrace is not None and trace.is_file():
        # Skip the detection and warm-up swaps the program does not measure either.
        swaps_ms = np.loadtxt(trace)[60:] / 1e3
        result["outside_p99"] = float(np.percentile(swaps_ms, 99))
        trace.unlink()
    if variant == "perf":
        windows = (folder / "perf.jsonl").read_text().splitlines()
        result["perf_windows"] = len(windows)
        (folder / "perf.jsonl").unlink()
    return result


def hud_draw_ms(size: tuple[int, int] = (1280, 720), draws: int = 300) -> dict[str, list[float]]:
    """GPU ms per draw of the HUD (graph + text) and of the photo pass's held frame."""
    sys.path.insert(0, str(REPO))
    from slideshow.gpu.caption_layer import CaptionLayer
    from slideshow.gpu.frame_timer import FrameTimer
    from slideshow.gpu.headless import HeadlessSurface
    from slideshow.gpu.hud_graph import SAMPLES, HudGraph
    from slideshow.gpu.photo_pass import PhotoPass
    from slideshow.show.captions import rasterise

    surface = HeadlessSurface(size)
    try:
        graph = HudGraph(surface.ctx, size, 12)
        layer = CaptionLayer(surface.ctx, (640, 120), "bottom-right", 12, lift_px=graph.size[1] + 6)
        layer.upload(rasterise(["60.0 fps   worst 16.7 ms", "0 missed vsyncs in the last minute",
                                "GPU 0.59 ms a frame"], 13, (640, 120)))
        photos = PhotoPass(surface.ctx, size)
        ring = np.random.default_rng(1).uniform(15, 40, SAMPLES).astype(np.float32)
        timer = FrameTimer()
        found: dict[str, list[float]] = {}
        for name, draw in (("hud", lambda: (graph.draw(ring, 0, 16.667), layer.draw(1.0))),
                           ("held photo", lambda: photos.draw(0.0))):
            for _ in range(draws):
                surface.use()
                surface.finish()
                started_s = time.perf_counter()
                timer.begin()
                draw()
                timer.end()
                surface.finish()
                # A software renderer rasterises when it must (at the finish), which its
                # timer query may not see: the wall time up to the finish is its GPU time.
                found.setdefault(f"{name}, draw to finish", []).append(
                    (time.perf_counter() - started_s) * 1e3)
                timer.poll()
                if timer.last_ms is not None:
                    found.setdefault(f"{name}, timer query", []).append(timer.last_ms)
                timer.last_ms = None
        for part in (timer, photos, layer, graph):
            part.release()
        return found
    finally:
        surface.release()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.3f} [{min(values):.3f}-{max(values):.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--headless-only", action="store_true")
    args = parser.parse_args()
    modes = ["headless"] + ([] if args.headless_only or not os.environ.get("DISPLAY") else ["windowed"])
    gpu_ms = hud_draw_ms()
    print("GPU time per draw at 1280x720 (ms): median [p99, max] over 300 draws")
    for name, values in gpu_ms.items():
        print(f"  {name:26} {statistics.median(values):.3f} [{np.percentile(values, 99):.3f}, "
              f"{max(values):.3f}]")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        swaptrace = build_swaptrace(folder)
        results: dict[tuple[str, str], list[dict]] = {}
        for mode in modes:
            for _ in range(args.repeat):
                for variant in VARIANTS:
                    results.setdefault((mode, variant), []).append(
                        run_bench(mode, variant, args.seconds, folder, swaptrace))
    print(f"bench {args.seconds:g} s, 1280x720, crossfade, visualizer on the synthetic beat; "
          f"{args.repeat} runs each, interleaved; median [min-max]")
    print(f"{'mode':9} {'variant':7} {'dt p50 ms':>22} {'dt p99 ms':>22} {'dt max ms':>22} "
          f"{'missed':>16} {'outside p99':>22}")
    for (mode, variant), runs in results.items():
        outside = ([r["outside_p99"] for r in runs] if all("outside_p99" in r for r in runs) else None)
        print(f"{mode:9} {variant:7} {spread([r['p50'] for r in runs]):>22} "
              f"{spread([r['p99'] for r in runs]):>22} {spread([r['max'] for r in runs]):>22} "
              f"{spread([float(r['missed']) for r in runs]):>16} "
              f"{spread(outside) if outside else 'n/a':>22}")
        if variant == "perf":
            print(f"{'':17} perf windows written per run: {[r['perf_windows'] for r in runs]}")


if __name__ == "__main__":
    main()
