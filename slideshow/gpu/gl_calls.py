"""The few OpenGL calls moderngl lacks (buffer mapping, fences, unpack state, timer queries
read without waiting), via ctypes.

moderngl exposes a buffer's GL name (`.glo`) and `orphan()`, but not `glMapBufferRange`,
sync objects or `GL_UNPACK_ROW_LENGTH`; the texture uploader needs all three. The calls
go to whichever context is current on the calling thread, as moderngl's own do:

- Linux with libglvnd: `libOpenGL.so.0` (or `libGL.so.1`) exports every core function and
  dispatches to the current context, EGL or GLX alike. A non-glvnd libGL exports only the
  old ones: the rest come from `eglGetProcAddress` (an EGL context is current) or
  `glXGetProcAddressARB`.
- Windows: `opengl32.dll` exports GL 1.1; newer functions come from `wglGetProcAddress`
  (which needs the context current when `load()` first runs).
- macOS: the OpenGL framework exports everything.

Nothing is loaded at import: `load()` resolves every function once per process, on first
use, and raises `SurfaceError` naming the function a driver lacks. ctypes releases the GIL
during each call, so a slow driver call (llvmpipe copies pixels inside glTexSubImage2D)
does not stop other Python threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable

from slideshow.errors import SurfaceError

GL_NO_ERROR = 0
GL_TEXTURE_2D = 0x0DE1
GL_UNSIGNED_BYTE = 0x1401
GL_RGB = 0x1907
GL_RGBA = 0x1908
GL_UNPACK_ROW_LENGTH = 0x0CF2
GL_UNPACK_SKIP_ROWS = 0x0CF3
GL_UNPACK_SKIP_PIXELS = 0x0CF4
GL_UNPACK_ALIGNMENT = 0x0CF5
GL_TEXTURE_BINDING_2D = 0x8069
GL_ACTIVE_TEXTURE = 0x84E0
GL_TEXTURE0 = 0x84C0
GL_PIXEL_UNPACK_BUFFER = 0x88EC
GL_PIXEL_UNPACK_BUFFER_BINDING = 0x88EF
GL_MAP_WRITE_BIT = 0x0002
GL_MAP_INVALIDATE_BUFFER_BIT = 0x0008
GL_MAP_UNSYNCHRONIZED_BIT = 0x0020
GL_SYNC_GPU_COMMANDS_COMPLETE = 0x9117
GL_SYNC_FLUSH_COMMANDS_BIT = 0x00000001
GL_ALREADY_SIGNALED = 0x911A
GL_TIMEOUT_EXPIRED = 0x911B
GL_CONDITION_SATISFIED = 0x911C
GL_WAIT_FAILED = 0x911D
GL_TIME_ELAPSED = 0x88BF
GL_QUERY_RESULT = 0x8866
GL_QUERY_RESULT_AVAILABLE = 0x8867

_enum, _int, _uint, _bool = ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_ubyte
_sizeiptr = _intptr = ctypes.c_ssize_t
_ptr = ctypes.c_void_p
_FUNCTYPE = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)  # stdcall on 32-bit Windows

# name: (restype, argtypes), and the GL version that brought it (for the error message)
_SIGNATURES: dict[str, tuple[object, tuple[object, ...], str]] = {
    "glGetError": (_enum, (), "1.0"),
    "glFinish": (None, (), "1.0"),
    "glGetIntegerv": (None, (_enum, ctypes.POINTER(_int)), "1.0"),
    "glPixelStorei": (None, (_enum, _int), "1.0"),
    "glBindTexture": (None, (_enum, _uint), "1.1"),
    "glTexSubImage2D": (None, (_enum, _int, _int, _int, _int, _int, _enum, _enum, _ptr), "1.1"),
    "glActiveTexture": (None, (_enum,), "1.3"),
    "glBindBuffer": (None, (_enum, _uint), "1.5"),
    "glUnmapBuffer": (_bool, (_enum,), "1.5"),
    "glMapBufferRange": (_ptr, (_enum, _intptr, _sizeiptr, _uint), "3.0"),
    "glFenceSync": (_ptr, (_enum, _uint), "3.2"),
    "glClientWaitSync": (_enum, (_ptr, _uint, ctypes.c_uint64), "3.2"),
    "glDeleteSync": (None, (_ptr,), "3.2"),
    "glGenQueries": (None, (_int, ctypes.POINTER(_uint)), "1.5"),
    "glDeleteQueries": (None, (_int, ctypes.POINTER(_uint)), "1.5"),
    "glBeginQuery": (None, (_enum, _uint), "1.5"),
    "glEndQuery": (None, (_enum,), "1.5"),
    "glGetQueryObjectiv": (None, (_uint, _enum, ctypes.POINTER(_int)), "1.5"),
    "glGetQueryObjectui64v": (None, (_uint, _enum, ctypes.POINTER(ctypes.c_uint64)), "3.3"),
}


class GlCalls:
    """The resolved functions, as attributes named like the C functions (`gl.glBindBuffer`),
    plus `get_integer(pname)` for state queries (tests and debugging, not the hot path)."""

    glGetError: Callable[[], int]
    glGetIntegerv: Callable[..., None]
    glPixelStorei: Callable[[int, int], None]
    glBindTexture: Callable[[int, int], None]
    glTexSubImage2D: Callable[..., None]
    glActiveTexture: Callable[[int], None]
    glBindBuffer: Callable[[int, int], None]
    glUnmapBuffer: Callable[[int], int]
    glMapBufferRange: Callable[[int, int, int, int], int | None]
    glFenceSync: Callable[[int, int], int | None]
    glClientWaitSync: Callable[[int, int, int], int]
    glDeleteSync: Callable[[int], None]
    glGenQueries: Callable[..., None]
    glDeleteQueries: Callable[..., None]
    glBeginQuery: Callable[[int, int], None]
    glEndQuery: Callable[[int], None]
    glGetQueryObjectiv: Callable[..., None]
    glGetQueryObjectui64v: Callable[..., None]

    def __init__(self, resolve: Callable[[str], int | None], where: str) -> None:
        for name, (restype, argtypes, version) in _SIGNATURES.items():
            address = resolve(name)
            if not address:
                raise SurfaceError(
                    f"the OpenGL function {name} (OpenGL {version}) was not found in "
                    f"{where}; the texture uploader needs an OpenGL 3.3 driver")
            setattr(self, name, _FUNCTYPE(restype, *argtypes)(address))
        self.where = where

    def get_integer(self, pname: int) -> int:
        value = _int(0)
        self.glGetIntegerv(pname, ctypes.byref(value))
        return value.value


@functools.cache
def load() -> GlCalls:
    """The GL functions for this process, resolved on first call (a GL context should be
    current: Windows' wglGetProcAddress needs one)."""
    if sys.platform == "win32":
        return _load_windows()
    if sys.platform == "darwin":
        lib = _open(["/System/Library/Frameworks/OpenGL.framework/OpenGL"])
        if lib is None:
            raise SurfaceError("cannot open the OpenGL framework")
        return GlCalls(functools.partial(_symbol, lib), "the OpenGL framework")
    return _load_unix()


def _load_unix() -> GlCalls:
    lib = _open(["libOpenGL.so.0", "libGL.so.1", ctypes.util.find_library("OpenGL"),
                 ctypes.util.find_library("GL")])
    egl = _open(["libEGL.so.1", ctypes.util.find_library("EGL")])
    get_proc: list[tuple[Callable[[bytes], int | None], str]] = []
    if egl is not None and _symbol(egl, "eglGetCurrentContext"):
        current = _FUNCTYPE(_ptr)(_symbol(egl, "eglGetCurrentContext"))
        if current() and _symbol(egl, "eglGetProcAddress"):
            get_proc.append((_FUNCTYPE(_ptr, ctypes.c_char_p)(_symbol(egl, "eglGetProcAddress")),
                             "eglGetProcAddress"))
    if lib is not None and _symbol(lib, "glXGetProcAddressARB"):
        get_proc.append((_FUNCTYPE(_ptr, ctypes.c_char_p)(_symbol(lib, "glXGetProcAddressARB")),
                         "glXGetProcAddressARB"))

    def resolve(name: str) -> int | None:
        address = _symbol(lib, name) if lib is not None else None
        for get, _ in get_proc:
            if address:
                break
            address = get(name.encode())
        return address

    names = [getattr(lib, "_name", None)] + [where for _, where in get_proc]
    where = ", ".join(n for n in names if n) or "no OpenGL library (libOpenGL.so.0, libGL.so.1)"
    return GlCalls(resolve, where)


def _load_windows() -> GlCalls:
    lib = ctypes.WinDLL("opengl32")  # type: ignore[attr-defined]
    wgl = _FUNCTYPE(_ptr, ctypes.c_char_p)(_symbol(lib, "wglGetProcAddress"))

    def resolve(name: str) -> int | None:
        address = wgl(name.encode())
        if address in (None, 1, 2, 3, -1, 2**64 - 1):  # wgl's documented failure values
            address = _symbol(lib, name)
        return address

    return GlCalls(resolve, "opengl32.dll and wglGetProcAddress")


def _open(candidates: list[str | None]) -> ctypes.CDLL | None:
    for name in candidates:
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _symbol(lib: ctypes.CDLL, name: str) -> int | None:
    try:
        return ctypes.cast(getattr(lib, name), _ptr).value
    except AttributeError:
        return None
