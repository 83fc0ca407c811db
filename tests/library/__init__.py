"""Tests of slideshow/library/: scanning photo folders, the index cache, the order photos come in."""
