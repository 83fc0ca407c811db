"""Finds the GLSL files shipped in the package (`shaders/` in the repository, `slideshow.shaders`
once installed) through importlib.resources, so shaders never live as Python strings. A
checkout used without installing (PYTHONPATH=.) reads the repository's `shaders/`. Shared by
`gpu/` (which compiles them) and `transitions/` (which finds and parses transition files).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_CHECKOUT_SHADERS = Path(__file__).resolve().parents[1] / "shaders"


def shader_path(name: str) -> Traversable:
    """Where `shaders/<name>` (a file or a folder) is, whether or not it exists."""
    try:
        return resources.files("slideshow.shaders").joinpath(name)
    except ModuleNotFoundError:
        return _CHECKOUT_SHADERS / name


@cache
def shader_source(name: str) -> str:
    """The text of `shaders/<name>`; raises FileNotFoundError naming the file."""
    path = shader_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"shader {name!r} is not in the slideshow.shaders package")
    return path.read_text(encoding="utf-8")
