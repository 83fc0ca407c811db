"""The shader warmer: a process of its own draws the transitions it is given, for a surface
of the show's kind (EGL headless, a hidden window under X), says which it has finished
without the reader ever waiting, fills Mesa's on-disk shader cache, and is ended and
reaped by close() whether it has finished or not."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from slideshow.gpu.shader_warmer import ShaderWarmer

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

NAMES = ["wipe-left", "crossfade", "block-spin-grid"]
DEADLINE_S = 120.0  # a warmer at SCHED_IDLE on a busy 2-core machine may take its time


def wait_until_ended(warmer: ShaderWarmer) -> set[str]:
    deadline = time.monotonic() + DEADLINE_S
    while warmer.running:
        assert time.monotonic() < deadline, f"still running; finished {warmer.finished()}"
        time.sleep(0.05)
        warmer.finished()
    return warmer.finished()


@pytest.mark.egl
def test_a_headless_warmer_draws_every_transition_and_fills_the_shader_cache(
        egl_surface, tmp_path: Path, monkeypatch):
    if "Mesa" not in egl_surface.ctx.info["GL_VERSION"]:
        pytest.skip("the on-disk cache checked here is Mesa's")
    cache = tmp_path / "mesa-cache"
    monkeypatch.setenv("MESA_SHADER_CACHE_DIR", str(cache))  # the child's environment
    monkeypatch.delenv("MESA_SHADER_CACHE_DISABLE", raising=False)
    warmer = ShaderWarmer("headless", (64, 32), NAMES, tuple(NAMES), str(tmp_path / "user"))
    try:
        assert warmer.running and warmer.finished() == set()  # nothing before start
        assert multiprocessing.active_children() == []
        warmer.start()
        warmer.start()  # once only
        assert len(multiprocessing.active_children()) == 1
        assert wait_until_ended(warmer) == set(NAMES)
        assert any(path.is_file() for path in cache.rglob("*")), "nothing was cached"
    finally:
        warmer.close()


@pytest.mark.window
def test_a_window_warmer_draws_into_its_own_hidden_window(x_display, tmp_path: Path):
    warmer = ShaderWarmer("window", (64, 32), NAMES[:2], tuple(NAMES[:2]), str(tmp_path))
    try:
        warmer.start()
        assert wait_until_ended(warmer) == set(NAMES[:2])
    finally:
        warmer.close()


@pytest.mark.window
def test_with_the_governor_on_a_window_warmer_also_fills_the_scaled_targets_variants(
        x_display, egl_surface, tmp_path: Path, monkeypatch):
    if "Mesa" not in egl_surface.ctx.info["GL_VERSION"]:
        pytest.skip("the on-disk cache checked here is Mesa's")
    monkeypatch.delenv("MESA_SHADER_CACHE_DISABLE", raising=False)
    entries = {}
    for scaled in (False, True):
        cache = tmp_path / f"mesa-cache-{scaled}"
        monkeypatch.setenv("MESA_SHADER_CACHE_DIR", str(cache))
        warmer = ShaderWarmer("window", (64, 32), NAMES[:2], tuple(NAMES[:2]), str(tmp_path),
                              scaled=scaled)
        try:
            warmer.start()
            assert wait_until_ended(warmer) == set(NAMES[:2])
        finally:
            warmer.close()
        entries[scaled] = sum(path.is_file() for path in cache.rglob("*"))
    # The window's back buffer and the governor's RGBA8 texture are two variants each.
    assert entries[True] > entries[False] > 0


def test_close_ends_and_reaps_a_warmer_that_has_not_finished(tmp_path: Path):
    warmer = ShaderWarmer("headless", (64, 32), NAMES, ("all",), str(tmp_path))
    warmer.start()
    warmer.close()
    assert not warmer.running and multiprocessing.active_children() == []
    warmer.close()  # twice is fine
