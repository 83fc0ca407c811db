"""`slideshow listen`: live bars in the terminal from the chosen audio source, to check
that capture works, and with `--json` a one-line summary at the end.

It runs the same FFT worker and shared-memory block as the show and reads it at 60 Hz,
the way a render thread does. Bars are drawn the way CAVA draws them: one column per band,
unicode eighth blocks, redrawn in place with ANSI cursor moves. When stdout is not a
terminal nothing is drawn, only the summary is printed (with or without --json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from typing import Any, TextIO, get_args

import numpy as np

from slideshow.audio.backends import BACKEND_HELP, BACKENDS
from slideshow.audio.block import AudioBlock, unpack
from slideshow.audio.capture import SPEC_HELP, parse_spec
from slideshow.audio.spectrum import FftBackend, SpectrumConfig, log_band_edges
from slideshow.audio.worker import spectrum_config_for
from slideshow.config import check_run_length
from slideshow.errors import ConfigError

_READ_HZ = 60.0
_FIRST_VALUE_S = 10.0  # the worker's start-up (spawn, imports, FFT plans) may take this long
_EIGHTHS = " ▁▂▃▄▅▆▇█"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "listen", help="show live spectrum bars from the audio source, to check capture",
        description="Runs the visualizer's FFT worker on the chosen audio source and draws "
        "live bars in the terminal. With --json, ends with a one-line JSON summary (source, "
        "sample_rate, hops, band_hz, band_mean, peak_hz, beats, hop_ms). Exit status 0 when "
        "it ran, also when the source failed and only silence was heard.")
    parser.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds of audio (default: until Ctrl-C)")
    parser.add_argument("--json", action="store_true",
                        help="end with a one-line JSON summary on stdout")
    parser.add_argument("--audio", default="auto", metavar="SPEC", help=SPEC_HELP)
    parser.add_argument("--audio-backend", default="auto", type=str.lower, choices=BACKENDS,
                        help=BACKEND_HELP)
    parser.add_argument("--bands", type=int, default=None, metavar="N",
                        help="bands (default: as many as fit the terminal, at most 64)")
    parser.add_argument("--low-hz", type=float, default=50.0, metavar="HZ",
                        help="lower edge of the first band (default 50)")
    parser.add_argument("--high-hz", type=float, default=10000.0, metavar="HZ",
                        help="upper edge of the last band (default 10000)")
    parser.add_argument("--fft", choices=get_args(FftBackend), default="auto",
                        help="FFT implementation of the worker (default: pyfftw when installed)")


def run(args: argparse.Namespace) -> int:
    # Heavy: the FFT worker, only to listen.
    from slideshow.audio.service import AudioService

    check_run_length(args.seconds)
    try:
        spec = parse_spec(args.audio)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    live = sys.stdout.isatty()
    bands = args.bands or (min(64, max(8, shutil.get_terminal_size().columns - 2)) if live else 64)
    try:
        config = SpectrumConfig(bands=bands, low_hz=args.low_hz, high_hz=args.high_hz)
    except ValueError as exc:
        raise ConfigError(f"--bands / --low-hz / --high-hz: {exc}") from None
    with AudioService(spec, config, fft_backend=args.fft,
                      capture_backend=args.audio_backend) as service:
        summary = Summary(service.layout.bands)
        out = service.layout.empty()
        bars = Bars(sys.stdout, bands) if live else None
        deadline = None
        started = time.monotonic()
        try:
            while deadline is None or time.monotonic() < deadline:
                got = service.latest(out)
                if got is None:
                    if time.monotonic() - started > _FIRST_VALUE_S:
                        print("slideshow listen: the audio worker published nothing within "
                              f"{_FIRST_VALUE_S:g} s", file=sys.stderr)
                        return 1
                elif summary.add(unpack(out, service.layout), got[0]):
                    if deadline is None and args.seconds is not None:
                        deadline = time.monotonic() + args.seconds  # from the first value
                    if bars is not None:
                        bars.draw(unpack(out, service.layout), service.source_label, got[1])
                time.sleep(1.0 / _READ_HZ)
        except KeyboardInterrupt:
            pass
        finally:
            if bars is not None:
                bars.finish()
        band_config = spectrum_config_for(config, summary.sample_rate or config.sample_rate)
        result = summary.result(service.source_label or str(spec), _band_hz(band_config))
    if args.json:
        print(json.dumps(result), flush=True)
    elif not live:
        print(_describe(result), flush=True)
    return 0


def _band_hz(config: SpectrumConfig) -> np.ndarray:
    edges = log_band_edges(config.low_hz, config.high_hz, config.bands)
    return np.sqrt(edges[:-1] * edges[1:])


class Summary:
    """What was heard: the mean of each band over the reads, beats and hop times."""

    def __init__(self, bands: int) -> None:
        self._band_sum = np.zeros(bands, dtype=np.float64)
        self.reads = 0
        self._sequence = 0
        self._hops_seen = 0
        self._first_hops: int | None = None
        self.hops = 0
        self.hop_ms: list[float] = []
        self.kicks = self.snares = 0
        self._last_kicks = self._last_snares = 0
        self.sample_rate = 0

    def add(self, block: AudioBlock, sequence: int) -> bool:
        """Counts a read; False when it is the value already seen."""
        if sequence == self._sequence:
            return False
        self._sequence = sequence
        if block.hops < self._hops_seen:  # a restarted worker counts from 0 again
            self._hops_seen = 0
            self._last_kicks = self._last_snares = 0
        if self.reads:
            self.hop_ms.extend(block.hop_times_since(self._hops_seen))
            self.hops += block.hops - self._hops_seen
            self.kicks += block.kicks - self._last_kicks
            self.snares += block.snares - self._last_snares
        self._hops_seen, self._last_kicks, self._last_snares = block.hops, block.kicks, block.snares
        self._band_sum += block.bands
        self.reads += 1
        self.sample_rate = block.sample_rate
        return True

    def result(self, source: str, band_hz: np.ndarray) -> dict[str, Any]:
        mean = self._band_sum / max(1, self.reads)
        peak_hz = float(band_hz[int(np.argmax(mean))]) if mean.max() > 0 else 0.0
        times = sorted(self.hop_ms)
        return {
            "source": source, "sample_rate": self.sample_rate, "hops": self.hops,
            "reads": self.reads,
            "band_hz": [round(float(h), 1) for h in band_hz],
            "band_mean": [round(float(m), 4) for m in mean],
            "peak_hz": round(peak_hz, 1),
            "beats": {"kicks": self.kicks, "snares": self.snares},
            "hop_ms": {"median": round(statistics.median(times), 3) if times else None,
                       "p99": round(times[min(len(times) - 1, int(0.99 * len(times)))], 3)
                       if times else None},
        }


def _describe(result: dict[str, Any]) -> str:
    return (f"{result['source']}: {result['hops']} hops at {result['sample_rate']} Hz, "
            f"peak {result['peak_hz']:g} Hz, {result['beats']['kicks']} kicks, "
            f"{result['beats']['snares']} snares, hop {result['hop_ms']['median']} ms median")


class Bars:
    """Vertical bars redrawn in place: `rows` lines of eighth blocks and a status line."""

    def __init__(self, stream: TextIO, bands: int, rows: int = 0) -> None:
        self.stream, self.bands = stream, bands
        self.rows = rows or max(4, min(16, shutil.get_terminal_size().lines - 3))
        self._drawn = False
        stream.write("\x1b[?25l")  # hide the cursor

    def draw(self, block: AudioBlock, source: str | None, age_s: float) -> None:
        eighths = np.clip(np.rint(block.bands * self.rows * 8), 0, self.rows * 8).astype(int)
        lines = []
        for row in range(self.rows - 1, -1, -1):
            cells = np.clip(eighths - row * 8, 0, 8)
            lines.append("".join(_EIGHTHS[c] for c in cells))
        beat = ("K" if block.kicks % 2 else "k") + ("S" if block.snares % 2 else "s")
        lines.append(f"{source or '?'}  peak {block.peak_hz:7.1f} Hz  {block.level_db:6.1f} dBFS"
                     f"  kicks {block.kicks} snares {block.snares} {beat}  age {age_s * 1e3:4.1f} ms")
        up = f"\x1b[{len(lines)}A" if self._drawn else ""
        self.stream.write(up + "".join(f"\r\x1b[2K{line}\n" for line in lines))
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        self.stream.write("\x1b[?25h")
        self.stream.flush()
