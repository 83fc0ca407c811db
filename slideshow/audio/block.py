"""The published value of the FFT worker: one float32 array in a `LatestValue` block.

The worker packs each hop's `SpectrumFrame` into the array with `pack`; readers (render
threads, `slideshow listen`) copy the newest complete array with `LatestValue.read_into`,
never waiting, and take it apart with `unpack` or by slicing with the `BlockLayout`.

Layout, in float32 values, sizes from the `SpectrumConfig`:

    bands[bands]                 0..1, what is drawn
    waveform[waveform_points]    -1..1
    peak_hz, level_db, kicks, snares, silent (0/1), sample_rate, hop_ms, gain_db,
    time_s (audio time of the worker's Spectrum), hops (hops since the worker started),
    no_source (1 while the worker publishes silence because its source failed)
    recent_hop_ms[RECENT_HOPS]   processing time of hop k at index k % RECENT_HOPS, so a
                                 reader slower than the hops still sees every hop's time

Counts are exact in float32 up to 2**24 (kicks, snares; hops: 46 hours at 100 hops/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slideshow.audio.spectrum import SpectrumConfig, SpectrumFrame

RECENT_HOPS = 32
SCALARS = ("peak_hz", "level_db", "kicks", "snares", "silent", "sample_rate", "hop_ms",
           "gain_db", "time_s", "hops", "no_source")


@dataclass(frozen=True)
class BlockLayout:
    """Where each part of the published value lies in the float32 array."""

    bands: int
    waveform_points: int

    @classmethod
    def from_config(cls, config: SpectrumConfig) -> "BlockLayout":
        return cls(config.bands, config.waveform_points)

    @property
    def waveform_start(self) -> int:
        return self.bands

    @property
    def scalars_start(self) -> int:
        return self.bands + self.waveform_points

    @property
    def recent_start(self) -> int:
        return self.scalars_start + len(SCALARS)

    @property
    def count(self) -> int:
        """Values in the array: the `count` of the LatestValue."""
        return self.recent_start + RECENT_HOPS

    def index(self, scalar: str) -> int:
        return self.scalars_start + SCALARS.index(scalar)

    def empty(self) -> np.ndarray:
        return np.zeros(self.count, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class AudioBlock:
    """One published value taken apart; arrays are views of the array given to `unpack`."""

    bands: np.ndarray
    waveform: np.ndarray
    peak_hz: float
    level_db: float
    kicks: int
    snares: int
    silent: bool
    sample_rate: int
    hop_ms: float
    gain_db: float
    time_s: float
    hops: int
    no_source: bool
    recent_hop_ms: np.ndarray  # hop k's processing time at index k % RECENT_HOPS

    def hop_times_since(self, seen_hops: int) -> list[float]:
        """Processing times (ms) of the hops after `seen_hops`, at most RECENT_HOPS."""
        first = max(seen_hops + 1, self.hops - RECENT_HOPS + 1, 1)
        return [float(self.recent_hop_ms[k % RECENT_HOPS]) for k in range(first, self.hops + 1)]


def pack(frame: SpectrumFrame, out: np.ndarray, layout: BlockLayout, *, sample_rate: int,
         hops: int, no_source: bool = False) -> None:
    """Writes `frame` (hop number `hops`, counting from 1) into `out` (layout.count
    float32). The recent-hop ring in `out` is kept: the worker packs into one array."""
    out[: layout.bands] = frame.bands
    out[layout.waveform_start: layout.scalars_start] = frame.waveform
    s = layout.scalars_start
    out[s: s + len(SCALARS)] = (
        frame.peak_hz, frame.level_db, frame.kicks, frame.snares, float(frame.silent),
        sample_rate, frame.hop_ms, frame.gain_db, frame.time_s, hops, float(no_source))
    out[layout.recent_start + hops % RECENT_HOPS] = frame.hop_ms


def unpack(values: np.ndarray, layout: BlockLayout) -> AudioBlock:
    s = layout.scalars_start
    scalars = dict(zip(SCALARS, (float(v) for v in values[s: s + len(SCALARS)])))
    return AudioBlock(
        bands=values[: layout.bands], waveform=values[layout.waveform_start: s],
        peak_hz=scalars["peak_hz"], level_db=scalars["level_db"],
        kicks=int(scalars["kicks"]), snares=int(scalars["snares"]),
        silent=scalars["silent"] > 0.5, sample_rate=int(scalars["sample_rate"]),
        hop_ms=scalars["hop_ms"], gain_db=scalars["gain_db"], time_s=scalars["time_s"],
        hops=int(scalars["hops"]), no_source=scalars["no_source"] > 0.5,
        recent_hop_ms=values[layout.recent_start: layout.count])
