"""Which glfw shared library pyGLFW loads, chosen without its version probe.

At import, pyGLFW starts a Python subprocess for each libglfw it finds, to read the
library's version without risking a crash in its own process: 0.13 s here for every
process that imports glfw (the show, and the shader warmer it spawns), on the way to the
first photo. Its `PYGLFW_LIBRARY` variable skips the probe. `choose_glfw_library` sets it,
before glfw is first imported, to the library the glfw wheel ships for this session (X11,
or Wayland as pyGLFW itself decides), which is what pyGLFW loads when no newer libglfw is
installed on the system. A library the user chose (`PYGLFW_LIBRARY`), Windows, macOS and
a frozen app keep pyGLFW's own search.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def bundled_library(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path | None:
    """The libglfw the glfw wheel ships for this session, or None (no wheel library)."""
    spec = importlib.util.find_spec("glfw")
    if spec is None or not spec.submodule_search_locations:
        return None
    variant = environ.get("PYGLFW_LIBRARY_VARIANT", "").lower()
    if variant not in ("x11", "wayland"):
        variant = "wayland" if environ.get("XDG_SESSION_TYPE") == "wayland" else "x11"
    library = Path(next(iter(spec.submodule_search_locations))) / variant / "libglfw.so"
    return library if library.is_file() else None


def choose_glfw_library() -> None:
    """Points pyGLFW at the wheel's library unless the user chose one; call it before glfw
    is first imported (slideshow/gpu/__init__.py does)."""
    if os.environ.get("PYGLFW_LIBRARY") or sys.platform in ("win32", "darwin") \
            or getattr(sys, "frozen", False) or "glfw" in sys.modules:
        return
    library = bundled_library()
    if library is not None:
        os.environ["PYGLFW_LIBRARY"] = str(library)
