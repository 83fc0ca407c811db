"""How evenly the paced clock presents frames, with and without decode load, for several
spin windows (`pacing.spin_ms`): the paced fallback sleeps until spin_ms before each
deadline, then spins. A probe found that spinning was exact on an idle box but gave the
worst tails with both cores busy, so the default is chosen by these figures.

Each configuration runs the real `slideshow bench --headless` in a subprocess, `--repeat`
times, while the load runs beside it:
  idle    nothing else
  decode  two processes decoding a 12 MP JPEG to 1080p over and over at the image
          workers' priority (nice 19, SCHED_IDLE), as a busy photo library would
  busy    the same two decoders at normal priority (a compile or a browser beside us)

    python3 benchmarks/pacing.py [--seconds 20] [--repeat 3] [--spins 0,0.5,1,2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def make_photo(folder: Path) -> Path:
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000]
    base = np.stack([(x / 16) % 255, (y / 12) % 255, ((x + y) / 20) % 255], axis=-1)
    pixels = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)
    path = folder / "load-12mp.jpg"
    Image.fromarray(pixels).save(path, quality=90)
    return path


def decode_forever(path: str, idle_priority: bool) -> None:
    if idle_priority:
        os.nice(19)
        if hasattr(os, "sched_setscheduler"):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    from slideshow.workers.decode import decode_image

    while True:
        decode_image(path, (1920, 1080), "fill")


def run_bench(seconds: float, spin_ms: float, out: Path) -> dict:
    subprocess.run(
        [sys.executable, "-m", "slideshow", "bench", "--headless", "--seconds", str(seconds),
         "--json", str(out), "--set", f"pacing.spin_ms={spin_ms}", "--log-level", "warning"],
        check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spins", default="0,0.5,1,2", help="spin windows in ms, comma separated")
    parser.add_argument("--loads", default="idle,decode,busy")
    args = parser.parse_args()
    spins = [float(s) for s in args.spins.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo = make_photo(folder)
        print(f"{os.cpu_count()} cores; bench --headless 1280x720 for {args.seconds:.0f} s, "
              f"{args.repeat} runs each; ms, median (min-max) over runs\n")
        print(f"{'load':<7} {'spin':>5}  {'p50':>18} {'p99':>20} {'p99.9':>20} {'max':>20} {'missed/min':>12}")
        for load in args.loads.split(","):
            for spin_ms in spins:
                rows = []
                for run in range(args.repeat):
                    loaders = []
                    if load != "idle":
                        context = multiprocessing.get_context("spawn")
                        loaders = [context.Process(target=decode_forever, args=(str(photo), load == "decode"),
                                                   daemon=True) for _ in range(2)]
                        for process in loaders:
                            process.start()
                        time.sleep(1.0)  # let them start decoding
                    try:
                        rows.append(run_bench(args.seconds, spin_ms, folder / f"{load}-{spin_ms}-{run}.json"))
                    finally:
                        for process in loaders:
                            process.kill()
                            process.join()

                def cell(key: str) -> str:
                    values = [r["dt_ms"][key] for r in rows]
                    return f"{statistics.median(values):7.2f} ({min(values):.2f}-{max(values):.2f})"

                missed = [r["missed_vsyncs"] / max(r["seconds"], 1e-9) * 60 for r in rows]
                print(f"{load:<7} {spin_ms:5.1f}  {cell('p50'):>18} {cell('p99'):>20} "
                      f"{cell('p999'):>20} {cell('max'):>20} {statistics.median(missed):12.1f}", flush=True)


if __name__ == "__main__":
    main()
