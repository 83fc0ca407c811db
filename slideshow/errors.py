"""The project's exceptions: few, each with a message a user can act on."""

from __future__ import annotations


class SlideshowError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(SlideshowError):
    """A configuration key or value is wrong; the message names the key, the value
    and what is allowed."""


class SurfaceError(SlideshowError):
    """A window or GL context could not be created."""


class FrameError(SlideshowError):
    """A frame's core work raised: the message names the display, the frame and the phase;
    the original exception is its `__cause__` (slideshow/loop.py's error policy)."""


class SharedMemoryShortage(SlideshowError, OSError):
    """A shared-memory segment could not be reserved: /dev/shm (a container's is 64 MiB) is
    too small. The message says how much was asked, how much is free and what to do. Also
    an OSError (ENOSPC or ENOMEM), as it was before it became a start-up error."""

    def __str__(self) -> str:  # the message alone: no "[Errno 28]" before it
        return self.strerror or super().__str__()
