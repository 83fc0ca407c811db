"""X11 helpers for the window tests, on connections of the test's own (plain Xlib through
ctypes, as a screensaver host would use): a foreign top-level window to embed the show into,
and real input events sent through the XTEST extension."""

from __future__ import annotations

import ctypes


class ForeignWindow:
    """A top-level window on its own X connection: the host's side of the test."""

    def __init__(self, width: int, height: int) -> None:
        from slideshow.gpu.x11_embed import _xlib

        self.x = _xlib()
        self.x.XCreateSimpleWindow.restype = ctypes.c_ulong
        self.x.XCreateSimpleWindow.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulong]
        self.x.XResizeWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_uint,
                                         ctypes.c_uint]
        self.x.XDestroyWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.display = self.x.XOpenDisplay(None)
        assert self.display, "cannot open the X display"
        root = self.x.XDefaultRootWindow(self.display)
        self.xid = int(self.x.XCreateSimpleWindow(self.display, root, 20, 20, width, height,
                                                  0, 0, 0))
        self.x.XMapWindow(self.display, self.xid)
        self.x.XSync(self.display, 0)

    def resize(self, width: int, height: int) -> None:
        self.x.XResizeWindow(self.display, self.xid, width, height)
        self.x.XSync(self.display, 0)

    def destroy(self) -> None:
        self.x.XDestroyWindow(self.display, self.xid)
        self.x.XSync(self.display, 0)

    def close(self) -> None:
        self.x.XCloseDisplay(self.display)


class XTestInput:
    """Real input events through the XTEST extension, on a connection of the test's own."""

    def __init__(self) -> None:
        self.x = ctypes.CDLL("libX11.so.6")
        self.xtst = ctypes.CDLL("libXtst.so.6")
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XFlush.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                   ctypes.c_int, ctypes.c_ulong]
        self.xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                                   ctypes.c_ulong]
        self.display = self.x.XOpenDisplay(None)
        assert self.display

    def move(self, x: int, y: int) -> None:
        self.xtst.XTestFakeMotionEvent(self.display, -1, x, y, 0)
        self.x.XFlush(self.display)

    def click(self) -> None:
        for press in (1, 0):
            self.xtst.XTestFakeButtonEvent(self.display, 1, press, 0)
        self.x.XFlush(self.display)

    def close(self) -> None:
        self.x.XCloseDisplay(self.display)


class XTestKeys(XTestInput):
    def __init__(self) -> None:
        super().__init__()
        self.x.XStringToKeysym.restype = ctypes.c_ulong
        self.x.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self.x.XKeysymToKeycode.restype = ctypes.c_ubyte
        self.x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                                ctypes.c_ulong]

    def press(self, keysym: str) -> None:
        code = self.x.XKeysymToKeycode(self.display, self.x.XStringToKeysym(keysym.encode()))
        assert code, f"no keycode for {keysym}"
        for down in (1, 0):
            self.xtst.XTestFakeKeyEvent(self.display, code, down, 0)
        self.x.XFlush(self.display)
