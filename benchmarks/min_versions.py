"""The minimum-versions install: every floor of pyproject.toml pinned with ==, then the show.

    python3 benchmarks/min_versions.py [--python python3.11] [--workdir /tmp] [--keep]

Reads the dependencies (and the test extra) of pyproject.toml; each must have a `>=` floor.
A fresh virtual environment gets this checkout installed (not editable) with a constraints
file pinning every floor (`name==floor`, markers kept), so pip may only pick those releases;
their dependencies (glcontext, cffi...) resolve freely. Then, from a folder outside the
checkout (so the installed copy is what runs): the installed versions are read back against
the floors, the package is imported, a HEIC and an AVIF photo are written with the pinned
Pillow and pillow-heif and read by `slideshow check`, `slideshow bench --headless --seconds 2`
runs, and `slideshow transitions` lists the library.

Prints one line per step (seconds, ok / FAILED, the figure or the last line of output) and
the floors with what was installed; exits 1 when a step failed. Needs the network (or a
local index) for the install, and EGL (Mesa) for the headless bench.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][^,;\s]*)\s*(;.*)?$")

# Writes a HEIC and an AVIF photo with whatever Pillow and pillow-heif are installed.
MAKE_PHOTOS = """
import sys
from PIL import Image
import pillow_heif
pillow_heif.register_heif_opener()
image = Image.radial_gradient("L").convert("RGB").resize((320, 200))
image.save(sys.argv[1] + "/photo.heic")
image.save(sys.argv[1] + "/photo.avif")
"""

# The installed version of each distribution named on the command line.
READ_VERSIONS = """
import sys
from importlib import metadata
for name in sys.argv[1:]:
    print(name, metadata.version(name))
"""


def floors(pyproject: Path) -> list[tuple[str, str, str]]:
    """(name, floor, marker) of every dependency and test requirement; exits naming any
    requirement without a `>=` floor (it could not be pinned)."""
    project = tomllib.loads(pyproject.read_text())["project"]
    found, unpinnable = [], []
    test = project["optional-dependencies"].get("test", [])
    for requirement in [*project["dependencies"], *test]:
        match = FLOOR.match(requirement)
        if match is None:
            unpinnable.append(requirement)
            continue
        found.append((match[1], match[2], match[3] or ""))  # the marker keeps its ";"
    if unpinnable:
        sys.exit(f"min_versions: no `>=` floor to pin in: {', '.join(unpinnable)}")
    return found


def same_version(installed: str, floor: str) -> bool:
    """'3.0.0' is the release a floor of '3' pins."""
    def parts(version: str) -> list[str]:
        items = version.split(".")
        while len(items) > 1 and items[-1] == "0":
            items.pop()
        return items
    return parts(installed) == parts(floor)


class Steps:
    """Runs each step as a process, timed, and keeps one line per step."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.failed = 0

    def run(self, label: str, command: list[str], timeout_s: float = 600.0,
            describe: Callable[[str], str] | None = None) -> subprocess.CompletedProcess | None:
        """`describe(stdout)` is what an ok step shows; the last line of output otherwise."""
        started = time.monotonic()
        try:
            result = subprocess.run(command, cwd=self.cwd, capture_output=True, text=True,
                                    timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            self.report(label, time.monotonic() - started, False,
                        f"no end after {timeout_s:.0f} s")
            return None
        output = (result.stdout + result.stderr).strip().splitlines()
        ok = result.returncode == 0
        detail = describe(result.stdout) if ok and describe else (output[-1] if output else "")
        if not ok:
            detail = f"exit {result.returncode}: {detail}"
        self.report(label, time.monotonic() - started, ok, detail)
        return result

    def report(self, label: str, seconds: float, ok: bool, detail: str) -> None:
        self.failed += not ok
        verdict = "ok" if ok else "FAILED"
        print(f"{label:<40} {seconds:6.1f} s  {verdict:<6}  {detail[:100]}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter the venv is made from (default: this one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the throwaway venv goes (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="leave the venv for a look afterwards")
    args = parser.parse_args()

    pins = floors(REPO / "pyproject.toml")
    work = Path(tempfile.mkdtemp(prefix="min-versions-", dir=args.workdir))
    try:
        return measure(args.python, pins, work)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(python: str, pins: list[tuple[str, str, str]], work: Path) -> int:
    venv, outside = work / "venv", work / "cwd"
    outside.mkdir()
    constraints = work / "floors.txt"
    constraints.write_text("".join(f"{name}=={floor}{marker}\n" for name, floor, marker in pins))
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    vpython, slideshow = str(bin_dir / "python"), str(bin_dir / "slideshow")
    steps = Steps(outside)

    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f"minimum versions on Python {version}: {len(pins)} floors pinned "
          f"({', '.join(f'{n}=={f}' for n, f, _ in pins)})\n")
    made = steps.run("venv", [python, "-m", "venv", str(venv)], describe=nothing)
    if made is None or made.returncode != 0:
        return 1
    installed = steps.run("pip install . (floors pinned)",
                          [vpython, "-m", "pip", "install", "-q", "--no-cache-dir",
                           "-c", str(constraints), f"{REPO}[test]"], describe=nothing)
    if installed is None or installed.returncode != 0:
        return 1

    got = installed_versions(vpython, [name for name, _, _ in pins], outside)
    off = [f"{name} {got.get(name)} (floor {floor})" for name, floor, _ in pins
           if not same_version(got.get(name, "?"), floor)]
    steps.report("installed versions are the floors", 0.0, not off,
                 "; ".join(off) if off else f"{len(pins)} of {len(pins)}")

    modules = ", ".join(["slideshow.cli", "slideshow.workers.decode", "slideshow.audio.service",
                         "slideshow.gpu.headless"])
    steps.run("import slideshow", [vpython, "-c", f"import {modules}"], describe=nothing)
    steps.run("write a HEIC and an AVIF photo", [vpython, "-c", MAKE_PHOTOS, str(outside)],
              describe=nothing)
    steps.run("slideshow check photo.heic photo.avif",
              [slideshow, "check", str(outside / "photo.heic"), str(outside / "photo.avif")])
    steps.run("slideshow bench --headless --seconds 2",
              [slideshow, "bench", "--headless", "--seconds", "2"], timeout_s=300,
              describe=lambda out: first_line(out, "dt ms"))
    steps.run("slideshow transitions", [slideshow, "transitions"],
              describe=lambda out: f"{sum(line[:1].isalnum() for line in out.splitlines())} listed")

    print("\nfloor / installed:")
    for name, floor, _ in pins:
        print(f"  {name:<14} {floor:<8} {got.get(name, '?')}")
    glcontext = installed_versions(vpython, ["glcontext"], outside).get("glcontext", "?")
    print(f"  (resolved freely: glcontext {glcontext})")
    return 1 if steps.failed else 0


def nothing(_stdout: str) -> str:
    return ""


def first_line(text: str, start: str) -> str:
    return next((line for line in text.splitlines() if line.startswith(start)), "")


def installed_versions(vpython: str, names: list[str], cwd: Path) -> dict[str, str]:
    read = subprocess.run([vpython, "-c", READ_VERSIONS, *names], capture_output=True, text=True,
                          cwd=cwd, check=False)
    return dict(line.split(" ", 1) for line in read.stdout.splitlines())


if __name__ == "__main__":
    sys.exit(main())
