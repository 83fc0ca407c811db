"""Audio sources without a device: the synthetic beat, tones, silence and WAV files (read
back to the exact float values), and files that are not audio failing with their name."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from slideshow.audio.sources import (
    AudioSourceError,
    FileSource,
    SilenceSource,
    SyntheticSource,
    ToneSource,
    pcm_to_float,
)
from slideshow.audio.spectrum import Spectrum, SpectrumConfig
from slideshow.errors import SlideshowError


def write_wav(path: Path, frames: bytes, width: int, channels: int, rate: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


# -- generated sources ------------------------------------------------------------------------

def test_synthetic_source_is_deterministic_per_seed():
    first, again = SyntheticSource(seed=3).read(48000), SyntheticSource(seed=3).read(48000)
    other = SyntheticSource(seed=4).read(48000)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)  # the snares' noise differs
    assert first.shape == (48000, 1) and first.dtype == np.float32


def test_synthetic_source_has_a_realistic_level():
    audio = SyntheticSource().read(48000 * 8)
    assert np.abs(audio).max() == pytest.approx(0.8, abs=1e-6)  # -2 dBFS peaks
    rms_db = 10 * np.log10(np.mean(audio.astype(np.float64) ** 2))
    assert -20.0 < rms_db < -10.0


def test_synthetic_source_loops_every_8_s_whatever_the_read_sizes():
    source = SyntheticSource(44100)
    loop = source.read(8 * 44100)
    pieces = np.concatenate([source.read(n) for n in (1000, 1, 30000, 4410)])
    np.testing.assert_array_equal(pieces, loop[: len(pieces)])


def test_synthetic_kick_lands_on_the_beat():
    audio = SyntheticSource().read(48000)[:, 0]
    window = int(0.05 * 48000)
    # Low-frequency energy at the kicks (0, 0.5 s) beats that just before them.
    energy = [float(np.sum(audio[int(t * 48000): int(t * 48000) + window] ** 2))
              for t in (0.0, 0.4, 0.5, 0.9)]
    assert energy[0] > 5 * energy[1] and energy[2] > 5 * energy[3]


def test_tone_source_is_phase_continuous_across_reads():
    whole = ToneSource(1234.5, 0.3).read(10000)
    source = ToneSource(1234.5, 0.3)
    parts = np.concatenate([source.read(n) for n in (1, 999, 3000, 6000)])
    np.testing.assert_allclose(parts, whole, atol=1e-6)
    assert np.abs(whole).max() == pytest.approx(0.3, abs=1e-3)
    crossings = np.count_nonzero(np.diff(np.signbit(whole[:, 0]).astype(np.int8)) != 0)
    assert crossings / 2 == pytest.approx(1234.5 * 10000 / 48000, abs=1)


def test_tone_source_refuses_frequencies_above_nyquist():
    with pytest.raises(ValueError, match="freq_hz"):
        ToneSource(30000.0, sample_rate=48000)


def test_silence_source_is_zeros_in_the_asked_shape():
    audio = SilenceSource(44100, channels=2).read(777)
    assert audio.shape == (777, 2) and audio.dtype == np.float32 and not audio.any()


# -- WAV files --------------------------------------------------------------------------------

def test_16_bit_stereo_wav_reads_back_as_exact_floats(tmp_path):
    left = np.array([0, 1, -1, 32767, -32768, 16384], dtype="<i2")
    right = -left.astype(np.int32).clip(-32767, 32767).astype("<i2")
    path = write_wav(tmp_path / "stereo.wav", np.column_stack([left, right]).tobytes(), 2, 2, 44100)
    with FileSource(path) as source:
        assert (source.sample_rate, source.channels) == (44100, 2)
        audio = source.read(100)
    expected = np.column_stack([left, right]) / 32768.0
    assert audio.dtype == np.float32 and audio.shape == (6, 2)
    np.testing.assert_array_equal(audio, expected.astype(np.float32))
    assert audio[4, 0] == -1.0 and audio[3, 0] == pytest.approx(1.0, abs=1 / 32768)


def test_24_bit_mono_wav_reads_back_as_exact_floats(tmp_path):
    values = np.array([0, 1, -1, 8388607, -8388608, 4194304, -123456], dtype=np.int32)
    packed = b"".join(int(v).to_bytes(3, "little", signed=True) for v in values)
    path = write_wav(tmp_path / "mono24.wav", packed, 3, 1, 48000)
    with FileSource(path) as source:
        assert (source.sample_rate, source.channels) == (48000, 1)
        audio = source.read(1000)
    np.testing.assert_array_equal(audio[:, 0], (values / 8388608.0).astype(np.float32))


@pytest.mark.parametrize("width, data, expected", [
    (1, bytes([0, 128, 255, 64]), [-1.0, 0.0, 127 / 128, -0.5]),
    (4, struct.pack("<3i", -2**31, 2**30, -1), [-1.0, 0.5, -1 / 2**31]),
])
def test_8_and_32_bit_pcm_decode_to_floats(width, data, expected):
    np.testing.assert_allclose(pcm_to_float(data, width), expected, rtol=0, atol=1e-9)


def test_a_wav_file_ends_with_a_short_read_then_empty_ones(tmp_path):
    path = write_wav(tmp_path / "short.wav", np.arange(10, dtype="<i2").tobytes(), 2, 1, 8000)
    source = FileSource(path)
    assert len(source.read(6)) == 6
    assert len(source.read(6)) == 4
    assert source.read(6).shape == (0, 1)
    source.close()


def test_a_looping_wav_file_starts_again(tmp_path):
    path = write_wav(tmp_path / "loop.wav", np.arange(10, dtype="<i2").tobytes(), 2, 1, 8000)
    with FileSource(path, loop=True) as source:
        audio = source.read(25)[:, 0] * 32768
    np.testing.assert_array_equal(audio, np.concatenate([np.arange(10)] * 3)[:25])


def test_a_wav_tone_lands_in_its_band(tmp_path):
    tone = (ToneSource(1000.0, 0.5, 44100).read(44100)[:, 0] * 32767).astype("<i2")
    path = write_wav(tmp_path / "tone.wav", np.column_stack([tone, tone]).tobytes(), 2, 2, 44100)
    with FileSource(path) as source:
        spectrum = Spectrum(SpectrumConfig(sample_rate=source.sample_rate))
        while len(chunk := source.read(1024)):
            frame = spectrum.process(chunk)
    band = int(np.searchsorted(spectrum.band_edges_hz, 1000.0, side="right")) - 1
    assert spectrum.band_edges_hz[band] <= frame.peak_hz < spectrum.band_edges_hz[band + 1]


# -- files that are not (usable) audio --------------------------------------------------------

def test_a_text_file_named_wav_is_refused_with_its_path(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are not samples\n")
    with pytest.raises(AudioSourceError) as caught:
        FileSource(path)
    assert str(path) in str(caught.value) and "not audio" in str(caught.value)
    assert caught.value.path == str(path)
    assert isinstance(caught.value, SlideshowError)


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"RIFF\x24\x00\x00\x00WAVEjunk", "not a readable WAV"),
])
def test_empty_and_truncated_files_are_refused(tmp_path, content, reason):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioSourceError, match=reason):
        FileSource(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(AudioSourceError, match="no such file"):
        FileSource(tmp_path / "gone.wav")


def test_a_float_wav_is_refused_with_what_to_do(tmp_path):
    # IEEE float WAV (format 3), which the wave module does not read.
    samples = np.zeros(4, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 48000, 48000 * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt \
        + b"data" + struct.pack("<I", len(samples)) + samples
    path = tmp_path / "float.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(AudioSourceError, match="PCM"):
        FileSource(path)


def test_a_flac_tone_lands_in_its_band(tmp_path):
    tone = ToneSource(1000.0, 0.5, 48000).read(48000)[:, 0]
    path = tmp_path / "tone.flac"
    soundfile.write(path, np.column_stack([tone, tone]), 48000, subtype="PCM_16")
    assert path.read_bytes()[:4] == b"fLaC"
    with FileSource(path) as source:
        assert (source.sample_rate, source.channels) == (48000, 2)
        spectrum = Spectrum(SpectrumConfig(sample_rate=source.sample_rate))
        while len(chunk := source.read(1024)):
            frame = spectrum.process(chunk)
    band = int(np.searchsorted(spectrum.band_edges_hz, 1000.0, side="right")) - 1
    assert spectrum.band_edges_hz[band] <= frame.peak_hz < spectrum.band_edges_hz[band + 1]


def test_flac_without_soundfile_says_what_it_needs(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "soundfile", None)  # as on a machine without it
    path = tmp_path / "song.flac"
    path.write_bytes(b"fLaC" + bytes(60))
    with pytest.raises(AudioSourceError, match="FLAC needs the soundfile package.*WAV works"):
        FileSource(path)
