"""The wheel must carry every shader: each file under shaders/ matches a package-data
pattern of pyproject.toml (an editable install hides a missing pattern; a wheel does not)."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.support import REPO as ROOT


def test_every_shader_file_is_shipped_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["slideshow.shaders"] == "shaders"
    patterns = config["package-data"]["slideshow.shaders"]
    shader_files = [p.relative_to(ROOT / "shaders").as_posix()
                    for p in (ROOT / "shaders").rglob("*")
                    if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert shader_files, "no shader files found"
    missing = [f for f in shader_files
               if not any(fnmatch.fnmatch(f, pattern) and f.count("/") == pattern.count("/")
                          for pattern in patterns)]
    assert not missing, f"not in the wheel (add a package-data pattern): {missing}"


def test_every_package_with_modules_is_listed():
    packages = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "slideshow").rglob("__init__.py")}
    assert on_disk <= packages, f"packages missing from pyproject: {sorted(on_disk - packages)}"
