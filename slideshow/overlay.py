"""The audio visualizer as the show draws it: once a frame, the newest published audio
value is copied out of shared memory (a seqlock read, never a wait), handed to the
visualizer's animation, and drawn over the photos. It also keeps the figures `slideshow
bench` reports: how old the bins were when drawn, and the worker's time per hop.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from slideshow.audio.block import AudioBlock, BlockLayout, unpack


class AudioValues(Protocol):
    """What the overlay reads from: `AudioService`."""

    layout: BlockLayout
    source_label: str | None

    def latest(self, out: np.ndarray) -> tuple[int, float] | None: ...


class Drawer(Protocol):
    def update(self, values: object, dt_s: float) -> None: ...
    def draw(self) -> None: ...


class AudioOverlay:
    def __init__(self, audio: AudioValues, visualizer: Drawer, capacity_frames: int = 36000) -> None:
        self._audio = audio
        self._visualizer = visualizer
        self._buffer = audio.layout.empty()
        self._block: AudioBlock | None = None
        self._sequence = -1
        self._seen_hops = 0
        # Preallocated: the frame path appends two floats, never a list.
        self._ages_ms = np.zeros(capacity_frames)
        self._hop_ms = np.zeros(capacity_frames)
        self._frames = 0
        self._hops = 0

    def drain(self) -> None:
        """Takes the newest published value, if a new one came (a copy of ~1.5 KB)."""
        got = self._audio.latest(self._buffer)
        if got is None:
            return
        sequence, age_s = got
        if self._frames < len(self._ages_ms):
            self._ages_ms[self._frames] = age_s * 1e3
            self._frames += 1
        if sequence == self._sequence:
            return
        self._sequence = sequence
        self._block = unpack(self._buffer, self._audio.layout)
        for hop_ms in self._block.hop_times_since(self._seen_hops):
            if self._hops < len(self._hop_ms):
                self._hop_ms[self._hops] = hop_ms
                self._hops += 1
        self._seen_hops = self._block.hops

    def step(self, dt_s: float) -> None:
        self._visualizer.update(self._block, dt_s)

    def draw(self) -> None:
        self._visualizer.draw()

    def summary(self) -> dict:
        """The audio figures of a run: source, hop processing time, age of the bins drawn."""
        def percentiles(values: np.ndarray, names: tuple[str, ...], qs: tuple[float, ...]) -> dict:
            if not len(values):
                return {name: None for name in names}
            return {name: round(float(v), 3) for name, v in zip(names, np.percentile(values, qs))}

        hop = percentiles(self._hop_ms[:self._hops], ("median", "p99"), (50, 99))
        age = percentiles(self._ages_ms[:self._frames], ("p50", "p99", "max"), (50, 99, 100))
        return {"source": self._audio.source_label, "hops": self._hops, "hop_ms": hop, "age_ms": age}
