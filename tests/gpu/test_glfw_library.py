"""Which libglfw the show loads: the glfw wheel's own, chosen without pyGLFW's version
probe (a Python subprocess per library found, 0.13 s a process on the way to the first
photo); a library the user chose stays theirs. Each case imports glfw in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from slideshow.gpu.glfw_library import bundled_library
from tests.support import REPO

# Counts the subprocesses started while the show's window module (and so glfw) is imported.
PROBE = """
import json, os, subprocess
started = []
class CountingPopen(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        started.append(args[0])
        super().__init__(*args, **kwargs)
subprocess.Popen = CountingPopen
import slideshow.gpu.window
import glfw
print(json.dumps({"variable": os.environ.get("PYGLFW_LIBRARY"), "loaded": glfw.library.glfw._name,
                  "subprocesses": len(started), "version": glfw.get_version()}))
"""


def import_glfw(**environ: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYGLFW_LIBRARY", "PYGLFW_LIBRARY_VARIANT", "XDG_SESSION_TYPE")}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60, env={**env, "PYTHONPATH": str(REPO), **environ})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_wheels_library_is_loaded_without_a_version_probe():
    wheel = bundled_library({})
    seen = import_glfw()

    assert wheel is not None and wheel.parent.name == "x11" and wheel.is_file()
    assert seen["variable"] == seen["loaded"] == str(wheel)
    assert seen["subprocesses"] == 0
    assert seen["version"][0] == 3


def test_a_library_the_user_chose_is_kept(tmp_path):
    wheel = bundled_library({})
    assert wheel is not None
    chosen = tmp_path / "libglfw-mine.so"
    chosen.symlink_to(wheel)
    seen = import_glfw(PYGLFW_LIBRARY=str(chosen))

    assert seen["variable"] == seen["loaded"] == str(chosen)


def test_the_session_type_and_pyglfws_own_variable_choose_the_variant_as_pyglfw_does():
    wayland = bundled_library({"XDG_SESSION_TYPE": "wayland"})
    assert wayland is not None and wayland.parent.name == "wayland"
    forced = bundled_library({"XDG_SESSION_TYPE": "wayland", "PYGLFW_LIBRARY_VARIANT": "x11"})
    assert forced is not None and forced.parent.name == "x11"
    assert Path(str(bundled_library({"PYGLFW_LIBRARY_VARIANT": "nonsense"}))).parent.name == "x11"
