"""Tests of slideshow/workers/: decoding, shared memory, rings and supervised worker processes."""
