"""Sources of audio samples that need no device: a synthetic beat with chords, a tone,
silence and audio files. They make demos and tests deterministic and stand in for capture.

Every source has one small interface, `AudioSource`: `sample_rate`, `channels`, `label` (for
logs and `listen --json`), `read(frames)` and `close()`. `read` returns float32 samples in
-1..1 shaped (frames, channels), the shape a sounddevice input callback gets, so the FFT
worker handles capture and these the same way.

Sources are pulled, not paced: `read` returns at once however fast it is called. A worker
that wants real time (a demo from a file) paces its reads by the sample rate itself.

Endings: the synthetic source, tones and silence never end. A `FileSource` returns fewer
frames than asked at the end of the file and empty arrays after that, or, with
`loop=True`, starts again from the beginning and never ends.

Files are sniffed by their first bytes, not their names: WAV through the standard library's
`wave` (plain PCM, 8/16/24/32-bit, any channel count; not float WAV and, before Python 3.12,
not WAVE_FORMAT_EXTENSIBLE), FLAC only through the soundfile package when it is installed
(it is not a dependency). Anything else raises `AudioSourceError` naming the file.
"""

from __future__ import annotations

import math
import os
import wave
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from slideshow.errors import SlideshowError


class AudioSourceError(SlideshowError):
    """An audio file (or device) that cannot be used; the message names it and says why."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class AudioSource(ABC):
    """Float32 samples in -1..1, shaped (frames, channels), pulled with `read`."""

    sample_rate: int
    channels: int

    @property
    @abstractmethod
    def label(self) -> str:
        """A short description for logs and summaries (`synthetic`, `file:PATH`...)."""

    @abstractmethod
    def read(self, frames: int) -> np.ndarray:
        """The next `frames` frames; fewer only where a finite source ends (empty: ended)."""

    def close(self) -> None:
        """Releases what the source holds; the generated sources hold nothing."""

    def __enter__(self) -> "AudioSource":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _LoopSource(AudioSource):
    """Plays a precomputed mono loop forever."""

    def __init__(self, loop: np.ndarray, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.channels = 1
        self._loop = loop.astype(np.float32)
        self._position = 0

    def read(self, frames: int) -> np.ndarray:
        indices = (self._position + np.arange(frames)) % len(self._loop)
        self._position = (self._position + frames) % len(self._loop)
        return self._loop[indices].reshape(frames, 1)


class SyntheticSource(_LoopSource):
    """A drum beat with chords, looping every 8 s: a deterministic stand-in for music.

    A kick every `BEAT_S` (0.5 s, 120 bpm) at 0, 0.5, 1.0 s...: a 55 Hz sine decaying with a
    150 ms time constant, with a short 700 Hz click for the beater. A snare on every
    off-beat (0.25, 0.75 s...): white noise band-passed to 1.5-7 kHz, decaying in 40 ms, a
    fresh noise each hit (drawn from `seed`). Under them a triad (C, Am, F, G in the
    fourth octave, each note with a weaker octave) changes every 2 s with 20 ms fades. The
    mix peaks at -2 dBFS with an RMS around -15 dBFS: the level of mastered music.
    """

    BEAT_S = 0.5  # kick to kick
    CHORD_S = 2.0  # one chord
    LOOP_S = 8.0  # four chords
    _CHORDS_HZ = ((261.63, 329.63, 392.00), (220.00, 261.63, 329.63),
                  (174.61, 220.00, 261.63), (196.00, 246.94, 293.66))

    def __init__(self, sample_rate: int = 48000, seed: int = 0) -> None:
        self.seed = seed
        super().__init__(self._render_loop(sample_rate, seed), sample_rate)

    @property
    def label(self) -> str:
        return "synthetic"

    @classmethod
    def _render_loop(cls, sample_rate: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        length = int(round(cls.LOOP_S * sample_rate))
        mix = np.zeros(length, dtype=np.float64)
        t = np.arange(length) / sample_rate

        kick_t = np.arange(int(0.6 * sample_rate)) / sample_rate
        kick = 0.9 * np.sin(2 * np.pi * 55.0 * kick_t) * np.exp(-kick_t / 0.15)
        click = int(0.003 * sample_rate)
        kick[:click] += 0.25 * np.sin(2 * np.pi * 700.0 * kick_t[:click]) * np.hanning(click)
        snare_n = int(0.25 * sample_rate)
        snare_t = np.arange(snare_n) / sample_rate
        freqs_hz = np.fft.rfftfreq(snare_n, 1.0 / sample_rate)
        passband = ((freqs_hz > 1500.0) & (freqs_hz < 7000.0)).astype(np.float64)

        beats = int(round(cls.LOOP_S / cls.BEAT_S))
        for beat in range(beats):
            _add_wrapped(mix, kick, int(round(beat * cls.BEAT_S * sample_rate)))
            noise = np.fft.irfft(np.fft.rfft(rng.standard_normal(snare_n)) * passband, snare_n)
            snare = 0.5 * noise / np.abs(noise).max() * np.exp(-snare_t / 0.04)
            _add_wrapped(mix, snare, int(round((beat + 0.5) * cls.BEAT_S * sample_rate)))

        chord_n = int(round(cls.CHORD_S * sample_rate))
        fade = np.clip(np.minimum(np.arange(chord_n), chord_n - 1 - np.arange(chord_n))
                       / (0.02 * sample_rate), 0.0, 1.0)
        for index, chord_hz in enumerate(cls._CHORDS_HZ):
            part = slice(index * chord_n, (index + 1) * chord_n)
            for note_hz in chord_hz:
                tone = np.sin(2 * np.pi * note_hz * t[part]) + 0.3 * np.sin(4 * np.pi * note_hz * t[part])
                mix[part] += 0.06 * tone * fade
        return (mix * (0.8 / np.abs(mix).max())).astype(np.float32)  # peak at -2 dBFS


def _add_wrapped(mix: np.ndarray, sound: np.ndarray, start: int) -> None:
    """Adds `sound` at `start`, wrapping its tail to the loop's beginning."""
    indices = (start + np.arange(len(sound))) % len(mix)
    np.add.at(mix, indices, sound)


