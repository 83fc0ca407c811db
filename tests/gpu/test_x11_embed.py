"""Embedding our window into a foreign X11 window (slideshow.gpu.x11_embed), under Xvfb;
and, at the end, what can be checked of its Windows sibling (slideshow.gpu.win32_embed).

Each window test runs in a fresh process (tests.support.run_in_fresh_process): it opens a real glfw
window with a GLX context, which the shared EGL test context would refuse. The "foreign"
parent is made with plain Xlib on a connection of its own, as xscreensaver would."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from tests.support import run_in_fresh_process
from tests.x11 import ForeignWindow

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def open_glfw_window(width: int, height: int):
    """A plain glfw window with an OpenGL 3.3 core context, as the window surface makes."""
    import glfw

    assert glfw.init()
    glfw.default_window_hints()
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
    window = glfw.create_window(width, height, "embedded", None, None)
    assert window, glfw.get_error()
    glfw.make_context_current(window)
    return window


def children_of(xid: int) -> str:
    """xwininfo's list of a window's children: what an outside observer sees."""
    return subprocess.run(["xwininfo", "-children", "-id", str(xid)], capture_output=True,
                          text=True, timeout=30, check=True).stdout


def poll_until(condition, timeout_s: float = 5.0) -> bool:
    import time

    import glfw

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        glfw.poll_events()
        if condition():
            return True
        time.sleep(0.01)
    return False


def embed_and_list_children() -> dict:
    import glfw

    from slideshow.gpu.x11_embed import X11Embedding

    parent = ForeignWindow(400, 300)
    window = open_glfw_window(320, 200)
    child = glfw.get_x11_window(window)
    facts = {"parent": parent.xid, "child": child, "before": children_of(parent.xid)}
    embedding = X11Embedding(parent.xid, child)
    facts["after"] = children_of(parent.xid)
    facts["parent_size"] = embedding.parent_size()
    facts["alive"] = embedding.parent_alive()
    poll_until(lambda: glfw.get_framebuffer_size(window) == (400, 300))
    facts["framebuffer"] = glfw.get_framebuffer_size(window)
    embedding.close()
    facts["size_after_close"] = embedding.parent_size()
    glfw.destroy_window(window)
    glfw.terminate()
    parent.destroy()
    parent.close()
    return facts


@pytest.mark.window
def test_the_glfw_window_becomes_a_child_of_the_parent_at_its_size(x_display):
    facts = run_in_fresh_process(embed_and_list_children)
    child = f"0x{facts['child']:x}"
    assert child not in facts["before"] and "0 children." in facts["before"]
    assert "1 child:" in facts["after"]
    # xwininfo: `0x400007 "embedded": ("embedded" "embedded")  400x300+0+0  +20+20`
    line = next(text for text in facts["after"].splitlines() if child in text)
    assert "400x300+0+0" in line
    assert facts["parent_size"] == (400, 300) and facts["alive"] is True
    assert facts["framebuffer"] == (400, 300)
    assert facts["size_after_close"] is None  # a closed embedding answers, without X


def follow_a_resized_parent() -> dict:
    import glfw

    from slideshow.gpu.x11_embed import X11Embedding

    parent = ForeignWindow(400, 300)
    window = open_glfw_window(320, 200)
    embedding = X11Embedding(parent.xid, glfw.get_x11_window(window))
    facts = {"first": embedding.parent_size()}
    parent.resize(640, 360)
    facts["after_resize"] = embedding.parent_size()
    facts["child_before_follow"] = _line_size(children_of(parent.xid), glfw.get_x11_window(window))
    facts["followed"] = embedding.follow_parent()
    facts["child_after_follow"] = _line_size(children_of(parent.xid), glfw.get_x11_window(window))
    poll_until(lambda: glfw.get_framebuffer_size(window) == (640, 360))
    facts["framebuffer"] = glfw.get_framebuffer_size(window)
    embedding.close()
    glfw.destroy_window(window)
    glfw.terminate()
    parent.destroy()
    parent.close()
    return facts


def _line_size(listing: str, xid: int) -> str:
    line = next(text for text in listing.splitlines() if f"0x{xid:x}" in text)
    return next(part for part in line.split() if "+0+0" in part)


@pytest.mark.window
def test_parent_size_follows_a_resize_and_the_child_is_resized_to_it(x_display):
    facts = run_in_fresh_process(follow_a_resized_parent)
    assert facts["first"] == (400, 300)
    assert facts["after_resize"] == (640, 360)
    assert facts["child_before_follow"] == "400x300+0+0"  # nothing moves it by itself
    assert facts["followed"] == (640, 360)
    assert facts["child_after_follow"] == "640x360+0+0"
    assert facts["framebuffer"] == (640, 360)  # glfw saw the ConfigureNotify


def outlive_the_parent() -> dict:
    import glfw

    from slideshow.gpu.x11_embed import (
        X11Embedding,
        _silent_handler_address,
        installed_error_handler,
        keep_x_errors_nonfatal,
    )

    parent = ForeignWindow(400, 300)
    window = open_glfw_window(320, 200)
    embedding = X11Embedding(parent.xid, glfw.get_x11_window(window))
    keep_x_errors_nonfatal()
    # A C function, not a Python callback: a Python handler needs the GIL inside Xlib's
    # lock, and deadlocked against a render thread holding the GIL inside Mesa.
    facts = {"silent_handler": installed_error_handler() == _silent_handler_address()}
    facts["alive_before"] = embedding.parent_alive()
    parent.destroy()  # the X server destroys our window with it
    facts["alive_after"] = embedding.parent_alive()
    facts["size_after"] = embedding.parent_size()
    facts["followed"] = embedding.follow_parent()
    # glfw does not know: it draws, swaps and polls on a window that no longer exists.
    # Under Xlib's default handler the first of these exits the process (BadDrawable).
    glfw.swap_buffers(window)
    glfw.poll_events()
    glfw.destroy_window(window)
    glfw.terminate()
    facts["still_silent"] = installed_error_handler() == _silent_handler_address()
    embedding.close()
    parent.close()
    return facts


@pytest.mark.window
def test_a_destroyed_parent_reads_as_gone_and_the_process_lives_on(x_display):
    facts = run_in_fresh_process(outlive_the_parent)  # BrokenProcessPool if it died
    assert facts["alive_before"] is True
    assert facts["alive_after"] is False
    assert facts["size_after"] is None and facts["followed"] is None
    assert facts["silent_handler"]  # and the process lived through glfw's failing requests
    assert facts["still_silent"]  # the embedding's own calls put it back after theirs


def poll_a_destroyed_parent_without_help() -> list:
    from slideshow.gpu.x11_embed import X11Embedding

    parent, child = ForeignWindow(300, 200), ForeignWindow(50, 50)
    embedding = X11Embedding(parent.xid, child.xid)
    answers = [embedding.parent_alive()]
    parent.destroy()  # destroys `child` too
    answers += [embedding.parent_alive(), embedding.parent_size(), embedding.follow_parent()]
    embedding.close()
    parent.close()
    child.close()
    return answers


@pytest.mark.window
def test_polling_a_destroyed_parent_is_safe_under_xlibs_default_handler(x_display):
    # No keep_x_errors_nonfatal() here: each call must catch its own BadWindow, or Xlib's
    # default handler exits the (fresh) process and the pool reports it broken.
    assert run_in_fresh_process(poll_a_destroyed_parent_without_help) == [True, False, None, None]


def embed_into_a_missing_parent() -> str:
    import glfw

    from slideshow.errors import SurfaceError
    from slideshow.gpu.x11_embed import X11Embedding

    parent = ForeignWindow(100, 100)
    parent.destroy()
    window = open_glfw_window(64, 64)
    try:
        X11Embedding(parent.xid, glfw.get_x11_window(window))
    except SurfaceError as exc:
        return str(exc)
    finally:
        glfw.destroy_window(window)
        glfw.terminate()
        parent.close()
    return "no error"


@pytest.mark.window
def test_embedding_into_a_window_that_does_not_exist_says_so(x_display):
    message = run_in_fresh_process(embed_into_a_missing_parent)
    assert "does not exist" in message and "-window-id" in message


@pytest.mark.window
def test_the_root_window_id_is_the_one_xwininfo_reports(x_display):
    from slideshow.gpu.x11_embed import root_window_id

    listing = subprocess.run(["xwininfo", "-root"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    assert f"Window id: 0x{root_window_id():x} (the root window)" in listing


@pytest.mark.window
def test_a_display_that_cannot_be_opened_is_a_surface_error(x_display):
    from slideshow.errors import SurfaceError
    from slideshow.gpu.x11_embed import root_window_id

    with pytest.raises(SurfaceError, match=":4242"):
        root_window_id(":4242")


# ---- the Windows preview's sibling: only what can be checked off Windows ----

def test_the_win32_module_imports_anywhere_and_computes_a_child_style():
    from slideshow.gpu import win32_embed as w

    # a glfw decorated window (WS_OVERLAPPEDWINDOW | WS_CLIPSIBLINGS | WS_CLIPCHILDREN) and a
    # fullscreen one (WS_POPUP | ...) both become plain children that keep the clip bits
    clip = 0x04000000 | 0x02000000
    assert w.child_style(w.WS_OVERLAPPEDWINDOW | clip) == w.WS_CHILD | clip
    assert w.child_style(w.WS_POPUP | clip) == w.WS_CHILD | clip
    # GetWindowLongPtrW hands a style with bit 31 (WS_POPUP) back as a negative LONG_PTR
    assert w.child_style(w.WS_POPUP - (1 << 32)) == w.WS_CHILD


@pytest.mark.skipif(sys.platform == "win32", reason="checks the error off Windows")
def test_the_win32_preview_off_windows_says_it_needs_windows():
    from slideshow.errors import SurfaceError
    from slideshow.gpu.win32_embed import Win32Embedding

    with pytest.raises(SurfaceError, match=r"needs Windows.*-window-id"):
        Win32Embedding(1234, 5678)


def test_the_win32_preview_wants_handles_not_a_glfw_window_pointer():
    from slideshow.gpu.win32_embed import Win32Embedding

    glfw_window_pointer = ctypes.pointer(ctypes.c_int(0))  # what glfw.create_window returns
    with pytest.raises(TypeError, match="get_win32_window"):
        Win32Embedding(1234, glfw_window_pointer)  # type: ignore[arg-type]
