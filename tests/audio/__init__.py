"""Tests of slideshow/audio/: sources, the spectrum, the FFT worker and capture through PulseAudio."""
