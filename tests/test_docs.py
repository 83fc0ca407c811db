"""True words: every path and module the docs, docstrings and comments name exists, read as
text with regexes (nothing is imported):

- README.md, docs/*.md and every .py file under slideshow/, tests/ and benchmarks/ are
  scanned for repository paths: `slideshow/...` (a module or a folder), `docs/...`,
  `benchmarks/...`, `scripts/...`, `shaders/...` (a `*` in one is a glob) and `tests/...`;
  for paths inside the package written from its folders (`gpu/upload.py`, `run/`); and for
  dotted names (`slideshow.pacing.fake_time.FakeTime`: a module, then a name it holds);
- a module file named bare inside slideshow/ (`see fit.py`) is one beside the naming
  module, or a root module of the package;
- the design document the old docstrings cited, which never existed, is cited nowhere;
- every package under slideshow/ has an __init__.py whose docstring says what it owns.

A failure names each offence as file:line. The scan counts what it checked, so a regex that
silently matched nothing fails too."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO

PACKAGE = REPO / "slideshow"
#: Top folders of the repository that a path in a doc may start with.
TOP_FOLDERS = ("slideshow", "docs", "benchmarks", "scripts", "shaders", "tests")
#: The package's folders, as a path written from inside the package starts.
PACKAGE_FOLDERS = tuple(sorted(p.name for p in PACKAGE.iterdir()
                               if p.is_dir() and (p / "__init__.py").exists()))
#: Installed packages that live elsewhere in the repository (pyproject.toml's package-dir).
PACKAGE_DIRS = {"slideshow.shaders": "shaders"}
# A path starts where no path character is before it: never inside a longer path
# (`~/.config/slideshow/`, the `gpu/` of `tests/gpu/`) or a word.
_START = r"(?<![\w/.~$-])"
_PATH = re.compile(_START + r"((?:" + "|".join(TOP_FOLDERS) + r")/[\w./*-]*)")
# From a package folder: a module file (`gpu/upload.py`) or the folder itself (`run/`);
# `audio/mpeg` is neither.
_PACKAGE_PATH = re.compile(_START + r"((?:" + "|".join(PACKAGE_FOLDERS)
                           + r")/(?:[\w/]*\w\.py\b|(?![\w*])))")
_DOTTED = re.compile(r"(?<![\w./-])(slideshow(?:\.\w+)+)")
_BARE_MODULE = re.compile(r"(?<![\w/.-])(\w+\.py)\b")
#: Names that look like references and are not, by file, each with the reason.
NOT_REFERENCES = {
    # a package the import-rule tests build in tmp_path, and the docstring's example names
    "tests/test_imports.py": {"slideshow" + "/b/c.py", "slideshow" + ".a", "slideshow" + ".b",
                              "slideshow" + ".b.c", "slideshow" + ".d", "slideshow" + ".e",
                              "slideshow" + ".e.f", "slideshow" + ".x", "slideshow" + ".x.y",
                              "slideshow" + ".a.b"},
    "slideshow/commands/check.py": {"slideshow" + ".check"},  # a logger's name
}
#: Never a file of this project (the old docstrings cited it); spelt in two pieces so that
#: this file does not cite it either.
MISSING_DESIGN_DOC = "DESIGN" + ".md"


@dataclass(frozen=True)
class Reference:
    file: Path
    line: int
    name: str  # as written
    kind: str  # "path" (from the repository), "package path" (from slideshow/), "module"

    def where(self, repo: Path) -> str:
        return f"{self.file.relative_to(repo)}:{self.line}: {self.name}"


def scanned_files(repo: Path = REPO) -> list[Path]:
    files = [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]
    for folder in ("slideshow", "tests", "benchmarks"):
        files += sorted(p for p in (repo / folder).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def references(path: Path) -> Iterator[Reference]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for match in _PATH.finditer(line):
            yield Reference(path, number, match.group(1).rstrip("."), "path")
        for match in _PACKAGE_PATH.finditer(line):
            yield Reference(path, number, match.group(1), "package path")
        for match in _DOTTED.finditer(line):
            yield Reference(path, number, match.group(1), "module")


def _module_file(dotted: str, repo: Path) -> Path | None:
    """The file or folder of the module or package `dotted`, or None."""
    for installed, folder in PACKAGE_DIRS.items():
        if dotted == installed or dotted.startswith(installed + "."):
            base = repo / folder / dotted[len(installed):].replace(".", "/").lstrip("/")
            return base if base.is_dir() else None
    base = repo / Path(*dotted.split("."))
    if (base / "__init__.py").exists():
        return base / "__init__.py"
    return base.with_suffix(".py") if base.with_suffix(".py").exists() else None


def exists(reference: Reference, repo: Path = REPO) -> bool:
    if reference.kind == "module":
        # The longest leading part that is a module; what follows must be a name in it.
        parts = reference.name.split(".")
        for end in range(len(parts), 0, -1):
            found = _module_file(".".join(parts[:end]), repo)
            if found is not None:
                break
        if found is None or end == len(parts):
            return found is not None
        name = re.compile(rf"\b{parts[end]}\b")
        return found.is_file() and name.search(found.read_text(encoding="utf-8")) is not None
    base = repo / "slideshow" if reference.kind == "package path" else repo
    written = reference.name.rstrip("/")
    if "*" in written:
        return any(base.glob(written))
    target = base / written
    return target.is_dir() if reference.name.endswith("/") else target.exists()


def missing(files: list[Path], repo: Path = REPO) -> tuple[list[str], dict[str, int]]:
    """The references that name nothing (as file:line: name), and how many of each kind
    were checked."""
    found: list[str] = []
    checked = {"path": 0, "package path": 0, "module": 0}
    for path in files:
        not_references = NOT_REFERENCES.get(path.relative_to(repo).as_posix(), set())
        for reference in references(path):
            if reference.name in not_references:
                continue
            checked[reference.kind] += 1
            if not exists(reference, repo):
                found.append(reference.where(repo))
    return found, checked


def test_every_path_and_module_the_docs_and_the_code_name_exists():
    found, checked = missing(scanned_files())
    assert not found, "paths and modules that name nothing:\n" + "\n".join(found)
    # Each regex must keep matching what the project writes (today: 140 paths from the
    # repository, 117 from the package's folders and 504 dotted names).
    assert checked["path"] >= 100, checked
    assert checked["package path"] >= 50, checked
    assert checked["module"] >= 300, checked


def test_the_scan_reports_what_names_nothing_by_file_and_line(tmp_path):
    (tmp_path / "slideshow" / "gpu").mkdir(parents=True)
    (tmp_path / "slideshow" / "__init__.py").write_text("")
    (tmp_path / "slideshow" / "gpu" / "__init__.py").write_text("")
    (tmp_path / "slideshow" / "gpu" / "upload.py").write_text("class TextureUploader: ...\n")
    (tmp_path / "docs").mkdir()
    gone = "gpu/" + "gone.py"  # in pieces, or this file would name what does not exist
    gone_name = "slideshow.gpu." + "upload.Uploader"
    doc = tmp_path / "docs" / "architecture.md"
    doc.write_text(f"`slideshow/gpu/upload.py` and `gpu/upload.py`,\nbut slideshow/{gone}. "
                   f"audio/mpeg\n~/.config/slideshow/config.toml, `gpu/` and `{gone}`\n"
                   f"slideshow.gpu.upload.TextureUploader, not {gone_name}\n")
    found, checked = missing([doc], tmp_path)
    assert found == [f"docs/architecture.md:2: slideshow/{gone}",
                     f"docs/architecture.md:3: {gone}", f"docs/architecture.md:4: {gone_name}"]
    assert checked == {"path": 2, "package path": 3, "module": 2}


def test_a_module_named_bare_in_the_package_is_beside_it_or_at_the_root():
    found, checked = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _BARE_MODULE.finditer(line):
                checked += 1
                name = match.group(1)
                if not (path.parent / name).exists() and not (PACKAGE / name).exists():
                    found.append(f"{path.relative_to(REPO)}:{number}: {name}")
    assert not found, "module files named bare that are neither beside nor at the root:\n" + \
        "\n".join(found)
    assert checked >= 5


def test_the_design_document_that_never_existed_is_cited_nowhere():
    skipped = {".git", ".venv", "__pycache__", ".pytest_cache", "build", "dist"}
    found, read = [], 0
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO)
        if not path.is_file() or skipped & set(relative.parts) or relative.parts[0].endswith(".egg-info"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a picture
        read += 1
        found += [f"{relative}:{number}" for number, line in enumerate(text.splitlines(), 1)
                  if MISSING_DESIGN_DOC in line]
    assert not found, f"{MISSING_DESIGN_DOC} is no file of this project; cited at:\n" + "\n".join(found)
    assert read >= 100


def test_every_package_has_an_init_with_a_docstring():
    packages = sorted({path.parent for path in PACKAGE.rglob("*.py")
                       if "__pycache__" not in path.parts})
    assert len(packages) >= 12
    without = [str(p.relative_to(REPO)) for p in packages if not (p / "__init__.py").exists()]
    assert not without, f"packages without an __init__.py: {without}"
    silent = [str((p / "__init__.py").relative_to(REPO)) for p in packages
              if not ast.get_docstring(ast.parse((p / "__init__.py").read_text(encoding="utf-8")))]
    assert not silent, "package __init__.py files with no docstring (what the package owns, " \
        f"what it must never do): {silent}"
