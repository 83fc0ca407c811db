"""The FFT worker process: audio in, one `LatestValue` block of bands, waveform and beats out.

`run_audio_worker` is the spawned process's entry. It opens the chosen source, runs a
`Spectrum` on each hop and publishes the packed frame (block.py) with the monotonic time
of publication, which is system-wide, so a reader's age of the bins is `now - timestamp`.

It never blocks the publisher and never stops publishing:

- file, synthetic and tone sources are pulled one hop at a time on a fixed schedule, so
  they play in real time; a worker that fell far behind (a suspended machine) skips ahead
  instead of racing to catch up;
- capture delivers what the device gave since the last hop; when nothing came for
  `_STALL_S`, zeros stand in for the elapsed time, so the bars fall to an idle look;
- a source that cannot be opened (no PortAudio, no device, a busy device, a file that is
  not audio) or a device that stops delivering gives one warning over the pipe, and the
  worker goes on publishing silence; a stopped device is opened again every 2 s, so
  plugging it back (or a new default output) brings the bars back. A reopen that fails
  says so once (not at every retry), until one succeeds.

What PortAudio and ALSA print to stderr while a device is opened (a dozen lines per try
while PulseAudio is away) is caught (native_stderr.py) and its first line put in our own
warning; the worker's stderr never shows it.

Like the image workers it ignores SIGINT, dies with its parent (pipe EOF, and
PR_SET_PDEATHSIG on Linux) and runs at a lower priority (nice 10: below the render
threads, above the image decoders, since late bins show).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Protocol

import numpy as np

from slideshow.audio.block import BlockLayout, pack
from slideshow.audio.backends import open_capture
from slideshow.audio.capture import SourceSpec
from slideshow.audio.native_stderr import captured_stderr
from slideshow.audio.sources import (
    AudioSource,
    AudioSourceError,
    FileSource,
    SilenceSource,
    SyntheticSource,
    ToneSource,
)
from slideshow.audio.spectrum import FftBackend, Spectrum, SpectrumConfig
from slideshow.workers.latest import LatestValue
from slideshow.workers.processes import die_with_parent

HOP_S = 0.01  # one hop: how often bins are published (100 per second)
_STALL_S = 0.2  # capture silent this long: feed zeros (the device paused or is gone)
_GONE_S = 1.0  # an inactive stream silent this long is reported as gone, once
_REOPEN_S = 2.0  # then a new stream is tried this often
_BEHIND_S = 0.25  # a paced source this late skips ahead
_NICE = 10


def run_audio_worker(value_name: str, spec: SourceSpec, config: SpectrumConfig,
                     conn: Connection, fft_backend: FftBackend = "auto",
                     parent_pid: int | None = None, capture_backend: str = "auto") -> None:
    """Entry of the worker process; returns when told to stop (None on the pipe), when
    the pipe closes or when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lower_priority()
    if parent_pid is not None and not die_with_parent(parent_pid):
        return

    layout = BlockLayout.from_config(config)
    value = LatestValue.attach(value_name, layout.count)
    feed = None
    try:
        feed = _open_feed(spec, config, conn, capture_backend)
        _send(conn, ("source", feed.label, feed.sample_rate))
        _publish_loop(feed, value, layout, config, fft_backend, conn)
    finally:
        if feed is not None:
            feed.close()
        value.close()
        conn.close()


def _send(conn: Connection, message: tuple[Any, ...]) -> bool:
    try:
        conn.send(message)
        return True
    except OSError:
        return False


class _Feed(Protocol):
    """What the loop reads each hop: `chunk(now)` -> samples, or None for "nothing new"."""

    label: str
    sample_rate: int
    no_source: bool

    def chunk(self, now: float) -> np.ndarray | None: ...

    def close(self) -> None: ...


class _PulledFeed:
    """A generated or file source, one hop per call: the schedule paces it."""

    def __init__(self, source: AudioSource, no_source: bool = False) -> None:
        self.source, self.label, self.sample_rate = source, source.label, source.sample_rate
        self.no_source = no_source
        self.hop_frames = max(1, round(source.sample_rate * HOP_S))

    def chunk(self, now: float) -> np.ndarray | None:
        return self.source.read(self.hop_frames)

    def close(self) -> None:
        self.source.close()


