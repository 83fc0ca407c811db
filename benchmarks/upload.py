"""Render-thread time blocked per frame while a photo uploads: `texture.write` vs the
TextureUploader (begin + one budgeted pump a frame).

    python3 benchmarks/upload.py [--repeat N] [--budget-ms 1.0] [--period-ms 16.667]

Headless EGL (llvmpipe here; the GPU machine's driver there). Each run simulates frames:
the timed part of a frame is what the render thread spends in the upload calls; then,
untimed, `ctx.finish()` (the loop's end-of-frame finish) and a sleep to the next frame
deadline (the stand-in for vsync, so the driver's threads get the time a real frame
leaves them). `finish` is reported apart: on llvmpipe it includes any copying the driver
deferred to its own threads, which a real loop waits for before a paced swap.

- `texture.write`: the whole photo in one frame, from the (contiguous) numpy array;
  ready the same frame.
- `uploader`: frame 0 is `begin` (map, one copy into the buffer, unmap) and a pump with
  what is left of the budget; each later frame one pump with the budget, until the pump
  reports the job ready (its fence signalled). `begin ms` is frame 0's begin alone.
- `uploader+copy`: the same with `begin(copy_budget_s=budget)`: the copy into the mapped
  buffer also spreads over frames (the ring slot is held until `job.copied`).

Columns, per run: frame ms (median and max over the frames the upload spans), frames
spanned, total ms (sum over those frames), begin ms, max finish ms. Each figure is the
median over the runs, with [min-max] across them. Methods interleave, run by run, so a
busy neighbour slows both alike; one untimed warm-up run of each comes first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slideshow.gpu.headless import HeadlessSurface  # noqa: E402
from slideshow.gpu.upload import TextureUploader  # noqa: E402

SIZES = ((3840, 2160), (1920, 1080))
MAX_FRAMES = 2000


def sleep_until(deadline_s: float) -> None:
    remaining = deadline_s - time.perf_counter()
    if remaining > 0:
        time.sleep(remaining)


def run_direct(ctx, texture, pixels: np.ndarray, period_s: float) -> dict[str, float]:
    frame_start = time.perf_counter()
    start = time.perf_counter()
    texture.write(pixels)
    blocked_ms = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    ctx.finish()
    finish_ms = (time.perf_counter() - start) * 1e3
    sleep_until(frame_start + period_s)
    return {"median": blocked_ms, "max": blocked_ms, "frames": 1, "total": blocked_ms,
            "begin": 0.0, "finish": finish_ms}


def run_uploader(ctx, uploader: TextureUploader, texture, pixels: np.ndarray,
                 budget_s: float, period_s: float, copy_in_pumps: bool = False) -> dict[str, float]:
    frames_ms, finish_ms = [], []
    begin_ms = 0.0
    job = None
    for _ in range(MAX_FRAMES):
        frame_start = time.perf_counter()
        start = time.perf_counter()
        if job is None:
            job = uploader.begin(pixels, texture, copy_budget_s=budget_s if copy_in_pumps else None)
            begin_ms = (time.perf_counter() - start) * 1e3
            if job is None:
                raise RuntimeError("no free buffer at the start of a run")
            ready = uploader.pump(max(0.0, budget_s - begin_ms / 1e3))  # one budget a frame
        else:
            ready = uploader.pump(budget_s)
        frames_ms.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        ctx.finish()
        finish_ms.append((time.perf_counter() - start) * 1e3)
        sleep_until(frame_start + period_s)
        if ready:
            break
    else:
        raise RuntimeError(f"upload not ready after {MAX_FRAMES} frames")
    return {"median": statistics.median(frames_ms), "max": max(frames_ms),
            "frames": len(frames_ms), "total": sum(frames_ms), "begin": begin_ms,
            "finish": max(finish_ms)}


def summary(runs: list[dict[str, float]], key: str, digits: int = 2) -> str:
    values = [run[key] for run in runs]
    if key == "frames":
        return f"{statistics.median(values):g} [{min(values):g}-{max(values):g}]"
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per size and method")
    parser.add_argument("--budget-ms", type=float, default=1.0, help="the uploader's budget a frame")
    parser.add_argument("--period-ms", type=float, default=1000 / 60, help="simulated frame period")
    args = parser.parse_args()
    budget_s, period_s = args.budget_ms / 1e3, args.period_ms / 1e3

    surface = HeadlessSurface((64, 32))
    ctx = surface.ctx
    print(f"renderer: {ctx.info['GL_RENDERER']} ({ctx.info['GL_VERSION']}); budget "
          f"{args.budget_ms:g} ms a frame; frame period {args.period_ms:.2f} ms; "
          f"{args.repeat} runs each")
    uploader = TextureUploader(ctx, max(w * h * 4 for w, h in SIZES))
    header = (f"{'size':>9}  {'method':<14} {'frame ms median':>20} {'frame ms max':>20} "
              f"{'frames':>10} {'total ms':>20} {'begin ms':>20} {'finish ms max':>20}")
    print(header)
    for width, height in SIZES:
        pixels = np.random.default_rng(width).integers(0, 256, (height, width, 4), dtype=np.uint8)
        texture = ctx.texture((width, height), 4)
        # warm-up, and a check that the uploader's texture is the photo
        run_direct(ctx, texture, pixels, period_s)
        texture.write(bytes(pixels.nbytes))
        run_uploader(ctx, uploader, texture, pixels, budget_s, period_s)
        assert texture.read() == pixels.tobytes(), "the uploaded texture differs from the photo"
        texture.write(bytes(pixels.nbytes))
        run_uploader(ctx, uploader, texture, pixels, budget_s, period_s, copy_in_pumps=True)
        assert texture.read() == pixels.tobytes(), "the uploaded texture differs from the photo"
        runs: dict[str, list[dict[str, float]]] = {"texture.write": [], "uploader": [],
                                                   "uploader+copy": []}
        for _ in range(args.repeat):
            runs["texture.write"].append(run_direct(ctx, texture, pixels, period_s))
            runs["uploader"].append(run_uploader(ctx, uploader, texture, pixels, budget_s, period_s))
            runs["uploader+copy"].append(run_uploader(ctx, uploader, texture, pixels, budget_s,
                                                      period_s, copy_in_pumps=True))
        for method, method_runs in runs.items():
            print(f"{width}x{height:<4}  {method:<14} {summary(method_runs, 'median'):>20} "
                  f"{summary(method_runs, 'max'):>20} {summary(method_runs, 'frames'):>10} "
                  f"{summary(method_runs, 'total'):>20} {summary(method_runs, 'begin'):>20} "
                  f"{summary(method_runs, 'finish'):>20}")
        texture.release()
    uploader.release()
    surface.release()


if __name__ == "__main__":
    main()
