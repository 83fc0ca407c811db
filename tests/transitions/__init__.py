"""Tests of slideshow/transitions/: transition files and easing, without GL."""
