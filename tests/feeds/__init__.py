"""Tests of slideshow/feeds/: feed parsing, downloads from a local HTTP server, the cache, the mix."""