class ToneSource(AudioSource):
    """A sine of `freq_hz` at `amplitude` (1.0 is full scale), phase-continuous across reads."""

    def __init__(self, freq_hz: float, amplitude: float = 0.5, sample_rate: int = 48000) -> None:
        if not 0 < freq_hz < sample_rate / 2:
            raise ValueError(f"freq_hz must be between 0 and {sample_rate / 2}, got {freq_hz}")
        self.freq_hz = float(freq_hz)
        self.amplitude = float(amplitude)
        self.sample_rate = sample_rate
        self.channels = 1
        self._position = 0

    @property
    def label(self) -> str:
        return f"tone {self.freq_hz:g} Hz"

    def read(self, frames: int) -> np.ndarray:
        # Phase from the integer sample count, reduced per cycle: no drift over hours.
        n = self._position + np.arange(frames, dtype=np.int64)
        cycles = (n * self.freq_hz / self.sample_rate) % 1.0
        self._position += frames
        return (self.amplitude * np.sin(2.0 * math.pi * cycles)).astype(np.float32).reshape(-1, 1)


class SilenceSource(AudioSource):
    """Zeros forever: what the worker reads when there is no device."""

    def __init__(self, sample_rate: int = 48000, channels: int = 1) -> None:
        self.sample_rate = sample_rate
        self.channels = channels

    @property
    def label(self) -> str:
        return "silence"

    def read(self, frames: int) -> np.ndarray:
        return np.zeros((frames, self.channels), dtype=np.float32)


