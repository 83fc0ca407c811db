"""The FFT worker's cost and freshness: hop processing time and the worker's CPU share with
pyfftw vs numpy.fft, and the age of the newest bins when read at 60 Hz.

Each backend runs the real worker process on the synthetic source (100 hops a second,
paced to real time) for `--seconds`; the main thread reads the block at 60 Hz the way a
render thread does. CPU share is the worker's user + system time from /proc over the
run's wall time (one core = 100 %). Prints one JSON object.

    python3 benchmarks/audio.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from slideshow.audio.block import unpack
from slideshow.audio.service import AudioService
from slideshow.audio.spectrum import SpectrumConfig


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spread(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"median": round(statistics.median(values), 3), "p10": round(pick(0.10), 3),
            "p90": round(pick(0.90), 3), "p99": round(pick(0.99), 3), "max": round(values[-1], 3),
            "n": len(values)}


def run_backend(backend: str, seconds: float) -> dict[str, object]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    results = [run_backend(backend, args.seconds) for backend in ("pyfftw", "numpy")]
    print(json.dumps({"seconds": args.seconds, "cores": os.cpu_count(), "runs": results}))


if __name__ == "__main__":
    main()
