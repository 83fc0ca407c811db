"""Audio, measured two ways, each printing its peers side by side (and one JSON line).

`fft`: the FFT worker's cost and freshness with pyfftw vs numpy.fft: hop processing time,
the worker's CPU share, and the age of the newest bins when read at 60 Hz. Each backend
runs the real worker process on the synthetic source (100 hops a second, paced to real
time) for `--seconds`; the main thread reads the block at 60 Hz as a render thread does.

`capture`: what the computer plays, captured through sounddevice (PortAudio, the ALSA
pulse device with PULSE_SOURCE) vs soundcard (libpulse directly), `--runs` runs of each,
interleaved, each in a fresh process that opens `--audio auto` with that backend and
takes what arrived every 10 ms, as the FFT worker does, for `--seconds`:
- hop: the interval between delivered blocks (ms: median, p99, max), and the block size;
- delivery: the same between deliveries (blocks less than 1 ms apart count as one: the
  ALSA pulse device hands PortAudio several blocks at once);
- cpu: the capturing process's user + system time over the wall time (one core = 100 %);
- latency: both opened at once in one process, the same sound found in both by
  cross-correlation, and the difference of the times each delivered it (soundcard minus
  sounddevice, ms; positive: soundcard delivers later).
Needs a sound server that is playing something (Linux: PulseAudio or PipeWire; the
monitor of the default output is captured).

    python3 benchmarks/audio.py fft [--seconds 20]
    python3 benchmarks/audio.py capture [--runs 3] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import time
from multiprocessing.connection import Connection

import numpy as np

from slideshow.audio.backends import Chooser, open_capture
from slideshow.audio.block import unpack
from slideshow.audio.capture import SourceSpec
from slideshow.audio.service import AudioService
from slideshow.audio.spectrum import SpectrumConfig

CAPTURE_BACKENDS = ("sounddevice", "soundcard")
_HOP_S = 0.01
_RATE = 48000
_BURST_MS = 1.0  # blocks closer than this arrived in one delivery


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spread(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    pick = lambda q: float(values[min(len(values) - 1, int(q * len(values)))])  # noqa: E731
    return {"median": round(float(statistics.median(values)), 3), "p10": round(pick(0.10), 3),
            "p90": round(pick(0.90), 3), "p99": round(pick(0.99), 3), "max": round(float(values[-1]), 3),
            "n": len(values)}


# -- fft ----------------------------------------------------------------------------------

def run_fft(backend: str, seconds: float) -> dict[str, object]:
    with AudioService("synthetic", SpectrumConfig(), fft_backend=backend) as service:
        out = service.layout.empty()
        while service.latest(out) is None:
            time.sleep(0.01)
        pid = service.worker_pid
        cpu0, wall0 = _cpu_s(pid), time.monotonic()
        hop_ms: list[float] = []
        ages_ms: list[float] = []
        seen = unpack(out, service.layout).hops
        next_read = time.monotonic()
        while time.monotonic() - wall0 < seconds:
            next_read += 1 / 60
            time.sleep(max(0.0, next_read - time.monotonic()))
            got = service.latest(out)
            if got is None:
                continue
            ages_ms.append(got[1] * 1e3)
            block = unpack(out, service.layout)
            hop_ms.extend(block.hop_times_since(seen))
            seen = block.hops
        cpu_share = (_cpu_s(pid) - cpu0) / (time.monotonic() - wall0)
    return {"backend": backend, "hop_ms": _spread(hop_ms), "cpu_percent": round(100 * cpu_share, 1),
            "age_ms_at_60hz": _spread(ages_ms)}


# -- capture: one backend per process -------------------------------------------------------

def _capture_child(backend: str, seconds: float, conn: Connection) -> None:
    arrivals: list[float] = []
    capture = open_capture(SourceSpec("auto"), backend, round(_RATE * _HOP_S), _RATE, arrivals)
    try:
        conn.send(("ready", capture.label, capture.sample_rate))
        frames = 0
        due = time.monotonic()
        end = due + seconds
        first = len(arrivals)
        while time.monotonic() < end:  # the FFT worker's loop, without the FFT
            due += _HOP_S
            time.sleep(max(0.0, due - time.monotonic()))
            frames += len(capture.take())
        got = arrivals[first:]
        conn.send(("done", got, frames, seconds))
        conn.recv()  # the parent reads our CPU time first
    finally:
        capture.close()


def run_capture(backend: str, seconds: float) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_capture_child, args=(backend, seconds, child))
    process.start()
    child.close()
    try:
        _, label, rate = parent.recv()
        cpu0, wall0 = _cpu_s(process.pid), time.monotonic()
        _, arrivals, frames, _ = parent.recv()
        cpu_share = (_cpu_s(process.pid) - cpu0) / (time.monotonic() - wall0)
        parent.send("bye")
    finally:
        process.join(10)
    intervals = [(b - a) * 1e3 for a, b in zip(arrivals, arrivals[1:])]
    # Blocks that came within 1 ms of each other came together: one delivery.
    deliveries = [t for t, gap in zip(arrivals[1:], intervals) if gap > _BURST_MS]
    gaps = [(b - a) * 1e3 for a, b in zip(deliveries, deliveries[1:])]
    return {"backend": backend, "device": label, "sample_rate": rate,
            "block_ms": round(frames / max(1, len(arrivals)) / rate * 1e3, 2),
            "hop_ms": _spread(intervals) if intervals else None,
            "delivery_ms": _spread(gaps) if gaps else None,
            "cpu_percent": round(100 * cpu_share, 2), "frames_per_s": round(frames / seconds)}


# -- capture: both at once, for the latency between them --------------------------------------

def _both_child(seconds: float, conn: Connection) -> None:
    chooser = Chooser()
    spec = SourceSpec("auto")
    first = open_capture(spec, "sounddevice", round(_RATE * _HOP_S), _RATE, [], chooser)
    rate = first.sample_rate  # soundcard at the same rate: samples line up one to one
    second = open_capture(spec, "soundcard", round(rate * _HOP_S), rate, [], chooser)
    streams = {"sounddevice": first, "soundcard": second}
    got = {name: ([], []) for name in streams}  # per block: (frames, time taken)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.001)
            now = time.monotonic()
            for name, capture in streams.items():
                block = capture.take()
                if len(block):
                    got[name][0].append(block.mean(axis=1).copy())
                    got[name][1].append(now)
        conn.send({name: (np.concatenate(samples) if samples else np.zeros(0), times,
                          [len(s) for s in samples]) for name, (samples, times) in got.items()}
                  | {"rate": rate})
    finally:
        second.close()
        first.close()


def _delivery_times(times: list[float], sizes: list[int]) -> np.ndarray:
    """For each sample, the time the block holding it was taken."""
    return np.repeat(np.asarray(times), sizes)


def measure_latency(seconds: float) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_both_child, args=(seconds, child))
    process.start()
    child.close()
    try:
        data = parent.recv()
    finally:
        process.join(10)
    rate = data["rate"]
    a, a_times, a_sizes = data["sounddevice"]
    b, b_times, b_sizes = data["soundcard"]
    if len(a) < rate * 2 or len(b) < rate * 2 or np.abs(a).max() < 1e-4:
        return {"error": "too little sound captured to line the streams up"}
    # A 1 s piece of sounddevice's stream from its middle, found in soundcard's.
    piece_at = len(a) // 2
    piece = a[piece_at: piece_at + rate]
    spectrum_len = 1 << int(np.ceil(np.log2(len(b) + len(piece))))
    corr = np.fft.irfft(np.fft.rfft(b, spectrum_len) * np.conj(np.fft.rfft(piece, spectrum_len)),
                        spectrum_len)[: len(b) - len(piece)]
    ta, tb = _delivery_times(a_times, a_sizes), _delivery_times(b_times, b_sizes)
    # The sound may loop: look for the piece only within half a second of where b was
    # when a delivered it, not a loop's length away.
    near = int(np.searchsorted(tb, ta[piece_at]))
    window = slice(max(0, near - rate // 2), min(len(corr), near + rate // 2))
    lag = window.start + int(np.argmax(corr[window]))  # piece starts at sample `lag` of b
    k = np.arange(piece_at, piece_at + rate)
    k_b = k - piece_at + lag
    ok = k_b < len(tb)
    diff_ms = (tb[k_b[ok]] - ta[k[ok]]) * 1e3
    match = float(np.corrcoef(piece, b[lag: lag + len(piece)])[0, 1])
    return {"soundcard_minus_sounddevice_ms": _spread(list(diff_ms[:: max(1, rate // 1000)])),
            "match": round(match, 4)}


def _print_side_by_side(runs: list[dict[str, object]]) -> None:
    nan = {"median": float("nan"), "p99": float("nan"), "max": float("nan")}
    print(f"{'':12s} {'run':>3s} {'block':>6s} {'hop ms: median':>14s} {'p99':>6s} {'max':>6s}"
          f" {'delivery ms: median':>19s} {'p99':>6s} {'max':>6s} {'cpu %':>6s}  device")
    for number, run in enumerate(runs):
        hop, delivery = run["hop_ms"] or nan, run["delivery_ms"] or nan
        print(f"{run['backend']:12s} {number // len(CAPTURE_BACKENDS) + 1:3d} "
              f"{run['block_ms']:6.2f} {hop['median']:14.2f} {hop['p99']:6.2f} {hop['max']:6.2f}"
              f" {delivery['median']:19.2f} {delivery['p99']:6.2f} {delivery['max']:6.2f}"
              f" {run['cpu_percent']:6.2f}  {run['device']} @ {run['sample_rate']} Hz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("fft", "capture"), nargs="?", default="fft")
    parser.add_argument("--seconds", type=float, default=None,
                        help="per run (default: fft 20, capture 10)")
    parser.add_argument("--runs", type=int, default=3, help="capture: runs of each backend")
    args = parser.parse_args()
    if args.what == "fft":
        seconds = args.seconds or 20.0
        results = [run_fft(backend, seconds) for backend in ("pyfftw", "numpy")]
        print(json.dumps({"seconds": seconds, "cores": os.cpu_count(), "runs": results}))
        return
    seconds = args.seconds or 10.0
    runs = [run_capture(backend, seconds) for _ in range(args.runs) for backend in CAPTURE_BACKENDS]
    _print_side_by_side(runs)
    latency = measure_latency(seconds)
    print(f"latency, soundcard minus sounddevice: {latency}")
    print(json.dumps({"seconds": seconds, "cores": os.cpu_count(),
                      "loadavg": os.getloadavg(), "runs": runs, "latency": latency}))


if __name__ == "__main__":
    main()