class _CaptureFeed:
    """A live stream; zeros once it stalls. A stream that stopped (its device unplugged, the
    sound server gone) is opened again at once and then every `_REOPEN_S`, on the device
    the source spec chooses now (auto follows the current default output). One line per
    outage: a warning when the first reopen fails (why, and the first line PortAudio
    printed), then nothing at each further retry; and one line when audio is back."""

    no_source = False

    def __init__(self, open_capture: Callable[[], Any], conn: Connection, now: float) -> None:
        self._open_capture = open_capture
        capture, error, said = _open_quietly(open_capture)
        if error is not None:
            name = error.path if isinstance(error, AudioSourceError) else "audio device"
            raise AudioSourceError(name, _reason(error) + _portaudio_said(said))
        self.capture: Any = capture
        self.label, self.sample_rate = capture.label, capture.sample_rate
        self._conn = conn
        self._zeros = np.zeros((max(1, round(self.sample_rate * HOP_S)), 1), dtype=np.float32)
        self._last_data = now
        self._retry_at = 0.0
        self._told = False  # this outage was reported; quiet until audio is back

    def chunk(self, now: float) -> np.ndarray | None:
        if self.capture is None:
            if now >= self._retry_at:
                self._reopen(now)
            return self._zeros
        frames = self.capture.take()
        if len(frames):
            self._last_data = now
            return frames
        quiet_s = now - self._last_data
        if quiet_s < _STALL_S:
            return None
        if quiet_s > _GONE_S and not self.capture.active:
            self.capture.close()
            self.capture = None
            self._told = False
            self._retry_at = now  # at once: a new default output may be there already
        return self._zeros

    def _reopen(self, now: float) -> None:
        self._retry_at = now + _REOPEN_S
        capture, error, said = _open_quietly(self._open_capture)
        if capture is not None and capture.sample_rate != self.sample_rate:
            # the spectrum is planned for one rate
            error = ValueError(f"it now runs at {capture.sample_rate} Hz, not "
                               f"{self.sample_rate} Hz")
            capture.close()
            capture = None
        if capture is None:
            if not self._told:  # once per outage, not per retry
                self._told = True
                _send(self._conn, ("warning", f"{self._device()} stopped delivering audio "
                                              f"(unplugged?) and cannot be opened again "
                                              f"({_reason(error)}{_portaudio_said(said)}); the "
                                              "visualizer stays silent, retrying every "
                                              f"{_REOPEN_S:g} s"))
            return
        self.capture, self.label = capture, capture.label
        self._last_data = now
        if self._told:
            _send(self._conn, ("info", f"audio device {self.label[7:]!r} delivers audio again"))
        else:  # opened again at the first try: the outage was a moment
            _send(self._conn, ("info", f"audio device {self.label[7:]!r} stopped delivering "
                                       "audio and was opened again"))

    def _device(self) -> str:
        name = self.label[7:]  # after "device:"
        return (f"the PulseAudio monitor {name[7:-1]!r}" if name.startswith("pulse (")
                else f"audio device {name!r}")

    def close(self) -> None:
        if self.capture is not None:
            self.capture.close()


def _reason(error: Exception | None) -> str:
    return error.reason if isinstance(error, AudioSourceError) else str(error)


def _open_quietly(open_capture: Callable[[], Any]) -> tuple[Any, Exception | None, list[str]]:
    """(capture, None, lines) or (None, the error, lines): `open_capture()` with what
    PortAudio printed to stderr meanwhile caught as `lines` instead of shown."""
    with captured_stderr() as said:
        try:
            capture = open_capture()
        except (AudioSourceError, ValueError) as exc:
            capture, error = None, exc
        else:
            error = None
    return capture, error, said


def _portaudio_said(said: list[str]) -> str:
    """`; PortAudio said: <its first line>`, or nothing when it printed nothing."""
    return f"; PortAudio said: {said[0][:200]}" if said else ""


def _open_feed(spec: SourceSpec, config: SpectrumConfig, conn: Connection,
               capture_backend: str = "auto") -> _Feed:
    try:
        if spec.kind == "off":
            return _PulledFeed(SilenceSource(config.sample_rate))
        if spec.kind == "synthetic":
            return _PulledFeed(SyntheticSource(config.sample_rate))
        if spec.kind == "tone":
            return _PulledFeed(ToneSource(float(spec.value), 0.5, config.sample_rate))
        if spec.kind == "file":
            return _PulledFeed(FileSource(spec.value, loop=True))
        hop_frames = max(1, round(config.sample_rate * HOP_S))
        return _CaptureFeed(lambda: open_capture(spec, capture_backend, hop_frames,
                                                 config.sample_rate), conn, time.monotonic())
    except (AudioSourceError, ValueError) as exc:
        _send(conn, ("warning", f"audio source {spec}: {exc}; the visualizer stays silent"))
        return _PulledFeed(SilenceSource(config.sample_rate), no_source=True)


def spectrum_config_for(config: SpectrumConfig, sample_rate: int) -> SpectrumConfig:
    """`config` at the source's sample rate, its top band cut to what that rate holds."""
    if sample_rate == config.sample_rate:
        return config
    high_hz = min(config.high_hz, 0.45 * sample_rate)
    return dataclasses.replace(config, sample_rate=sample_rate, high_hz=high_hz)


def _publish_loop(feed: _Feed, value: Any, layout: BlockLayout, config: SpectrumConfig,
                  fft_backend: FftBackend, conn: Connection) -> None:
    spectrum = Spectrum(spectrum_config_for(config, feed.sample_rate), fft_backend)
    block = layout.empty()
    hops = 0
    due = time.monotonic()
    try:
        while True:
            due += HOP_S
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
                now = time.monotonic()
            elif now - due > _BEHIND_S:
                due = now  # skip ahead rather than race
            if conn.poll():
                try:
                    if conn.recv() is None:
                        return
                except (EOFError, OSError):
                    return
            samples = feed.chunk(now)
            if samples is None:
                continue
            if len(samples) == 0:  # a finite source ended: silence from now on
                samples = np.zeros((round(feed.sample_rate * HOP_S), 1), dtype=np.float32)
            frame = spectrum.process(samples)
            hops += 1
            pack(frame, block, layout, sample_rate=feed.sample_rate, hops=hops,
                 no_source=feed.no_source)
            value.write(block, time.monotonic())
    finally:
        spectrum.close()


def _lower_priority() -> None:
    try:
        current = os.nice(0)
        if current < _NICE:
            os.nice(_NICE - current)
    except (OSError, AttributeError):
        pass
