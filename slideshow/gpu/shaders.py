"""Reads GLSL files shipped in the package (`shaders/` in the repository, `slideshow.shaders`
once installed) through importlib.resources, so shaders never live as Python strings."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def shader_source(name: str) -> str:
    """The text of `shaders/<name>`; raises FileNotFoundError naming the file."""
    path = resources.files("slideshow.shaders").joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"shader {name!r} is not in the slideshow.shaders package")
    return path.read_text(encoding="utf-8")
