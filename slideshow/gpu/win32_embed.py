"""The Windows `/p HWND` preview: our glfw window made a child of the Control Panel's
little preview window, through user32 via ctypes.

UNTESTED HERE: the project's tests run on Linux, where only importing this module and the
clear error off Windows are checked. The calls follow the Win32 documentation:

- SetParent "does not modify the WS_CHILD or WS_POPUP window styles": a top-level window
  becoming a child must lose WS_POPUP (and the overlapped-window frame bits: caption,
  borders, system menu) and gain WS_CHILD *before* SetParent, through
  SetWindowLongPtrW(GWL_STYLE). Styles are cached, so SetWindowPos with SWP_FRAMECHANGED
  follows to make Windows re-read them.
- The preview "should cover the parent's entire client area": GetClientRect gives it
  (client coordinates, so left and top are 0), SetWindowPos places us at (0, 0).
- SetWindowLongPtrW returns the previous value, 0 meaning failure only when GetLastError
  says so: the last error is cleared before the call (ctypes' use_last_error copy).
- 32-bit Windows has no GetWindowLongPtrW export (it is a macro for GetWindowLongW there).

The parent belongs to another process (the Settings app); a cross-process SetParent works
but attaches the two threads' input queues, which is why a preview must never block its
window thread. The process's DPI awareness should match the parent's (Windows 10 1703+
may refuse a mismatched in-process SetParent; cross-process it resets the child's).

user32 is loaded on first use, so importing this module works on every platform.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from slideshow.errors import SurfaceError

GWL_STYLE = -16
WS_CHILD = 0x40000000
WS_POPUP = 0x80000000
WS_CAPTION = 0x00C00000  # WS_BORDER | WS_DLGFRAME
WS_SYSMENU = 0x00080000
WS_THICKFRAME = 0x00040000
WS_MINIMIZEBOX = 0x00020000
WS_MAXIMIZEBOX = 0x00010000
WS_OVERLAPPEDWINDOW = WS_CAPTION | WS_SYSMENU | WS_THICKFRAME | WS_MINIMIZEBOX | WS_MAXIMIZEBOX
SWP_NOZORDER = 0x0004
SWP_NOACTIVATE = 0x0010
SWP_FRAMECHANGED = 0x0020
SWP_SHOWWINDOW = 0x0040


class _RECT(ctypes.Structure):
    _fields_ = [("left", ctypes.c_long), ("top", ctypes.c_long),
                ("right", ctypes.c_long), ("bottom", ctypes.c_long)]


def child_style(style: int) -> int:
    """A top-level window's style turned into a child's: no popup, no frame, WS_CHILD."""
    return (style & ~(WS_POPUP | WS_OVERLAPPEDWINDOW) & 0xFFFFFFFF) | WS_CHILD


class _User32:
    """The user32 functions used here, typed."""

    def __init__(self) -> None:
        lib = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        hwnd, long_ptr = ctypes.c_void_p, ctypes.c_ssize_t  # LONG_PTR is pointer-sized
        self.get_window_long = getattr(lib, "GetWindowLongPtrW", None) or lib.GetWindowLongW
        self.get_window_long.restype = long_ptr
        self.get_window_long.argtypes = [hwnd, ctypes.c_int]
        self.set_window_long = getattr(lib, "SetWindowLongPtrW", None) or lib.SetWindowLongW
        self.set_window_long.restype = long_ptr
        self.set_window_long.argtypes = [hwnd, ctypes.c_int, long_ptr]
        self.SetParent = lib.SetParent
        self.SetParent.restype, self.SetParent.argtypes = hwnd, [hwnd, hwnd]
        self.IsWindow = lib.IsWindow
        self.IsWindow.restype, self.IsWindow.argtypes = ctypes.c_int, [hwnd]
        self.GetClientRect = lib.GetClientRect
        self.GetClientRect.restype = ctypes.c_int
        self.GetClientRect.argtypes = [hwnd, ctypes.POINTER(_RECT)]
        self.SetWindowPos = lib.SetWindowPos
        self.SetWindowPos.restype = ctypes.c_int
        self.SetWindowPos.argtypes = [hwnd, hwnd, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                      ctypes.c_int, ctypes.c_uint]


@functools.cache
def _user32() -> _User32:
    if sys.platform != "win32":
        raise SurfaceError(f"the Windows preview (/p HWND) needs Windows; this is {sys.platform}. "
                           "On X11 use -window-id or XSCREENSAVER_WINDOW instead")
    return _User32()


def _last_error(what: str) -> SurfaceError:
    code = ctypes.get_last_error()  # type: ignore[attr-defined]
    text = ctypes.FormatError(code).strip() if code else "no error code"  # type: ignore[attr-defined]
    return SurfaceError(f"{what} failed: {text} (Windows error {code})")


class Win32Embedding:
    """Our window `child_hwnd` as a child filling `parent_hwnd`'s client area; the same
    polling interface as `x11_embed.X11Embedding`. Raises SurfaceError off Windows, or
    when a window does not exist or a call fails."""

    def __init__(self, parent_hwnd: int, child_hwnd: int) -> None:
        if not isinstance(child_hwnd, int) or not isinstance(parent_hwnd, int):
            # ctypes would take a GLFWwindow* for an HWND without a word, and every call
            # would then fail as "not a window": say what is wanted instead.
            raise TypeError("Win32Embedding takes window handles as ints: the child's is "
                            f"glfw.get_win32_window(window), not {child_hwnd!r}")
        self._user32 = _user32()
        self.parent_hwnd = parent_hwnd
        self.child_hwnd = child_hwnd
        self._child_size: tuple[int, int] | None = None
        user32 = self._user32
        if not user32.IsWindow(parent_hwnd):
            raise SurfaceError(f"the preview window {parent_hwnd} given with /p does not exist")
        if not user32.IsWindow(child_hwnd):
            raise SurfaceError(f"our window {child_hwnd} does not exist")
        ctypes.set_last_error(0)  # type: ignore[attr-defined]
        style = user32.get_window_long(child_hwnd, GWL_STYLE)
        if style == 0 and ctypes.get_last_error():  # type: ignore[attr-defined]
            raise _last_error("GetWindowLongPtrW(GWL_STYLE)")
        # Child style first, then the new parent (SetParent's documented order).
        ctypes.set_last_error(0)  # type: ignore[attr-defined]
        previous = user32.set_window_long(child_hwnd, GWL_STYLE, _signed(child_style(style)))
        if previous == 0 and ctypes.get_last_error():  # type: ignore[attr-defined]
            raise _last_error("SetWindowLongPtrW(GWL_STYLE, WS_CHILD)")
        if not user32.SetParent(child_hwnd, parent_hwnd):
            raise _last_error(f"SetParent into the preview window {parent_hwnd}")
        size = self.parent_size()
        if size is None:
            raise SurfaceError(f"the preview window {parent_hwnd} closed while we moved in")
        self._place(size, SWP_FRAMECHANGED | SWP_SHOWWINDOW)

    def parent_size(self) -> tuple[int, int] | None:
        """The parent's client area in pixels (width, height); None once it is gone."""
        rect = _RECT()
        if not self._user32.IsWindow(self.parent_hwnd):
            return None
        if not self._user32.GetClientRect(self.parent_hwnd, ctypes.byref(rect)):
            return None  # destroyed between the two calls
        return (rect.right - rect.left, rect.bottom - rect.top)

    def parent_alive(self) -> bool:
        return bool(self._user32.IsWindow(self.parent_hwnd))

    def follow_parent(self) -> tuple[int, int] | None:
        """Resizes our window when the parent's client area changed since the last call;
        returns its size, or None once the parent is gone (time to close the preview)."""
        size = self.parent_size()
        if size is not None and size != self._child_size:
            self._place(size, 0)
        return size

    def _place(self, size: tuple[int, int], extra_flags: int) -> None:
        flags = SWP_NOZORDER | SWP_NOACTIVATE | extra_flags
        if not self._user32.SetWindowPos(self.child_hwnd, None, 0, 0, size[0], size[1], flags):
            raise _last_error(f"SetWindowPos to {size[0]}x{size[1]}")
        self._child_size = size

    def close(self) -> None:
        """Nothing to release (no connection of our own); here for symmetry with X11."""


def _signed(style: int) -> int:
    """A 32-bit style as the signed LONG_PTR SetWindowLongPtrW takes (WS_POPUP is bit 31)."""
    return style - (1 << 32) if style & 0x80000000 else style
