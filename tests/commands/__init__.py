"""Tests of slideshow/commands/: the subcommands, run as `python -m slideshow ...` where they print."""
