"""Surfaces: the headless EGL target and a real glfw window under Xvfb (each window test in
a fresh process, see tests.support.run_in_fresh_process)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import run_in_fresh_process

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def test_headless_surface_draws_and_reads_back(egl_surface):
    assert egl_surface.kind == "headless" and egl_surface.swap_never_blocks
    assert egl_surface.refresh_hz == 0.0
    egl_surface.ctx.clear(0.0, 1.0, 0.0, 1.0)
    egl_surface.finish()
    pixels = np.frombuffer(egl_surface.read_pixels(), np.uint8).reshape(32, 64, 4)
    assert (pixels == (0, 255, 0, 255)).all()


def window_round_trip() -> dict:
    from slideshow.gpu.window import WindowSurface

    surface = WindowSurface((320, 200), fullscreen=False)
    try:
        facts = {"kind": surface.kind, "size": surface.size, "refresh_hz": surface.refresh_hz}
        surface.use()
        surface.ctx.clear(1.0, 0.0, 0.0, 1.0)
        surface.finish()
        facts["pixels"] = np.frombuffer(surface.read_pixels(), np.uint8).reshape(200, 320, 4).copy()
        surface.swap()
        surface.poll()
        facts["closing_before"] = surface.should_close()
        surface.request_close()
        facts["closing_after"] = surface.should_close()
        facts["gl_error"] = surface.ctx.error
    finally:
        surface.release()
    surface.release()  # idempotent
    return facts


def fullscreen_sizes() -> tuple[tuple[int, int], tuple[int, int]]:
    import glfw

    from slideshow.gpu.window import WindowSurface

    surface = WindowSurface((320, 200), fullscreen=True)
    try:
        mode = glfw.get_video_mode(glfw.get_primary_monitor())
        return surface.size, (mode.size.width, mode.size.height)
    finally:
        surface.release()


@pytest.mark.window
def test_window_surface_opens_draws_and_closes(x_display):
    facts = run_in_fresh_process(window_round_trip)
    assert facts["kind"] == "window" and facts["size"] == (320, 200)
    assert facts["refresh_hz"] == 0.0  # Xvfb reports no refresh rate
    assert (facts["pixels"] == (255, 0, 0, 255)).all()
    assert facts["closing_before"] is False and facts["closing_after"] is True
    assert facts["gl_error"] == "GL_NO_ERROR"


@pytest.mark.window
def test_fullscreen_window_takes_the_monitor_size(x_display):
    window_size, monitor_size = run_in_fresh_process(fullscreen_sizes)
    assert window_size == monitor_size
