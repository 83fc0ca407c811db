"""The audio visualizer as the show draws it: once a frame, the newest published audio
value is copied out of shared memory (a seqlock read, never a wait), handed to the
visualizer's animation, and drawn over the photos. It also keeps the figures `slideshow
bench` reports: how old the bins were when drawn, and the worker's time per hop.

`latency_ms` delays the picture to match speakers that play late (Bluetooth, a TV): the
last values are kept in a small preallocated ring with their publish times, and the one
drawn is the newest that is at least that old.

The visualizer's mode names (`VISUALIZER_MODES`) are declared here too, on the GL-free side,
for config.py and the CLI; gpu/visualizer.py draws them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from slideshow.audio.block import AudioBlock, BlockLayout, unpack

HISTORY = 128  # values kept for the latency delay

#: The visualizer's modes, one fragment shader each under shaders/visualizer/ (drawn by
#: gpu/visualizer.py). They live here, on the GL-free side, so that config.py and the CLI
#: can offer them without loading moderngl.
VISUALIZER_MODES = ("bars", "scope", "waves")
VISUALIZER_OFF = "off"  # draws nothing; the animation (and the audio) keep running
#: The order the show's v key steps through; also the values `visualizer.mode` allows.
VISUALIZER_MODE_CYCLE = (*VISUALIZER_MODES, VISUALIZER_OFF)


class AudioValues(Protocol):
    """What the overlay reads from: `AudioService`."""

    layout: BlockLayout
    source_label: str | None

    def latest(self, out: np.ndarray) -> tuple[int, float] | None: ...


class Drawer(Protocol):
    def update(self, values: object, dt_s: float) -> None: ...
    def draw(self) -> None: ...


class AudioOverlay:
    def __init__(self, audio: AudioValues, visualizer: Drawer, capacity_frames: int = 36000,
                 latency_ms: float = 0.0, now: Callable[[], float] = time.monotonic) -> None:
        self._audio = audio
        self._visualizer = visualizer
        self._buffer = audio.layout.empty()
        self._shown = audio.layout.empty()
        self._latency_s = latency_ms / 1000.0
        self._now = now
        # Delay line (only with a latency): one value a frame at most, so 1 s at 120 Hz fits.
        self._history = np.zeros((HISTORY if latency_ms > 0 else 0, audio.layout.count), np.float32)
        self._history_s = np.full(len(self._history), -np.inf)
        self._history_head = 0
        self._shown_index = -1
        self._block: AudioBlock | None = None
        self._sequence = -1
        self._seen_hops = 0
        # Preallocated: the frame path appends two floats, never a list.
        self._ages_ms = np.zeros(capacity_frames)
        self._hop_ms = np.zeros(capacity_frames)
        self._frames = 0
        self._hops = 0
        #: The age of the newest value when it was last taken, in ms (None before any).
        self.age_ms: float | None = None

    def drain(self) -> None:
        """Takes the newest published value, if a new one came (a copy of ~1.5 KB)."""
        got = self._audio.latest(self._buffer)
        if got is None:
            return
        sequence, age_s = got
        self.age_ms = age_s * 1e3
        if self._frames < len(self._ages_ms):
            self._ages_ms[self._frames] = age_s * 1e3
            self._frames += 1
        if sequence != self._sequence:
            self._sequence = sequence
            self._count_hops(unpack(self._buffer, self._audio.layout))
            if self._latency_s > 0:
                self._remember(age_s)
            else:
                # Its own copy: the read buffer is rewritten every frame, and a read the
                # writer lapped may leave it torn (then the previous value stays shown).
                np.copyto(self._shown, self._buffer)
                self._block = unpack(self._shown, self._audio.layout)
        if self._latency_s > 0:
            self._pick_delayed()

    def _count_hops(self, block: AudioBlock) -> None:
        for hop_ms in block.hop_times_since(self._seen_hops):
            if self._hops < len(self._hop_ms):
                self._hop_ms[self._hops] = hop_ms
                self._hops += 1
        self._seen_hops = block.hops

    def _remember(self, age_s: float) -> None:
        head = (self._history_head + 1) % len(self._history)
        self._history[head] = self._buffer
        self._history_s[head] = self._now() - age_s
        self._history_head = head

    def _pick_delayed(self) -> None:
        """Shows the newest remembered value published at least `latency` ago."""
        due_s = self._now() - self._latency_s
        for back in range(len(self._history)):
            index = (self._history_head - back) % len(self._history)
            if self._history_s[index] <= due_s:
                if index != self._shown_index and np.isfinite(self._history_s[index]):
                    self._shown_index = index
                    self._block = unpack(self._history[index], self._audio.layout)
                return

    @property
    def kicks(self) -> int:
        """Kicks counted in the value drawn: a change is a kick (for audio-reactive motion)."""
        return int(self._block.kicks) if self._block is not None else 0

    @property
    def beat(self) -> float:
        """0..1: the kick glow, 1 at a kick and decaying (the visualizer's pulse)."""
        return float(getattr(self._visualizer, "pulse", 0.0))

    @property
    def bass(self) -> float:
        """0..1: the energy of the lowest third of the bands drawn."""
        energy = getattr(self._visualizer, "energy", None)
        return float(energy[0]) if energy else 0.0

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
