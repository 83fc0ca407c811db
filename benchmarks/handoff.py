"""Handing a decoded RGBA frame from a worker process to the render side: FrameRing vs
multiprocessing.Queue of bytes vs an in-process np.copyto (the memcpy limit).

    python3 benchmarks/handoff.py [--repeat N]

Each path runs lock-step, one frame in flight, so producer and consumer never fight for
memory bandwidth and every number is one frame's cost; rounds interleave the three paths
(the Queue only every other round, it is slow), so a busy neighbour slows them alike.
The consumer asks for a frame over a control pipe (untimed); the producer, holding the
frame in its own memory already (what a decoder has just produced), stamps t0 and hands
it off; the consumer ends with the pixels in a preallocated array (where the render
thread would have its mapped PBO) and stamps t1. time.perf_counter is CLOCK_MONOTONIC on
Linux, one clock for every process.

Two figures per path:

- consumer ms: what the render thread itself spends, from the moment the frame is there
  to pixels in its array. Ring: the take() that finds the slot READY, the copy out of
  the slot, release(). Queue: from Queue.empty() turning false to get() returning
  (unpickling, and reading the pipe while the producer's feeder thread still writes it)
  plus the copy into the array. memcpy: one np.copyto.
- latency ms: t1 - t0, the whole handoff. Ring: the producer's copy into the slot,
  publish, the consumer noticing (it spins on take()), copy out, release. Queue: bytes(),
  pickling, the pipe, unpickling, the copy into the array.

GB/s is frame bytes / time; "vs memcpy" is the path's bandwidth over memcpy's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slideshow.workers.ring import FrameRing  # noqa: E402

SIZES = ((1920, 1080), (3840, 2160))
SLOT_COUNT = 3
PATHS = ("memcpy", "FrameRing", "Queue(bytes)")


def make_frame(width: int, height: int) -> np.ndarray:
    return np.random.default_rng(width).integers(0, 256, (height, width, 4), dtype=np.uint8)


def ring_producer(ring_name: str, control) -> None:
    ring = FrameRing.attach(ring_name)
    frames = {size: make_frame(*size) for size in SIZES}
    while (request := control.recv()) is not None:
        frame = frames[request]
        width, height = request
        t0 = time.perf_counter()
        while (index := ring.claim()) is None:
            pass
        np.copyto(ring.pixels(index)[:frame.nbytes].reshape(frame.shape), frame)
        ring.publish(index, request_id=0, width=width, height=height, stride=width * 4, decode_ms=0.0)
        control.send(t0)
    ring.close()


def queue_producer(queue, control) -> None:
    frames = {size: make_frame(*size) for size in SIZES}
    while (request := control.recv()) is not None:
        t0 = time.perf_counter()
        queue.put(frames[request].tobytes())
        control.send(t0)


def hand_through_ring(size, control, ring: FrameRing, out: np.ndarray) -> tuple[float, float]:
    control.send(size)
    while True:
        start = time.perf_counter()
        record = ring.take()
        if record is not None:
            break
    np.copyto(out, ring.view(record))
    ring.release(record.index)
    end = time.perf_counter()
    return end - start, end - control.recv()


def hand_through_queue(size, control, queue, out: np.ndarray) -> tuple[float, float]:
    control.send(size)
    while queue.empty():
        pass
    start = time.perf_counter()
    data = queue.get()
    np.copyto(out, np.frombuffer(data, np.uint8).reshape(out.shape))
    end = time.perf_counter()
    return end - start, end - control.recv()


def copy_in_process(source: np.ndarray, out: np.ndarray) -> tuple[float, float]:
    start = time.perf_counter()
    np.copyto(out, source)
    elapsed = time.perf_counter() - start
    return elapsed, elapsed


def summary(seconds: list[float], nbytes: int) -> tuple[float, str, float]:
    ms = sorted(s * 1e3 for s in seconds)
    median = statistics.median(ms)
    return median, f"{median:7.2f} ({ms[0]:.2f}-{ms[-1]:.2f})", nbytes / (median / 1e3) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed frames per path and size")
    parser.add_argument("--warmup", type=int, default=SLOT_COUNT + 1, help="untimed frames first")
    args = parser.parse_args()
    spawn = mp.get_context("spawn")

    ring = FrameRing.create(SLOT_COUNT, max(w * h * 4 for w, h in SIZES), label="bench")
    ring_control, ring_end = spawn.Pipe()
    queue_control, queue_end = spawn.Pipe()
    queue = spawn.Queue(maxsize=1)
    producers = [spawn.Process(target=ring_producer, args=(ring.name, ring_end), daemon=True),
                 spawn.Process(target=queue_producer, args=(queue, queue_end), daemon=True)]
    for producer in producers:
        producer.start()

    rows = []
    try:
        for size in SIZES:
            source = make_frame(*size)
            outs = {path: np.ones_like(source) for path in PATHS}  # preallocated, already mapped
            handoffs = {
                "memcpy": lambda: copy_in_process(source, outs["memcpy"]),
                "FrameRing": lambda: hand_through_ring(size, ring_control, ring, outs["FrameRing"]),
                "Queue(bytes)": lambda: hand_through_queue(size, queue_control, queue, outs["Queue(bytes)"]),
            }
            times: dict[str, list[tuple[float, float]]] = {path: [] for path in PATHS}
            # Rounds interleave the paths, so a noisy neighbour slows all of them alike.
            for round_ in range(args.warmup + args.repeat):
                for path in PATHS:
                    if path == "Queue(bytes)" and round_ % 2:
                        continue  # the slow one: every other round keeps the run short
                    result = handoffs[path]()
                    if round_ >= args.warmup:
                        times[path].append(result)
            for path in PATHS:
                assert np.array_equal(outs[path], source), f"{path} delivered other pixels"
            memcpy_gbs = summary([c for c, _ in times["memcpy"]], source.nbytes)[2]
            for path in PATHS:
                _, consumer_text, consumer_gbs = summary([c for c, _ in times[path]], source.nbytes)
                _, latency_text, latency_gbs = summary([latency for _, latency in times[path]], source.nbytes)
                rows.append((f"{size[0]}x{size[1]}", path, len(times[path]), consumer_text, consumer_gbs,
                             consumer_gbs / memcpy_gbs, latency_text, latency_gbs))
    finally:
        for control in (ring_control, queue_control):
            control.send(None)
        for producer in producers:
            producer.join(timeout=5)
        ring.close()
        ring.unlink()

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {mp.cpu_count()} cores; "
          "ms as median (min-max); GB/s from the median")
    header = ("frame", "path", "n", "consumer ms", "GB/s", "vs memcpy", "latency ms", "GB/s")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for frame, path, n, consumer_text, consumer_gbs, ratio, latency_text, latency_gbs in rows:
        print(f"| {frame} | {path} | {n} | {consumer_text.strip()} | {consumer_gbs:.2f} | {ratio:.2f} | "
              f"{latency_text.strip()} | {latency_gbs:.2f} |")


if __name__ == "__main__":
    main()
