"""The spectrum core: audio samples in, visualizer bars, a waveform and beat events out.

A pure library in CAVA's shape, three calls: construct a `Spectrum` (init: plans the FFTs
and preallocates every buffer), `process(samples)` once per hop (execute: returns a
`SpectrumFrame`), `close()` (destroy). No capture, no processes, no GL: the FFT worker
process feeds it samples and publishes its frames; tests feed it sine blueprints.

What one `process` call does, in order:

1. Mixes the chunk to mono into a ring holding the newest `bass_fft_size` samples, so
   chunks of any length work and the analysis windows always end at the newest sample.
2. Runs two real FFTs over Hann-windowed copies of the ring's tail: `fft_size` samples
   (4096 at 48 kHz: 85 ms, 11.7 Hz bins) for most bands, and `bass_fft_size` samples
   (16384: 341 ms, 2.9 Hz bins) for the bands below `bass_cutoff_hz`. The trade-off is
   CAVA's dual FFT: bass bands are a few Hz wide and need fine bins, treble needs to
   follow fast notes. Both are planned once (pyfftw, FFTW_ESTIMATE: planning a 16384 rfft
   with FFTW_MEASURE costs more than a hundred hops) into aligned arrays; numpy.fft
   stands in when pyfftw is missing.
3. Sums the power of the bins in each log-spaced band (summed power: pink noise, equal
   energy per octave, gives equal bands), in dBFS where a full-scale sine is 0 dB, and
   adds a tilt of `tilt_db_per_octave` around 1 kHz (see SpectrumConfig).
4. Auto-sensitivity: `top_db`, the level drawn as a full bar, follows the loudest band up
   quickly and falls slowly, so loud music does not clip and quiet music fills the bars.
   While the input is below the noise floor it is held: silence never drifts the gain,
   and the first loud hop after a pause is drawn at the gain the music had before it.
5. Maps each band to 0..1 over the `range_db` below the top (never below the noise
   floor), then smooths: an integral (exponential) filter, then gravity (a fallen-from
   peak drops with constant acceleration). Both take the real elapsed time of the hop, so
   bars move the same at any hop size.
6. Beat events (kick, snare) from spectral flux, see `beats.py`.

Time is audio time: `dt_s` defaults to the chunk's length over the sample rate, which for a
live stream is the real elapsed time without the jitter of a wall clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

from slideshow.audio.beats import OnsetDetector

FftBackend = Literal["auto", "pyfftw", "numpy"]

_TILT_PIVOT_HZ = 1000.0  # the tilt leaves this frequency unchanged
_KICK_HZ = (40.0, 120.0)  # kick drum fundamentals
_SNARE_HZ = (2000.0, 8000.0)  # snare rattle and claps (hi-hats land here too)
_SILENT_LEVEL_DB = -120.0  # level reported for digital silence instead of -inf
_INVISIBLE = 1e-4  # bar height, 0..1, below which a smoothed bar is 0
_SEARCH_DB_PER_S = 40.0  # auto-sensitivity's release until the music first reaches the top
_BEAT_FLOOR_DB = 60.0  # per-bin levels this far below the top count as the floor for beats


def _param(default: Any, help: str, **allowed: Any) -> Any:
    """A parameter declared the way config.py declares settings (help, min, max)."""
    return field(default=default, metadata={"help": help, **allowed})


@dataclass(frozen=True)
class SpectrumConfig:
    """Every parameter of the spectrum core, with its allowed range (checked on creation)."""

    sample_rate: int = _param(
        48000, "samples per second of the input; capture gives 44100 or 48000",
        min=8000, max=192000)
    bands: int = _param(64, "bars drawn", min=8, max=256)
    low_hz: float = _param(50.0, "lower edge of the first band", min=20.0, max=1000.0)
    high_hz: float = _param(
        10000.0, "upper edge of the last band; at most half the sample rate",
        min=200.0, max=96000.0)
    fft_size: int = _param(
        4096, "samples in the main FFT (a power of two): longer resolves finer, reacts later",
        min=1024, max=16384)
    bass_fft_size: int = _param(
        16384, "samples in the bass FFT (a power of two, at least fft_size; equal turns it off)",
        min=1024, max=65536)
    bass_cutoff_hz: float = _param(
        200.0, "bands whose upper edge is at or below this use the bass FFT", min=0.0, max=1000.0)
    tilt_db_per_octave: float = _param(
        3.0, "treble boost in dB per octave around 1 kHz: summed bands already show pink "
        "noise flat, and music falls 3-6 dB/octave faster than pink, so 3 lifts hi-hats "
        "and vocals into view while bass, the loudest part of most mixes, is cut gently",
        min=0.0, max=6.0)
    noise_floor_db: float = _param(
        -90.0, "dBFS: input quieter than this (RMS) is silence, and a band quieter is 0",
        min=-120.0, max=-30.0)
    range_db: float = _param(
        45.0, "dynamic range drawn: a band this far below the top is an empty bar",
        min=10.0, max=100.0)
    autosens: bool = _param(True, "adapt the top of the scale to the music's loudness")
    top_db: float = _param(
        -20.0, "dBFS per band drawn as a full bar, at start (with autosens) or always",
        min=-100.0, max=0.0)
    min_top_db: float = _param(
        -60.0, "the most sensitive autosens gets: the top never sinks below this, so hiss "
        "just above the noise floor never fills the bars", min=-100.0, max=0.0)
    autosens_attack_s: float = _param(
        0.05, "time constant of the top rising to a louder band (0: at once)", min=0.0, max=2.0)
    autosens_release_db_per_s: float = _param(
        4.0, "how fast the top falls while the music is quieter than it", min=0.1, max=60.0)
    integral_s: float = _param(
        0.04, "time constant of the bars' exponential smoothing (0: off)", min=0.0, max=1.0)
    gravity_per_s2: float = _param(
        6.0, "bar heights per second^2 a fallen-from peak drops with (a full bar empties in "
        "sqrt(2 / gravity) s; 0: off, bars follow the smoothing)", min=0.0, max=200.0)
    beat_threshold_std: float = _param(
        1.5, "standard deviations above its running mean the flux needs for a beat",
        min=0.0, max=10.0)
    beat_refractory_s: float = _param(
        0.15, "shortest time between two beats of one kind", min=0.02, max=2.0)
    waveform_points: int = _param(
        256, "points in the waveform, averaged down from the newest fft_size / 2 samples",
        min=16, max=1024)

    def __post_init__(self) -> None:
        for f in fields(self):
            value, low, high = getattr(self, f.name), f.metadata.get("min"), f.metadata.get("max")
            if low is not None and not low <= value <= high:
                raise ValueError(f"spectrum {f.name} must be {low}..{high}, got {value!r}")
        for name in ("fft_size", "bass_fft_size"):
            size = getattr(self, name)
            if size & (size - 1):
                raise ValueError(f"spectrum {name} must be a power of two, got {size}")
        if self.bass_fft_size < self.fft_size:
            raise ValueError(f"spectrum bass_fft_size ({self.bass_fft_size}) must be at least "
                             f"fft_size ({self.fft_size})")
        if not self.low_hz * 2 <= self.high_hz <= self.sample_rate / 2:
            raise ValueError(
                f"spectrum high_hz must be at least 2 x low_hz ({2 * self.low_hz}) and at most "
                f"half the sample rate ({self.sample_rate / 2}), got {self.high_hz}")
        if self.min_top_db - self.noise_floor_db < 10.0:
            raise ValueError(f"spectrum min_top_db ({self.min_top_db}) must be at least 10 dB "
                             f"above noise_floor_db ({self.noise_floor_db})")
        if self.waveform_points > self.fft_size // 2:
            raise ValueError(f"spectrum waveform_points must be at most fft_size / 2 "
                             f"({self.fft_size // 2}), got {self.waveform_points}")


@dataclass(frozen=True, slots=True)
class SpectrumFrame:
    """What one hop of audio looks like. Arrays are read-only copies, safe to keep."""

    bands: np.ndarray  # float32, one per band, 0..1 after sensitivity and smoothing
    band_hz: np.ndarray  # float32, centre (geometric mean of the edges) of each band, Hz
    peak_hz: float  # centre of the strongest band this hop, 0.0 when silent
    waveform: np.ndarray  # float32, -1..1, the newest fft_size / 2 samples averaged down
    kick: bool  # a kick (bass onset) in this hop
    snare: bool  # a snare (mid/high onset) in this hop
    kicks: int  # kicks since the Spectrum was made
    snares: int  # snares since the Spectrum was made
    level_db: float  # RMS of the newest fft_size / 4 samples, dBFS (-120: digital silence)
    silent: bool  # level_db below the noise floor: bands fall to 0, the gain is held
    gain_db: float  # auto-sensitivity: minus the dBFS drawn as a full bar
    time_s: float  # audio time at the end of this hop, since the Spectrum was made
    hop_ms: float  # processing time of this call, ms


def log_band_edges(low_hz: float, high_hz: float, bands: int) -> np.ndarray:
    """`bands + 1` edges, equal ratios from `low_hz` to `high_hz` (float64, Hz)."""
    return low_hz * (high_hz / low_hz) ** (np.arange(bands + 1) / bands)


class _RealFFT:
    """One planned real FFT: write `input`, call `execute`, read the returned spectrum."""

    def __init__(self, size: int, backend: FftBackend) -> None:
        self.backend = backend
        if backend == "pyfftw":
            import pyfftw  # optional: "auto" falls back to numpy's FFT without it

            # Aligned arrays let FFTW use SIMD; the plan is bound to them for good.
            self.input = pyfftw.empty_aligned(size, dtype=np.float32)
            self.output = pyfftw.empty_aligned(size // 2 + 1, dtype=np.complex64)
            self._plan = pyfftw.FFTW(self.input, self.output,
                                     flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"), threads=1)
            self.execute = self._execute_fftw
        else:
            self.input = np.zeros(size, dtype=np.float32)
            self.output = np.zeros(size // 2 + 1, dtype=np.complex64)
            try:  # numpy >= 2 transforms float32 as float32 and writes into `out`
                np.fft.rfft(self.input, out=self.output)
                self.execute = self._execute_numpy_out
            except TypeError:  # numpy 1.x: float64 inside and a fresh array per call
                self.execute = self._execute_numpy_copy

    def _execute_fftw(self) -> np.ndarray:
        self._plan.execute()
        return self.output

    def _execute_numpy_out(self) -> np.ndarray:
        return np.fft.rfft(self.input, out=self.output)

    def _execute_numpy_copy(self) -> np.ndarray:
        self.output[:] = np.fft.rfft(self.input)
        return self.output


def _choose_backend(backend: FftBackend) -> FftBackend:
    if backend not in ("auto", "pyfftw", "numpy"):
        raise ValueError(f"fft backend must be auto, pyfftw or numpy, got {backend!r}")
    if backend == "numpy":
        return backend
    try:
        import pyfftw  # noqa: F401
    except ImportError:
        if backend == "pyfftw":
            raise ValueError("fft backend pyfftw was asked for, but pyfftw is not installed "
                             "(pip install pyfftw); 'auto' falls back to numpy.fft") from None
        return "numpy"
    return "pyfftw"


class _BandMap:
    """How much of each FFT bin's power goes to each band: a band x bin matrix, one dot.

    A bin stands for the frequencies within half a bin of its centre, and gives each band
    the share of that span the band overlaps. So a tone just above a band edge counts in
    the band it is in, not in the neighbour holding the nearer bin centre, every bin's
    power is counted once, and a band narrower than a bin still gets its share of the bin
    under it: no band is ever empty.
    """

    def __init__(self, edges_hz: np.ndarray, bin_hz: float) -> None:
        self.bins = int(edges_hz[-1] / bin_hz) + 2
        centres_hz = np.arange(self.bins) * bin_hz
        low_hz = np.maximum(centres_hz - bin_hz / 2, edges_hz[:-1, None])
        high_hz = np.minimum(centres_hz + bin_hz / 2, edges_hz[1:, None])
        self.matrix = (np.clip(high_hz - low_hz, 0.0, None) / bin_hz).astype(np.float32)
        self.power = np.zeros(len(edges_hz) - 1, dtype=np.float32)  # per band, refilled per hop


class Spectrum:
    """Bars, waveform and beats from a stream of audio chunks. See the module docstring."""

    def __init__(self, config: SpectrumConfig = SpectrumConfig(),
                 fft_backend: FftBackend = "auto") -> None:
        self.config = config
        self.fft_backend = _choose_backend(fft_backend)
        c = config
        self.band_edges_hz = log_band_edges(c.low_hz, c.high_hz, c.bands)
        self.band_edges_hz.flags.writeable = False
        centres = np.sqrt(self.band_edges_hz[:-1] * self.band_edges_hz[1:]).astype(np.float32)
        centres.flags.writeable = False
        self.band_hz = centres
        # Bands split between the two FFTs: the first `_bass_bands` use the bass one.
        use_bass = c.bass_fft_size > c.fft_size
        self._bass_bands = int(np.count_nonzero(self.band_edges_hz[1:] <= c.bass_cutoff_hz)) \
            if use_bass else 0
        self._main = _RealFFT(c.fft_size, self.fft_backend)
        self._main_window = _hann(c.fft_size)
        self._main_map = _BandMap(self.band_edges_hz[self._bass_bands:], c.sample_rate / c.fft_size)
        # Bin magnitudes are scaled so a full-scale sine's peak bin is 1.0 (the beats read
        # them); the band powers summed from them are scaled back to Parseval's units.
        self._peak_scale = np.float32(2.0 / self._main_window.sum())
        self._main_scale = np.float32(_power_scale(self._main_window) / self._peak_scale ** 2)
        self._bass = _RealFFT(c.bass_fft_size, self.fft_backend) if self._bass_bands else None
        if self._bass is not None:
            self._bass_window = _hann(c.bass_fft_size)
            self._bass_map = _BandMap(self.band_edges_hz[: self._bass_bands + 1],
                                      c.sample_rate / c.bass_fft_size)
            self._bass_scale = np.float32(_power_scale(self._bass_window))
        # Tilt in dB per band, relative to the pivot.
        self._tilt_db = (c.tilt_db_per_octave * np.log2(centres / _TILT_PIVOT_HZ)).astype(np.float32)

        # Input ring: the newest samples, long enough for the longer FFT.
        self._ring = np.zeros(c.bass_fft_size, dtype=np.float32)
        self._head = 0  # index the next sample goes to
        # Per-hop buffers, reused.
        self._magnitude = np.zeros(c.fft_size // 2 + 1, dtype=np.float32)  # peak-scaled
        self._main_power = np.zeros(self._main_map.bins, dtype=np.float32)
        self._bass_power = np.zeros(c.bass_fft_size // 2 + 1, dtype=np.float32)
        self._band_db = np.zeros(c.bands, dtype=np.float32)
        self._target = np.zeros(c.bands, dtype=np.float32)  # 0..1 before smoothing
        self._smooth = np.zeros(c.bands, dtype=np.float32)  # after the integral filter
        self._bars = np.zeros(c.bands, dtype=np.float32)  # after gravity: what is drawn
        self._peak = np.zeros(c.bands, dtype=np.float32)  # height each bar last fell from
        self._fall_s = np.zeros(c.bands, dtype=np.float32)  # time since it fell from there
        self._recent = np.zeros(c.fft_size // 2, dtype=np.float32)  # waveform source
        self._waveform = np.zeros(c.waveform_points, dtype=np.float32)
        self._top_db = float(c.top_db)
        self._found_level = False  # the music has reached the top once: search is over
        self._time_s = 0.0

        bin_hz = c.sample_rate / c.fft_size
        self._kick = OnsetDetector(_bin_slice(_KICK_HZ, bin_hz, c.fft_size),
                                   c.beat_threshold_std, c.beat_refractory_s)
        self._snare = OnsetDetector(_bin_slice(_SNARE_HZ, bin_hz, c.fft_size),
                                    c.beat_threshold_std, c.beat_refractory_s)
        self._closed = False

    @property
    def gain_db(self) -> float:
        """Auto-sensitivity as a gain: minus the dBFS per band drawn as a full bar."""
        return -self._top_db

    def close(self) -> None:
        """Frees the FFT plans and buffers; `process` is an error afterwards."""
        self._closed = True
        self._main = self._bass = None  # type: ignore[assignment]
        self._ring = np.zeros(0, dtype=np.float32)

    def __enter__(self) -> "Spectrum":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def process(self, samples: np.ndarray, dt_s: float | None = None) -> SpectrumFrame:
        """Takes the next chunk (float, -1..1, shape (n,) or (n, channels); float32 avoids
        a conversion) and returns the frame as of its last sample. `dt_s` is the time the
        chunk stands for: n / sample_rate unless given (say, after dropped samples)."""
        if self._closed:
            raise RuntimeError("Spectrum.process called after close()")
        started = time.perf_counter()
        c = self.config
        chunk = np.asarray(samples, dtype=np.float32)
        if chunk.ndim not in (1, 2):
            raise ValueError(f"samples must be (n,) or (n, channels), got shape {chunk.shape}")
        if not np.isfinite(chunk).all():
            # One NaN from a driver would poison the ring and every smoothed bar for good.
            chunk = np.nan_to_num(chunk, nan=0.0, posinf=1.0, neginf=-1.0)
        if dt_s is None:
            dt_s = len(chunk) / c.sample_rate
        self._time_s += dt_s
        self._write_ring(chunk)

        level_db = self._level_db()
        silent = level_db < c.noise_floor_db
        self._measure_bands()
        if c.autosens and not silent:
            self._adapt_top(dt_s)
        self._map_to_bars(silent)
        self._smooth_bars(dt_s)
        peak_hz = 0.0
        if not silent and self._target.max() > 0.0:
            peak_hz = float(self.band_hz[int(np.argmax(self._band_db))])
        # The beats' floor follows the sensitivity, so quiet music beats like loud music.
        beat_floor_db = max(self._top_db - _BEAT_FLOOR_DB, c.noise_floor_db - _BEAT_FLOOR_DB)
        kick = self._kick.update(self._magnitude, dt_s, self._time_s, silent, beat_floor_db)
        snare = self._snare.update(self._magnitude, dt_s, self._time_s, silent, beat_floor_db)
        self._update_waveform()
        return SpectrumFrame(
            bands=_frozen_copy(self._bars), band_hz=self.band_hz, peak_hz=peak_hz,
            waveform=_frozen_copy(self._waveform), kick=kick, snare=snare,
            kicks=self._kick.count, snares=self._snare.count, level_db=level_db,
            silent=silent, gain_db=self.gain_db, time_s=self._time_s,
            hop_ms=(time.perf_counter() - started) * 1000.0)

    # -- the steps of one hop --------------------------------------------------------------

    def _write_ring(self, chunk: np.ndarray) -> None:
        ring, size = self._ring, len(self._ring)
        if len(chunk) > size:
            chunk = chunk[-size:]  # older samples would be overwritten before being read
        start = self._head
        first = min(len(chunk), size - start)
        _mix_into(ring[start:start + first], chunk[:first])
        _mix_into(ring[: len(chunk) - first], chunk[first:])
        self._head = (start + len(chunk)) % size

    def _tail(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The newest `count` samples as two views (older part, newer part) of the ring."""
        start = (self._head - count) % len(self._ring)
        if start + count <= len(self._ring):
            return self._ring[start:start + count], self._ring[:0]
        return self._ring[start:], self._ring[: self._head]

    def _windowed(self, fft: _RealFFT, window: np.ndarray) -> np.ndarray:
        older, newer = self._tail(len(window))
        split = len(older)
        np.multiply(older, window[:split], out=fft.input[:split])
        np.multiply(newer, window[split:], out=fft.input[split:])
        return fft.execute()

    def _level_db(self) -> float:
        # Over the newest quarter window only: when the music stops, the next hop is silent
        # at once, so the auto-sensitivity never adapts to a window that is mostly pause.
        span = self.config.fft_size // 4
        older, newer = self._tail(span)
        mean_square = (float(np.dot(older, older)) + float(np.dot(newer, newer))) / span
        if mean_square <= 0.0:
            return _SILENT_LEVEL_DB
        return max(_SILENT_LEVEL_DB, 10.0 * math.log10(mean_square))

    def _measure_bands(self) -> None:
        """Band levels in dBFS plus tilt into `_band_db`; bin magnitudes into `_magnitude`."""
        np.abs(self._windowed(self._main, self._main_window), out=self._magnitude)
        self._magnitude *= self._peak_scale
        main, nb = self._main_map, self._bass_bands
        np.square(self._magnitude[: main.bins], out=self._main_power)
        np.dot(main.matrix, self._main_power, out=main.power)
        np.multiply(main.power, self._main_scale, out=self._band_db[nb:])
        if self._bass is not None:
            bass = self._bass_map
            bass_power = self._bass_power[: bass.bins]
            np.abs(self._windowed(self._bass, self._bass_window)[: bass.bins], out=bass_power)
            np.square(bass_power, out=bass_power)
            np.dot(bass.matrix, bass_power, out=bass.power)
            np.multiply(bass.power, self._bass_scale, out=self._band_db[:nb])
        db = self._band_db
        np.maximum(db, 1e-14, out=db)
        np.log10(db, out=db)
        db *= 10.0
        db += self._tilt_db

    def _adapt_top(self, dt_s: float) -> None:
        c = self.config
        loudest_db = float(self._band_db.max())
        if loudest_db > self._top_db:
            share = 1.0 if c.autosens_attack_s == 0 else 1.0 - math.exp(-dt_s / c.autosens_attack_s)
            self._top_db += share * (loudest_db - self._top_db)
            self._found_level = True
        else:
            # Until the music first reaches the top, search down fast (CAVA's initial
            # sensitivity search): a quiet song fills the bars within a second, not ten.
            rate = c.autosens_release_db_per_s if self._found_level else _SEARCH_DB_PER_S
            self._top_db = max(loudest_db, self._top_db - rate * dt_s)
        self._top_db = max(self._top_db, c.min_top_db)

    def _map_to_bars(self, silent: bool) -> None:
        c = self.config
        if silent:
            self._target.fill(0.0)
            return
        bottom_db = max(self._top_db - c.range_db, c.noise_floor_db)
        np.subtract(self._band_db, bottom_db, out=self._target)
        self._target *= np.float32(1.0 / max(self._top_db - bottom_db, 1e-3))
        np.clip(self._target, 0.0, 1.0, out=self._target)

    def _smooth_bars(self, dt_s: float) -> None:
        c = self.config
        share = 1.0 if c.integral_s == 0 else 1.0 - math.exp(-dt_s / c.integral_s)
        self._smooth += np.float32(share) * (self._target - self._smooth)
        # An exponential never reaches 0: snap what no one can see, and keep denormals out.
        self._smooth[self._smooth < _INVISIBLE] = 0.0
        if c.gravity_per_s2 == 0:
            self._bars[:] = self._smooth
            return
        # Gravity as exact kinematics from the moment of the fall: height = peak - g t^2 / 2.
        # Integrating a velocity hop by hop would make the fall depend on the hop size.
        self._fall_s += np.float32(dt_s)
        falling = self._peak - np.float32(0.5 * c.gravity_per_s2) * self._fall_s * self._fall_s
        caught = self._smooth >= falling
        self._peak[caught] = self._smooth[caught]
        self._fall_s[caught] = 0.0
        np.maximum(self._smooth, falling, out=self._bars)
        np.clip(self._bars, 0.0, 1.0, out=self._bars)

    def _update_waveform(self) -> None:
        older, newer = self._tail(len(self._recent))
        self._recent[: len(older)] = older
        self._recent[len(older):] = newer
        # Block means: a crude low-pass before the decimation, enough for a scope trace.
        blocks = self._recent[: len(self._waveform) * (len(self._recent) // len(self._waveform))]
        np.mean(blocks.reshape(len(self._waveform), -1), axis=1, out=self._waveform)
        np.clip(self._waveform, -1.0, 1.0, out=self._waveform)


def _hann(size: int) -> np.ndarray:
    """The periodic Hann window (the spectral-analysis form: its ends are not both zero)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(size) / size)).astype(np.float32)


def _power_scale(window: np.ndarray) -> float:
    """Factor from summed |X|^2 over a band to mean square, x2 so a full-scale sine reads 0 dB.

    Parseval: the bins of a windowed sine of amplitude A hold A^2/4 * N * sum(w^2) in total
    on the positive side, so 4 / (N * sum(w^2)) turns that into A^2.
    """
    return 4.0 / (len(window) * float(np.dot(window, window)))


def _bin_slice(band_hz: tuple[float, float], bin_hz: float, fft_size: int) -> slice:
    low = max(1, int(math.ceil(band_hz[0] / bin_hz)))
    high = min(fft_size // 2 + 1, int(band_hz[1] / bin_hz) + 1)
    return slice(low, max(high, low + 1))


def _mix_into(out: np.ndarray, chunk: np.ndarray) -> None:
    """Writes `chunk` (n,) or (n, channels) into `out` as mono, without temporaries."""
    if chunk.ndim == 1:
        out[:] = chunk
        return
    out[:] = chunk[:, 0]
    for channel in range(1, chunk.shape[1]):
        out += chunk[:, channel]
    if chunk.shape[1] > 1:
        out *= np.float32(1.0 / chunk.shape[1])


def _frozen_copy(values: np.ndarray) -> np.ndarray:
    copy = values.copy()
    copy.flags.writeable = False
    return copy
