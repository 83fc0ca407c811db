"""The test suite, one folder per package of slideshow/ (tests of the root modules stay here)."""
