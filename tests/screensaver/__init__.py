"""Tests of slideshow/screensaver/: a screensaver host's arguments and the exit-on-input rule."""
