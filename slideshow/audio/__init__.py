"""Audio for the visualizer: sources of samples and the spectrum maths (no GL, no processes
here; the FFT worker process and the GPU modes build on these).

- `spectrum`: `Spectrum` (construct, `process(samples) -> SpectrumFrame`, `close()`), its
  parameters in `SpectrumConfig`;
- `beats`: `OnsetDetector`, the kick and snare events inside `Spectrum`;
- `sources`: `SyntheticSource`, `ToneSource`, `SilenceSource`, `FileSource` (WAV; FLAC with
  soundfile), all `AudioSource`s, and `AudioSourceError`.
"""

from slideshow.audio.beats import OnsetDetector
from slideshow.audio.sources import (
    AudioSource,
    AudioSourceError,
    FileSource,
    SilenceSource,
    SyntheticSource,
    ToneSource,
)
from slideshow.audio.spectrum import (
    Spectrum,
    SpectrumConfig,
    SpectrumFrame,
    log_band_edges,
)

__all__ = [
    "AudioSource", "AudioSourceError", "FileSource", "OnsetDetector", "SilenceSource",
    "Spectrum", "SpectrumConfig", "SpectrumFrame", "SyntheticSource", "ToneSource",
    "log_band_edges",
]
