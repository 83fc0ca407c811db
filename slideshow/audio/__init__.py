"""Audio for the visualizer: sources of samples and the spectrum maths (no GL, no processes
here; the FFT worker process and the GPU modes build on these)."""
