"""slideshow: a photo slideshow and screensaver renderer that never drops a frame."""

__version__ = "0.1.0"
