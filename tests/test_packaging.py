"""What the wheel and the sdist carry: every shader (each file under shaders/ matches a
package-data pattern of pyproject.toml; an editable install hides a missing pattern, a wheel
does not), every package listed, and the sdist's extras (MANIFEST.in: the tests whole, the
documents, the scripts)."""

from __future__ import annotations

import fnmatch
import shutil
import tomllib

from tests.support import REPO as ROOT


def listed_packages() -> set[str]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(setuptools["packages"])


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
    packages = listed_packages()
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "slideshow").rglob("__init__.py")}
    assert on_disk <= packages, f"packages missing from pyproject: {sorted(on_disk - packages)}"


def test_every_shader_folder_is_a_listed_package():
    # A folder of shaders left out of `packages` makes setuptools warn "Package would be
    # ignored" (about a hundred lines on every install).
    shaders = ROOT / "shaders"
    folders = {".".join(["slideshow", *p.relative_to(ROOT).parts])
               for p in [shaders, *shaders.rglob("*")] if p.is_dir() and p.name != "__pycache__"}
    assert {"slideshow.shaders", "slideshow.shaders.transitions"} <= folders
    assert folders - listed_packages() == set()


def test_sdist_template_carries_the_tests_docs_and_scripts(tmp_path, monkeypatch):
    # setuptools' own MANIFEST.in reader over a copy of the tree, with a stray bytecode file
    # planted: what it selects is what `python -m build --sdist` adds beyond the packages.
    from setuptools.command.egg_info import FileList  # only the test extra installs setuptools
    shipped = ["tests", "docs", "scripts", "benchmarks", "run.sh", "test.sh", "MANIFEST.in"]
    for name in shipped:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    (tmp_path / "tests" / "__pycache__").mkdir()
    (tmp_path / "tests" / "__pycache__" / "support.cpython-311.pyc").write_bytes(b"\0")
    monkeypatch.chdir(tmp_path)

    selected = FileList()
    for line in (tmp_path / "MANIFEST.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            selected.process_template_line(line)

    expected = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.name != "MANIFEST.in"}
    assert {"tests/conftest.py", "tests/empty.toml", "docs/screensaver.md",
            "scripts/bootstrap.sh", "run.sh", "test.sh"} <= expected
    assert set(selected.files) == expected
