"""Tests of slideshow/pacing/: clock, pacer, presenter, budgets, statistics, on fake time."""
