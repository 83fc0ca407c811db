"""Tests of slideshow/show/: timeline, keys, Ken Burns, history, captions, audio overlay."""
