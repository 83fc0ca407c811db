"""Tests of slideshow/install/: what `slideshow install` writes, read back by the real tools (xmllint, systemd-analyze, desktop-file-validate, bash) where they are installed."""
