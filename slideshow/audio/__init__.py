"""Audio for the visualizer: sources of samples (files, synthetic beats, capture of what
the computer plays), the spectrum maths (bands, waveform, beat events), and the FFT worker
process that runs them and publishes every hop into a `LatestValue` block, with the thread
that starts and restarts it.

Never touches GL (slideshow/gpu/visualizer.py draws the values) and never makes a reader
wait: values are published for readers to copy, never queued. The maths and the sources
(`spectrum`, `beats`, `sources`) start no process and no thread.

- `spectrum`: `Spectrum` (construct, `process(samples) -> SpectrumFrame`, `close()`), its
  parameters in `SpectrumConfig`;
- `beats`: `OnsetDetector`, the kick and snare events inside `Spectrum`;
- `sources`: `SyntheticSource`, `ToneSource`, `SilenceSource`, `FileSource` (WAV; FLAC with
  soundfile), all `AudioSource`s, and `AudioSourceError`;
- `capture`: which audio `--audio` means, and `CaptureSource` (sounddevice capture);
- `backends`: which library captures (sounddevice or soundcard, per platform);
  `loopback`: `LoopbackCapture` (soundcard); `capture_ring`: the ring both write into;
- `block`: the published value's layout in its `LatestValue` block;
- `worker`: the FFT worker process; `service`: `AudioService`, the worker, its block and the
  thread minding it.
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