class FileSource(AudioSource):
    """A WAV (or, with soundfile installed, FLAC) file, at the file's own sample rate."""

    def __init__(self, path: str | os.PathLike[str], loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        kind = _sniff(self.path)
        self._reader: _WavReader | _SoundFileReader = (
            _SoundFileReader(self.path) if kind == "flac" else _WavReader(self.path))
        self.sample_rate = self._reader.sample_rate
        self.channels = self._reader.channels

    @property
    def label(self) -> str:
        return f"file:{self.path}"

    def read(self, frames: int) -> np.ndarray:
        chunk = self._reader.read(frames)
        if len(chunk) == frames or not self.loop:
            return chunk
        parts = [chunk]
        got = len(chunk)
        while got < frames:
            self._reader.rewind()
            part = self._reader.read(frames - got)
            if len(part) == 0:
                break  # an empty file: nothing to loop
            parts.append(part)
            got += len(part)
        return np.concatenate(parts)

    def close(self) -> None:
        self._reader.close()


def _sniff(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            head = file.read(12)
    except FileNotFoundError:
        raise AudioSourceError(path, "no such file") from None
    except OSError as exc:
        raise AudioSourceError(path, f"cannot be read ({exc.strerror or exc})") from None
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if not head:
        raise AudioSourceError(path, "is empty, not audio")
    raise AudioSourceError(path, "is not audio: neither a WAV (RIFF/WAVE) nor a FLAC (fLaC) "
                                 "header at its start")


class _WavReader:
    """PCM WAV through the standard library's `wave`, decoded to float32 with numpy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._wav = wave.open(str(path), "rb")
        except wave.Error as exc:
            reason = str(exc)
            if "unknown format" in reason:
                reason = (f"{reason}: only plain PCM WAV is read (not float WAV, and "
                          f"WAVE_FORMAT_EXTENSIBLE only on Python 3.12+); save it as 16- or "
                          f"24-bit PCM")
            raise AudioSourceError(path, f"not a readable WAV file ({reason})") from None
        except (EOFError, OSError) as exc:
            raise AudioSourceError(path, f"not a readable WAV file ({exc or 'truncated'})") from None
        self.sample_rate = self._wav.getframerate()
        self.channels = self._wav.getnchannels()
        self._width = self._wav.getsampwidth()
        if self._width not in (1, 2, 3, 4) or self.channels < 1 or self.sample_rate < 1:
            self._wav.close()
            raise AudioSourceError(path, f"unsupported WAV: {self._width * 8}-bit, "
                                         f"{self.channels} channels, {self.sample_rate} Hz")

    def read(self, frames: int) -> np.ndarray:
        try:
            data = self._wav.readframes(frames)
        except (wave.Error, EOFError, OSError) as exc:
            raise AudioSourceError(self.path, f"reading failed ({exc})") from None
        usable = len(data) - len(data) % (self._width * self.channels)  # drop a torn frame
        return pcm_to_float(data[:usable], self._width).reshape(-1, self.channels)

    def rewind(self) -> None:
        self._wav.rewind()

    def close(self) -> None:
        self._wav.close()


def pcm_to_float(data: bytes, width: int) -> np.ndarray:
    """Little-endian PCM of `width` bytes a sample (8-bit unsigned, others signed) to
    float32 in -1..1 (full scale is 2^(bits-1), so the most negative value is -1.0)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if width == 1:
        return ((raw.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if width == 2:
        return (np.frombuffer(data, dtype="<i2") / 32768.0).astype(np.float32)
    if width == 3:
        # Three bytes into the top of an int32 (low byte zero): the sign comes along.
        padded = np.zeros((len(raw) // 3, 4), dtype=np.uint8)
        padded[:, 1:] = raw.reshape(-1, 3)
        return (padded.view("<i4").ravel() / 2147483648.0).astype(np.float32)
    if width == 4:
        return (np.frombuffer(data, dtype="<i4") / 2147483648.0).astype(np.float32)
    raise ValueError(f"PCM sample width must be 1..4 bytes, got {width}")


class _SoundFileReader:
    """FLAC through soundfile (libsndfile), only when that package is installed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            import soundfile  # optional: only FLAC needs it, and says so when it is missing
        except ImportError:
            raise AudioSourceError(path, "FLAC needs the soundfile package (pip install "
                                         "soundfile), which is not installed; WAV works "
                                         "without it") from None
        try:
            self._file = soundfile.SoundFile(str(path))
        except (RuntimeError, OSError) as exc:
            raise AudioSourceError(path, f"not a readable FLAC file ({exc})") from None
        self.sample_rate = int(self._file.samplerate)
        self.channels = int(self._file.channels)

    def read(self, frames: int) -> np.ndarray:
        return self._file.read(frames, dtype="float32", always_2d=True)

    def rewind(self) -> None:
        self._file.seek(0)

    def close(self) -> None:
        self._file.close()
