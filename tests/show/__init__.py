"""Tests of slideshow/show/: the show's timeline, keys, Ken Burns, history, captions and audio overlay."""
