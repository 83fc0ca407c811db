"""Putting our X11 window inside a window someone else owns: xscreensaver's saver window,
a preview pane, or the root window for `-root`; through libX11 via ctypes.

glfw cannot create a window inside a foreign one, so the show opens its usual window and
`X11Embedding` moves it: XReparentWindow into the parent at (0, 0), sized to the parent.
This module never imports glfw; the window surface passes its window's XID
(`glfw.get_x11_window`). It keeps its own X connection, so nothing here shares Xlib state
with glfw's connection except the process-wide error handler (below).

The host may destroy the parent at any moment, and Xlib's default error handler then
*exits the process* on the next request that names it. So every call here runs with a
recording handler installed (and the previous one restored after), and `XSync` turns
the asynchronous error into a result: `parent_size()` is None once the parent is gone.
`keep_x_errors_nonfatal()` installs a silent handler for the whole process, for the
moment the parent dies: the X server destroys our window with it, and glfw's next request
on that window would otherwise take the process down before the show can close cleanly.
That one must run no Python: an error on glfw's connection is handled inside Xlib with the
connection locked, on whichever thread reads it, and a Python handler then needs the GIL,
which a render thread may hold inside moderngl while Mesa waits for that very lock. That
deadlock was seen: the main thread in the error handler, the render thread in XGetGeometry.
So the process-wide handler is a C function that ignores its arguments (libc's
sched_yield: Xlib ignores what a handler returns), and only this module's own calls, on its
own connection, record their errors.

Each poll is one round trip (XGetGeometry, plus XSync only when the size changed):
well under a millisecond on a local display, cheap enough for a few times a second.
Xlib is not thread-safe here (no XInitThreads): use one `X11Embedding` from one thread.
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import functools
import logging
import os
from dataclasses import dataclass

from slideshow.errors import SurfaceError

log = logging.getLogger(__name__)

_Display = ctypes.c_void_p
_Window = ctypes.c_ulong  # an XID: unsigned long in Xlib's ABI


class _XErrorEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("display", _Display),
        ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    ]


_ErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, _Display, ctypes.POINTER(_XErrorEvent))

# X protocol error codes worth naming in a log line.
_ERROR_NAMES = {2: "BadValue", 3: "BadWindow", 8: "BadMatch", 9: "BadDrawable", 10: "BadAccess"}


@dataclass(frozen=True)
class XError:
    """One X protocol error the recording handler caught."""

    display: int  # the Display* it arrived on
    code: int
    request: int  # the major opcode of the request that failed
    resource: int  # the XID it named

    def __str__(self) -> str:
        name = _ERROR_NAMES.get(self.code, f"error {self.code}")
        return f"{name} (request {self.request}, resource 0x{self.resource:x})"


# Errors recorded and not yet taken. The handler may run for any connection (it is
# process-wide while installed), so each entry says which display it came from. Bounded,
# oldest dropped: a show that keeps drawing into a destroyed window fails every frame,
# and nobody may be taking glfw's errors.
_errors: collections.deque[XError] = collections.deque(maxlen=256)


def _record_error(display: int | None, event: ctypes._Pointer) -> int:  # type: ignore[type-arg]
    e = event.contents
    _errors.append(XError(display or 0, e.error_code, e.request_code, e.resourceid))
    return 0  # Xlib ignores the value; returning at all (not exiting) is what matters


# The one callback object for the process. ctypes frees a callback's thunk when the Python
# object dies, and Xlib would then jump into freed memory: so it lives as long as the module.
_ERROR_HANDLER = _ErrorHandler(_record_error)
_ERROR_HANDLER_ADDRESS = ctypes.cast(_ERROR_HANDLER, ctypes.c_void_p).value


def _take_errors(display: int) -> list[XError]:
    mine = [e for e in _errors if e.display == display]
    if mine:
        others = [e for e in _errors if e.display != display]
        _errors.clear()
        _errors.extend(others)
    return mine


@functools.cache
def _xlib() -> ctypes.CDLL:
    """libX11, its functions typed; loaded on first use so importing this module works
    where there is no X11 at all (Windows, macOS, Wayland-only)."""
    for name in ("libX11.so.6", ctypes.util.find_library("X11")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise SurfaceError("cannot load libX11 (libX11.so.6): embedding into an X11 window "
                           "needs Xlib; install libx11-6 (Debian/Ubuntu) or libX11 (Fedora)")
    c_int, c_uint, p_uint, p_int = ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), \
        ctypes.POINTER(ctypes.c_int)
    signatures: dict[str, tuple[object, list[object]]] = {
        "XOpenDisplay": (_Display, [ctypes.c_char_p]),
        "XCloseDisplay": (c_int, [_Display]),
        "XDefaultRootWindow": (_Window, [_Display]),
        "XSetErrorHandler": (ctypes.c_void_p, [ctypes.c_void_p]),
        "XReparentWindow": (c_int, [_Display, _Window, _Window, c_int, c_int]),
        "XMapWindow": (c_int, [_Display, _Window]),
        "XMoveResizeWindow": (c_int, [_Display, _Window, c_int, c_int, c_uint, c_uint]),
        "XGetGeometry": (c_int, [_Display, _Window, ctypes.POINTER(_Window), p_int, p_int,
                                 p_uint, p_uint, p_uint, p_uint]),
        "XSync": (c_int, [_Display, c_int]),
    }
    for fname, (restype, argtypes) in signatures.items():
        function = getattr(lib, fname)
        function.restype, function.argtypes = restype, argtypes
    return lib


class _Recording:
    """Installs the recording error handler for the `with` block, then puts back whatever
    handler was there (glfw's, the default one, or ours from `keep_x_errors_nonfatal`)."""

    def __enter__(self) -> None:
        self._previous = _xlib().XSetErrorHandler(_ERROR_HANDLER_ADDRESS)

    def __exit__(self, *exc: object) -> None:
        _xlib().XSetErrorHandler(self._previous)


@functools.cache
def _silent_handler_address() -> int:
    """A C function Xlib may call as an error handler without running any Python."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return int(ctypes.cast(libc.sched_yield, ctypes.c_void_p).value)


def keep_x_errors_nonfatal() -> None:
    """Makes X errors on *every* connection in this process (glfw's included) ignored
    instead of fatal, for the rest of the process, with a handler that runs no Python (see
    the module docstring). Call it once the window exists and is embedded: the host can
    destroy the parent, and our window with it, at any moment. glfw 3.4 restores the
    previous handler after its own calls; glfw 3.3 resets it to Xlib's default (after
    creating a window, among others): hence call it after creating the window, and again
    now and then."""
    _xlib().XSetErrorHandler(_silent_handler_address())


def installed_error_handler() -> int:
    """The address of the process's X error handler now (for tests)."""
    xlib = _xlib()
    current = xlib.XSetErrorHandler(None)
    xlib.XSetErrorHandler(current)
    return int(current or 0)


def _open_display(display_name: str | None) -> int:
    name = display_name if display_name is not None else os.environ.get("DISPLAY", "")
    display = _xlib().XOpenDisplay(name.encode() if name else None)
    if not display:
        raise SurfaceError(f"cannot open the X display {name or '(DISPLAY is not set)'!r}: "
                           "is an X server running, and is DISPLAY right?")
    return int(display)


def root_window_id(display_name: str | None = None) -> int:
    """The root window of the display's default screen (for `-root` outside xscreensaver,
    which passes its own window in XSCREENSAVER_WINDOW instead). Window managers with a
    virtual root (__SWM_VROOT) are not looked for."""
    display = _open_display(display_name)
    try:
        return int(_xlib().XDefaultRootWindow(display))
    finally:
        _xlib().XCloseDisplay(display)


class X11Embedding:
    """Our window `child_xid`, reparented into `parent_xid` and kept at the parent's size.

    Raises SurfaceError when either window does not exist. Use `follow_parent()` to poll;
    `close()` closes this object's X connection (the windows stay as they are)."""

    def __init__(self, parent_xid: int, child_xid: int, display_name: str | None = None) -> None:
        self.parent_xid = parent_xid
        self.child_xid = child_xid
        self._x = _xlib()
        self._display: int | None = _open_display(display_name)
        self._child_size: tuple[int, int] | None = None
        try:
            size = self.parent_size()
            if size is None:
                raise SurfaceError(f"the window 0x{parent_xid:x} to draw into does not exist "
                                   "(any more): check -window-id / XSCREENSAVER_WINDOW")
            with _Recording():
                self._x.XReparentWindow(self._display, child_xid, parent_xid, 0, 0)
                self._x.XMapWindow(self._display, child_xid)
                self._x.XSync(self._display, 0)
            failed = _take_errors(self._display)
            if failed:
                raise SurfaceError(f"cannot move window 0x{child_xid:x} into 0x{parent_xid:x}: "
                                   f"{failed[0]}")
            self._resize_child(size)
        except BaseException:
            self.close()
            raise

    def parent_size(self) -> tuple[int, int] | None:
        """The parent's inner size in pixels (width, height); None once it is gone."""
        if self._display is None:
            return None
        root, x, y = _Window(), ctypes.c_int(), ctypes.c_int()
        width, height, border, depth = (ctypes.c_uint() for _ in range(4))
        with _Recording():
            # XGetGeometry is a round trip: its error (BadDrawable, BadWindow) has been
            # handled by the time it returns, so no XSync is needed.
            ok = self._x.XGetGeometry(self._display, self.parent_xid, ctypes.byref(root),
                                      ctypes.byref(x), ctypes.byref(y), ctypes.byref(width),
                                      ctypes.byref(height), ctypes.byref(border),
                                      ctypes.byref(depth))
        failed = _take_errors(self._display)
        if not ok or failed:
            return None
        return (width.value, height.value)

    def parent_alive(self) -> bool:
        return self.parent_size() is not None

    def follow_parent(self) -> tuple[int, int] | None:
        """Resizes our window when the parent's size changed since the last call; returns
        the parent's size, or None once the parent is gone (time to close the show)."""
        size = self.parent_size()
        if size is not None and size != self._child_size:
            self._resize_child(size)
        return size

    def _resize_child(self, size: tuple[int, int]) -> None:
        # X rejects zero-sized windows with BadValue; a parent that small shows nothing anyway.
        width, height = max(1, size[0]), max(1, size[1])
        with _Recording():
            self._x.XMoveResizeWindow(self._display, self.child_xid, 0, 0, width, height)
            self._x.XSync(self._display, 0)
        failed = _take_errors(self._display or 0)
        if failed:
            log.warning("cannot resize window 0x%x to %dx%d: %s", self.child_xid, width,
                        height, failed[0])
            return
        self._child_size = size

    def close(self) -> None:
        if self._display is not None:
            display, self._display = self._display, None
            with _Recording():
                self._x.XCloseDisplay(display)
            _take_errors(display)
