"""Reads GLSL files shipped in the package (`shaders/` in the repository, `slideshow.shaders`
once installed) through importlib.resources, so shaders never live as Python strings.
A checkout used without installing (PYTHONPATH=.) reads the repository's `shaders/`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_CHECKOUT_SHADERS = Path(__file__).resolve().parents[2] / "shaders"


@cache
def shader_source(name: str) -> str:
    """The text of `shaders/<name>`; raises FileNotFoundError naming the file."""
    try:
        path = resources.files("slideshow.shaders").joinpath(name)
    except ModuleNotFoundError:
        path = _CHECKOUT_SHADERS / name
    if not path.is_file():
        raise FileNotFoundError(f"shader {name!r} is not in the slideshow.shaders package")
    return path.read_text(encoding="utf-8")
