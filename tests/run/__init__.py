"""Tests of slideshow/run/: whole shows in real windows under Xvfb, run as users run them."""
