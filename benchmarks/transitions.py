"""GPU draw time of every transition, with the crossfade and a plain blit as peers.

    python3 benchmarks/transitions.py [--size 1920x1080] [--frames 60] [--repeat 3] [--only NAME...]

Headless EGL (llvmpipe here, the GPU machine's driver there). Each transition draws
`--frames` frames between two full-size frame textures, progress sweeping 0..1 as in the
show, into a display-sized target. Each draw is timed twice: GPU time with a GL timer query
(GL_TIME_ELAPSED, what the GPU spent on the draw) and wall time of the draw plus
`ctx.finish()` (what a paced frame waits for). One untimed sweep per transition first, so
the shader is compiled and the driver's JIT warm. Transitions interleave, repeat by repeat,
so a busy neighbour slows all alike.

Per transition: GPU ms median and max over all frames of all repeats, and wall ms median
(min-max of the repeats' medians). `blit` is the held frame's cost (a framebuffer copy),
the floor every transition is compared with. The slowest transitions are named at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slideshow.commands.transitions import _images  # noqa: E402
from slideshow.config import Size  # noqa: E402
from slideshow.gpu.headless import HeadlessSurface  # noqa: E402
from slideshow.gpu.transitions import TransitionPass, frame_texture  # noqa: E402
from slideshow.transitions.files import TransitionLibrary  # noqa: E402


def time_draws(ctx, draw, frames: int) -> tuple[list[float], list[float]]:
    """GPU ms and wall ms (draw + finish) of `frames` calls of draw(progress)."""
    query = ctx.query(time=True)
    gpu_ms, wall_ms = [], []
    for frame in range(frames):
        progress = frame / max(1, frames - 1)
        start = time.perf_counter()
        with query:
            draw(progress)
        ctx.finish()
        wall_ms.append((time.perf_counter() - start) * 1e3)
        gpu_ms.append(query.elapsed / 1e6)
    return gpu_ms, wall_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size(1920, 1080))
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", default=[])
    args = parser.parse_args()

    size = (args.size.width, args.size.height)
    surface = HeadlessSurface(size)
    ctx = surface.ctx
    surface.use()
    library = TransitionLibrary()
    transitions = library.select(args.only) if args.only else list(library)
    from_rgba, to_rgba = _images(None, None, args.size)
    textures = [frame_texture(ctx, from_rgba), frame_texture(ctx, to_rgba)]
    target = ctx.framebuffer(color_attachments=[ctx.texture(size, 4)])
    source = ctx.framebuffer(color_attachments=[textures[1]])

    def blit(_progress: float) -> None:
        ctx.copy_framebuffer(target, source)

    draws = {"blit": blit}
    passes = []
    for transition in transitions:
        transition_pass = TransitionPass(ctx, transition)
        passes.append(transition_pass)
        draws[transition.name] = (lambda p, tp=transition_pass: tp.draw(*textures, p))

    print(f"renderer: {ctx.info['GL_RENDERER']}; {size[0]}x{size[1]}, "
          f"{args.frames} frames x {args.repeat} repeats per transition")
    target.use()
    for draw in draws.values():  # warm-up: compile, JIT, first-use allocations
        time_draws(ctx, draw, 8)
    gpu: dict[str, list[float]] = {name: [] for name in draws}
    wall: dict[str, list[float]] = {name: [] for name in draws}
    for _ in range(args.repeat):
        for name, draw in draws.items():
            gpu_ms, wall_ms = time_draws(ctx, draw, args.frames)
            gpu[name] += gpu_ms
            wall[name].append(statistics.median(wall_ms))

    print(f"{'transition':24} {'gpu p50':>9} {'gpu max':>9} {'wall p50 (min-max)':>24}")
    for name in sorted(draws, key=lambda n: statistics.median(wall[n])):
        medians = wall[name]
        print(f"{name:24} {statistics.median(gpu[name]):9.3f} {max(gpu[name]):9.3f} "
              f"{statistics.median(medians):10.3f} ({min(medians):.3f}-{max(medians):.3f})")
    names = [n for n in draws if n != "blit"]
    by_gpu = max(names, key=lambda n: statistics.median(gpu[n]))
    by_wall = max(names, key=lambda n: statistics.median(wall[n]))
    print(f"slowest by GPU time: {by_gpu}, p50 {statistics.median(gpu[by_gpu]):.3f} ms "
          f"(max {max(gpu[by_gpu]):.3f}); by wall time: {by_wall}, p50 "
          f"{statistics.median(wall[by_wall]):.3f} ms; blit wall p50 "
          f"{statistics.median(wall['blit']):.3f} ms")
    for transition_pass in passes:
        transition_pass.release()
    surface.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
