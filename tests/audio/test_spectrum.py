"""The spectrum core with sine blueprints (CAVA's test, in spirit) and the synthetic beat:
bands land where the tones are, silence is zero and leaves the gain alone, smoothing and
beats do not depend on the hop size."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

from slideshow.audio.sources import SilenceSource, SyntheticSource, ToneSource
from slideshow.audio.spectrum import (
    Spectrum,
    SpectrumConfig,
    SpectrumFrame,
    log_band_edges,
)


def feed(spectrum: Spectrum, chunk: np.ndarray, hop: int) -> list[SpectrumFrame]:
    """Processes `chunk` in hops of `hop` samples."""
    return [spectrum.process(chunk[start:start + hop]) for start in range(0, len(chunk), hop)]


def play(spectrum: Spectrum, source, seconds: float, hop: int = 1024) -> list[SpectrumFrame]:
    total = int(round(seconds * source.sample_rate))
    return feed(spectrum, source.read(total), hop)


def band_of(spectrum: Spectrum, freq_hz: float) -> int:
    return int(np.searchsorted(spectrum.band_edges_hz, freq_hz, side="right")) - 1


def two_tones(freqs_hz: tuple[float, float], seconds: float, rate: int = 48000) -> np.ndarray:
    first, second = (ToneSource(f, 0.25, rate).read(int(seconds * rate)) for f in freqs_hz)
    return first + second


# -- band layout ------------------------------------------------------------------------------

@pytest.mark.parametrize("bands, low_hz, high_hz", [(64, 50.0, 10000.0), (8, 20.0, 200.0),
                                                    (256, 30.0, 16000.0)])
def test_band_edges_are_log_spaced_monotonic_and_inside_the_range(bands, low_hz, high_hz):
    edges = log_band_edges(low_hz, high_hz, bands)
    assert len(edges) == bands + 1
    assert edges[0] == pytest.approx(low_hz) and edges[-1] == pytest.approx(high_hz)
    assert np.all(np.diff(edges) > 0)
    ratios = edges[1:] / edges[:-1]
    np.testing.assert_allclose(ratios, (high_hz / low_hz) ** (1 / bands), rtol=1e-9)


def test_band_centres_lie_inside_their_edges():
    spectrum = Spectrum()
    edges = spectrum.band_edges_hz
    assert np.all((spectrum.band_hz > edges[:-1]) & (spectrum.band_hz < edges[1:]))


def test_bands_narrower_than_a_bin_still_show_their_tone():
    # 256 bands from 50 Hz are 0.7 Hz wide at the bottom, a quarter of a bass-FFT bin:
    # each still gets its share of the bin under it, so a tone at its centre lights it.
    config = SpectrumConfig(bands=256, sample_rate=44100)
    for band in (0, 1, 2, 5):
        spectrum = Spectrum(config)
        frame = play(spectrum, ToneSource(float(spectrum.band_hz[band]), 0.5, 44100), 1.0)[-1]
        assert frame.bands[band] > 0.8
        assert abs(band_of(spectrum, frame.peak_hz) - band) <= 1


# -- sine blueprints --------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize("freq_hz", [60.0, 100.0, 440.0, 1000.0, 5000.0])
def test_tone_peaks_in_its_band_and_far_bands_stay_empty(rate, freq_hz):
    spectrum = Spectrum(SpectrumConfig(sample_rate=rate))
    frame = play(spectrum, ToneSource(freq_hz, 0.5, rate), 1.5)[-1]
    band = band_of(spectrum, freq_hz)
    low_hz, high_hz = spectrum.band_edges_hz[band:band + 2]
    assert low_hz <= frame.peak_hz < high_hz
    assert frame.bands[band] > 0.95
    far = np.abs(np.arange(len(frame.bands)) - band) >= 3
    assert frame.bands[far].max() < 0.02
    assert not frame.silent


def test_bass_tones_50_and_80_hz_land_in_different_bass_bands():
    peaks = []
    for freq_hz in (50.0, 80.0):
        spectrum = Spectrum()
        peaks.append(band_of(spectrum, play(spectrum, ToneSource(freq_hz, 0.5), 1.5)[-1].peak_hz))
    assert peaks == [band_of(Spectrum(), 50.0), band_of(Spectrum(), 80.0)]
    assert peaks[1] - peaks[0] >= 4


def test_bass_fft_resolves_50_and_80_hz_played_together():
    # 30 Hz apart is 2.6 bins of the 4096 FFT, inside one Hann main lobe: only the 16384
    # bass FFT (2.9 Hz bins) shows a valley between the two.
    chunk = two_tones((50.0, 80.0), 2.0)
    valleys = {}
    for bass_fft_size in (16384, 4096):
        spectrum = Spectrum(SpectrumConfig(bass_fft_size=bass_fft_size))
        bands = feed(spectrum, chunk, 1024)[-1].bands
        low, high = band_of(spectrum, 50.0), band_of(spectrum, 80.0)
        valleys[bass_fft_size] = bands[low + 2: high - 1].min() / min(bands[low], bands[high])
    assert valleys[16384] < 0.3
    assert valleys[4096] > 0.6


def test_two_tones_give_two_peaks():
    spectrum = Spectrum(SpectrumConfig(tilt_db_per_octave=0.0))  # equal tones, equal bars
    bands = feed(spectrum, two_tones((300.0, 3000.0), 1.5), 1024)[-1].bands
    low, high = band_of(spectrum, 300.0), band_of(spectrum, 3000.0)
    assert bands[low] > 0.8 and bands[high] > 0.8
    peaks = [i for i in range(1, len(bands) - 1)
             if bands[i] > 0.5 and bands[i] >= bands[i - 1] and bands[i] >= bands[i + 1]]
    assert peaks == [low, high]
    assert bands[low + 3: high - 2].max() < 0.02


def test_tilt_lifts_treble_by_its_db_per_octave_around_1_khz():
    config = SpectrumConfig(autosens=False, top_db=0.0, range_db=45.0, tilt_db_per_octave=3.0)
    heights = {}
    for freq_hz in (250.0, 1000.0, 4000.0):
        spectrum = Spectrum(config)
        frame = play(spectrum, ToneSource(freq_hz, 0.25), 1.0)[-1]  # -12 dBFS
        heights[freq_hz] = frame.bands[band_of(spectrum, freq_hz)]
    # A bar is (level - bottom) / range: -12 dBFS at 1 kHz is 33/45 of a bar, and two
    # octaves of 3 dB take 6 dB off at 250 Hz and add 6 dB at 4 kHz.
    assert heights[1000.0] == pytest.approx(33 / 45, abs=0.02)
    assert heights[250.0] == pytest.approx(27 / 45, abs=0.02)
    assert heights[4000.0] == pytest.approx(39 / 45, abs=0.02)


def test_stereo_is_mixed_to_mono():
    tone = ToneSource(440.0, 0.5).read(24000)
    stereo = np.hstack([tone, tone])
    mono_frame = feed(Spectrum(), tone[:, 0], 1024)[-1]
    stereo_frame = feed(Spectrum(), stereo, 1024)[-1]
    np.testing.assert_allclose(stereo_frame.bands, mono_frame.bands, atol=1e-6)
    np.testing.assert_allclose(stereo_frame.waveform, mono_frame.waveform, atol=1e-6)


def test_chunk_length_does_not_change_what_is_analysed():
    audio = SyntheticSource().read(30000)
    by_1000, by_333 = Spectrum(), Spectrum()
    last_1000 = feed(by_1000, audio, 1000)[-1]
    last_333 = feed(by_333, audio, 333)[-1]
    assert last_1000.time_s == pytest.approx(last_333.time_s) == pytest.approx(30000 / 48000)
    assert last_1000.level_db == pytest.approx(last_333.level_db, abs=1e-4)
    np.testing.assert_allclose(last_1000.waveform, last_333.waveform, atol=1e-6)
    np.testing.assert_allclose(by_1000._band_db, by_333._band_db, atol=1e-3)


def test_a_chunk_longer_than_the_ring_keeps_its_newest_samples():
    spectrum = Spectrum()
    audio = np.concatenate([ToneSource(5000.0).read(48000), ToneSource(440.0).read(48000)])
    frame = spectrum.process(audio)
    assert band_of(spectrum, frame.peak_hz) == band_of(spectrum, 440.0)


def test_waveform_is_short_bounded_and_follows_the_signal():
    frame = play(Spectrum(), ToneSource(100.0, 0.5), 0.5)[-1]
    assert frame.waveform.shape == (256,) and frame.waveform.dtype == np.float32
    # 2048 samples of a 100 Hz tone hold 4.3 cycles: the trace swings nearly +-0.5.
    assert 0.45 < frame.waveform.max() <= 0.5 and -0.5 <= frame.waveform.min() < -0.45
    loud = play(Spectrum(), ToneSource(100.0, 1.0), 0.5)[-1]
    assert np.all(np.abs(loud.waveform) <= 1.0)


# -- silence, noise floor and auto-sensitivity --------------------------------------------

def test_silence_gives_zero_bands_and_is_silent():
    frames = play(Spectrum(), SilenceSource(), 1.0)
    assert all(f.silent and f.peak_hz == 0.0 and not f.bands.any() for f in frames)
    assert frames[-1].level_db == -120.0 and frames[-1].kicks == frames[-1].snares == 0


def test_sound_below_the_noise_floor_is_silence():
    frame = play(Spectrum(), ToneSource(440.0, 10 ** (-100 / 20)), 1.0)[-1]
    assert frame.silent and not frame.bands.any()


def test_gain_holds_through_30_s_of_silence_and_music_returns_at_the_same_scale():
    spectrum = Spectrum()
    music = SyntheticSource()
    before = play(spectrum, music, 6.0)
    gain_before = spectrum.gain_db
    quiet = play(spectrum, SilenceSource(), 30.0)
    assert spectrum.gain_db == gain_before  # exactly: not one step of drift
    assert quiet[-1].silent and not quiet[-1].bands.any()
    # The same music again: no runaway gain blowing the first hops up to full scale.
    after = play(spectrum, SyntheticSource(), 1.0)
    first = after[0]
    assert first.bands.mean() <= max(f.bands.mean() for f in before[-47:]) + 0.05
    assert first.bands.max() <= 1.0
    mean_before = np.mean([f.bands.mean() for f in before[-47:]])
    assert np.mean([f.bands.mean() for f in after]) == pytest.approx(mean_before, abs=0.1)


@pytest.mark.parametrize("level", [1.0, 10 ** (-30 / 20)])
def test_loud_and_quiet_music_both_fill_the_bars_after_adaptation(level):
    spectrum = Spectrum()
    audio = SyntheticSource().read(48000 * 12) * np.float32(level)
    frames = feed(spectrum, audio, 1024)
    settled = np.array([f.bands for f in frames[-188:]])  # the last 4 s
    assert settled.max() <= 1.0 and settled.min() >= 0.0
    assert np.percentile(settled.max(axis=1), 50) > 0.8  # the loudest bar mostly near the top
    assert 0.2 < settled.mean() < 0.7  # and the bars between: neither empty nor pinned
    assert not any(f.silent for f in frames)


def test_quiet_music_gets_about_30_db_more_gain_than_loud():
    gains = []
    for level in (1.0, 10 ** (-30 / 20)):
        spectrum = Spectrum()
        feed(spectrum, SyntheticSource().read(48000 * 12) * np.float32(level), 1024)
        gains.append(spectrum.gain_db)
    assert gains[1] - gains[0] == pytest.approx(30.0, abs=3.0)


def test_autosens_off_keeps_the_configured_top():
    spectrum = Spectrum(SpectrumConfig(autosens=False, top_db=-20.0))
    play(spectrum, SyntheticSource(), 3.0)
    assert spectrum.gain_db == 20.0


def test_hiss_just_above_the_noise_floor_does_not_fill_the_bars():
    spectrum = Spectrum()
    hiss_db = spectrum.config.noise_floor_db + 5.0
    hiss = np.random.default_rng(2).normal(0.0, 10 ** (hiss_db / 20), 48000 * 20)
    frames = feed(spectrum, hiss.astype(np.float32), 1024)
    assert not frames[-1].silent
    assert spectrum.gain_db == pytest.approx(-spectrum.config.min_top_db)
    assert frames[-1].bands.mean() < 0.3


# -- smoothing --------------------------------------------------------------------------------

def test_smoothing_is_independent_of_the_hop_size():
    audio = SyntheticSource().read(1024 * 188)  # 4 s
    fine = feed(Spectrum(), audio, 256)
    coarse = feed(Spectrum(), audio, 1024)
    fine_at_coarse_times = np.array([f.bands for f in fine[3::4]])
    coarse_bands = np.array([f.bands for f in coarse])
    assert np.allclose([f.time_s for f in fine[3::4]], [f.time_s for f in coarse])
    difference = np.abs(fine_at_coarse_times - coarse_bands)
    assert difference.mean() < 0.02
    assert np.percentile(difference, 99) < 0.15


def test_gravity_empties_a_full_bar_in_sqrt_2_over_g_seconds():
    gravity = 2.0  # a full bar empties in 1 s
    config = SpectrumConfig(gravity_per_s2=gravity, integral_s=0.01, autosens=False,
                            top_db=-10.0)
    spectrum = Spectrum(config)
    tone = play(spectrum, ToneSource(1000.0, 0.5), 1.0)
    band = band_of(spectrum, 1000.0)
    assert tone[-1].bands[band] == pytest.approx(1.0)
    after = play(spectrum, SilenceSource(), 1.5)
    # The newest 1024 samples decide, not the tone still in the window: silent at once.
    assert after[0].silent
    heights = np.array([f.bands[band] for f in after])
    fall_s = np.array([f.time_s for f in after]) - tone[-1].time_s
    # From the tone's last hop the bar falls as a stone, 1 - g t^2 / 2: empty at sqrt(2 / g).
    empty_at_s = fall_s[np.argmax(heights == 0.0)]
    assert empty_at_s == pytest.approx((2.0 / gravity) ** 0.5, abs=0.01)
    expected = np.clip(1.0 - gravity * fall_s ** 2 / 2, 0.0, None)
    np.testing.assert_allclose(heights, expected, atol=1e-4)


def test_without_smoothing_bars_follow_the_input_at_once():
    config = SpectrumConfig(gravity_per_s2=0.0, integral_s=0.0, autosens=False, top_db=-10.0)
    spectrum = Spectrum(config)
    play(spectrum, ToneSource(1000.0, 0.5), 0.5)
    frame = play(spectrum, SilenceSource(), 0.2)[-1]
    assert not frame.bands.any()


# -- beats ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rate, hop, level_db, seconds", [
    (48000, 1024, 0.0, 10), (48000, 1024, -30.0, 10), (48000, 256, 0.0, 5), (44100, 512, 0.0, 5)])
def test_synthetic_kicks_and_snares_are_counted_at_two_per_second(rate, hop, level_db, seconds):
    audio = SyntheticSource(rate).read(rate * seconds) * np.float32(10 ** (level_db / 20))
    frames = feed(Spectrum(SpectrumConfig(sample_rate=rate)), audio, hop)
    expected = 2 * seconds  # within +-10 %
    assert 0.9 * expected <= frames[-1].kicks <= 1.1 * expected
    assert 0.9 * expected <= frames[-1].snares <= 1.1 * expected
    assert sum(f.kick for f in frames) == frames[-1].kicks


def test_kicks_come_on_the_beat_and_snares_on_the_off_beat():
    frames = play(Spectrum(), SyntheticSource(), 4.0, 512)
    kick_s = np.array([f.time_s for f in frames if f.kick])
    snare_s = np.array([f.time_s for f in frames if f.snare])
    # Detection lags the onset by at most the 85 ms window's leading half.
    kick_lag_s = (kick_s - np.round(kick_s / 0.5) * 0.5)
    snare_lag_s = (snare_s - 0.25 - np.round((snare_s - 0.25) / 0.5) * 0.5)
    assert np.all((kick_lag_s >= 0) & (kick_lag_s < 0.06))
    assert np.all((snare_lag_s >= 0) & (snare_lag_s < 0.06))


def test_a_steady_tone_and_silence_make_no_beats():
    spectrum = Spectrum()
    frames = play(spectrum, ToneSource(80.0, 0.5), 5.0) + play(spectrum, SilenceSource(), 2.0)
    assert frames[-1].kicks <= 1  # the tone's start may count once, nothing after it
    assert frames[-1].snares == 0


# -- FFT backends, cost, lifecycle ------------------------------------------------------------

def test_pyfftw_and_numpy_give_the_same_frames():
    audio = SyntheticSource().read(48000 * 3)
    with_fftw = feed(Spectrum(fft_backend="pyfftw"), audio, 1024)
    with_numpy = feed(Spectrum(fft_backend="numpy"), audio, 1024)
    for a, b in zip(with_fftw, with_numpy):
        np.testing.assert_allclose(a.bands, b.bands, atol=2e-4)
        assert (a.kick, a.snare, a.peak_hz) == (b.kick, b.snare, b.peak_hz)
        assert a.level_db == pytest.approx(b.level_db, abs=1e-4)


def test_auto_backend_falls_back_to_numpy_when_pyfftw_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyfftw", None)  # import pyfftw now raises ImportError
    spectrum = Spectrum(fft_backend="auto")
    assert spectrum.fft_backend == "numpy"
    frame = play(spectrum, ToneSource(440.0), 1.0)[-1]
    assert band_of(spectrum, frame.peak_hz) == band_of(spectrum, 440.0)
    with pytest.raises(ValueError, match="pyfftw is not installed"):
        Spectrum(fft_backend="pyfftw")


@pytest.mark.parametrize("backend", ["pyfftw", "numpy"])
def test_hop_time_is_measured_and_small(backend):
    frames = play(Spectrum(fft_backend=backend), SyntheticSource(), 5.0, 1024)
    hop_ms = np.array([f.hop_ms for f in frames])
    assert np.all(hop_ms > 0)
    print(f"{backend}: median hop {np.median(hop_ms):.3f} ms, p99 {np.percentile(hop_ms, 99):.3f} ms")


def test_process_allocates_nothing_big():
    spectrum = Spectrum(fft_backend="pyfftw")
    chunk = SyntheticSource().read(1024)
    spectrum.process(chunk)
    tracemalloc.start()
    try:
        for _ in range(20):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            spectrum.process(chunk)
            peak = tracemalloc.get_traced_memory()[1] - before
            assert peak < 16 * 1024  # the 16384-sample window alone would be 64 KiB
    finally:
        tracemalloc.stop()


def test_frames_are_read_only_snapshots():
    spectrum = Spectrum()
    first = play(spectrum, ToneSource(440.0), 0.5)[-1]
    kept = first.bands.copy()
    play(spectrum, ToneSource(5000.0), 0.5)
    np.testing.assert_array_equal(first.bands, kept)
    with pytest.raises(ValueError):
        first.bands[0] = 1.0


def test_a_nan_from_the_driver_does_not_poison_the_bars():
    spectrum = Spectrum()
    broken = ToneSource(440.0).read(1024)
    broken[100] = np.nan
    spectrum.process(broken)
    frame = play(spectrum, ToneSource(440.0), 1.0)[-1]
    assert np.all(np.isfinite(frame.bands)) and frame.bands.max() > 0.9
    assert band_of(spectrum, frame.peak_hz) == band_of(spectrum, 440.0)


def test_process_after_close_is_an_error():
    spectrum = Spectrum()
    spectrum.close()
    with pytest.raises(RuntimeError, match="after close"):
        spectrum.process(np.zeros(512, dtype=np.float32))


@pytest.mark.parametrize("changes, message", [
    ({"bands": 4}, "bands must be 8..256"),
    ({"fft_size": 3000}, "power of two"),
    ({"bass_fft_size": 2048}, "at least fft_size"),
    ({"sample_rate": 16000, "high_hz": 10000.0}, "half the sample rate"),
    ({"min_top_db": -85.0}, "above noise_floor_db"),
])
def test_config_out_of_range_is_refused_with_the_allowed_values(changes, message):
    with pytest.raises(ValueError, match=message):
        SpectrumConfig(**changes)
