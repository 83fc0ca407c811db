"""How a screensaver host launched us: xscreensaver's hack arguments, or a Windows `.scr`'s.

This module owns reading those conventions into one `LaunchRequest`; it opens nothing.

xscreensaver (and hosts copying it) runs a hack with `-root` and puts its own saver window
in the XSCREENSAVER_WINDOW environment variable ("0x%lX"); its settings preview does the
same with the preview pane. `-window-id ID` names a window explicitly. Every hack built on
xscreensaver's screenhack.c also accepts `-window`, `-mono`, `-install`, `-noinstall`,
`-visual V`, `-fps`, `-no-fps`, `-fullscreen`, `-pair` and Xt's `-display D`, with one
dash or two; users copy them from other hacks' command lines, so they are accepted here
and listed in `ignored` (only `-display` and `-window` mean something to us).

Windows runs a `.scr` as `/s` (the show), `/p HWND` (a preview inside the Control
Panel's little window), `/c` or `/c:HWND` (the settings, owned by HWND) and with no
argument at all (the settings, from the right-click "Configure"). The switch is always
first; Windows writes `/p 1234`, but hosts and users also write `/p:1234`, `/P 1234`,
`-p 1234`: all are read. `/a` (Windows 95's password dialog) is refused.

Decisions where the conventions are silent:
- An explicit `-window-id` beats XSCREENSAVER_WINDOW, which beats nothing (as
  screenhack.c does); XSCREENSAVER_WINDOW is honoured even without `-root`, since a
  hack's own window would be hidden behind the saver window anyway.
- X11 hosts never say "preview": a request with an X11 parent has mode "show".
- A window id is decimal, or hex with 0x, or hex without 0x when it has a letter a-f
  (so "1a00007" is hex and "12345" decimal); it must be above 0.
- Arguments that belong to neither convention come back in `other_args`, untouched, for
  the normal command line parser (`slideshow -root ~/Photos --interval 8`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from slideshow.errors import ConfigError

Mode = Literal["show", "preview", "settings"]
Host = Literal["x11", "windows"]

ENV_WINDOW = "XSCREENSAVER_WINDOW"

# xscreensaver's screenhack.c options we accept and do not act on: name -> takes a value.
_X11_IGNORED = {"mono": False, "install": False, "noinstall": False, "fps": False,
                "no-fps": False, "fullscreen": False, "pair": False, "visual": True}
_X11_ROOT, _X11_WINDOW, _X11_WINDOW_ID, _X11_DISPLAY = "root", "window", "window-id", "display"
_X11_NAMES = {_X11_ROOT, _X11_WINDOW, _X11_WINDOW_ID, _X11_DISPLAY, *_X11_IGNORED}
# With two dashes these are the project's own options (bench --fullscreen), not xscreensaver's.
_OWN_LONG_OPTIONS = {"fullscreen"}

# `/s`, `-P`, `/c:1234`, `/p1234`: the switch letter, then an optional value.
_WINDOWS_SWITCH = re.compile(r"^[/-]([spca])(?::(.*)|([0-9]+))?$", re.IGNORECASE)
_WINDOWS_FORMS = "/s (show), /p HWND (preview), /c[:HWND] (settings) or no argument (settings)"
_X11_FORMS = "-root, -window-id ID (xscreensaver) or XSCREENSAVER_WINDOW=ID"

_MAX_XID = 2**32 - 1  # X11 resource ids are 32-bit on the wire
_MAX_HWND = 2**64 - 1  # a handle is pointer-sized on 64-bit Windows


@dataclass(frozen=True)
class LaunchRequest:
    """What the host asked for.

    mode: "show" (run the screensaver), "preview" (Windows' small preview, a child of
      `parent_window`) or "settings" (open the settings; `parent_window` owns the dialog).
    parent_window: the window to draw into (an X11 window id or a Windows HWND), or the
      settings dialog's owner; None for a window of our own (or the root, see `root`).
    root: `-root` was given. With XSCREENSAVER_WINDOW set, `parent_window` is already that
      window; without it, the caller draws on the root (`x11_embed.root_window_id()`).
    host: whose conventions the arguments followed.
    display: `-display NAME` (X11), to use instead of $DISPLAY; None when not given.
    ignored: the accepted-but-meaningless xscreensaver options, for a log line.
    other_args: everything else, in order, for the normal command line parser.
    """

    mode: Mode
    parent_window: int | None
    root: bool = False
    host: Host = "x11"
    display: str | None = None
    ignored: tuple[str, ...] = ()
    other_args: tuple[str, ...] = ()

    @property
    def exits_on_input(self) -> bool:
        """Whether the show itself must end on a key, click or pointer motion: only for a
        Windows `/s`. xscreensaver watches the input itself and kills the hack (which
        never even sees the input it grabbed); a preview must ignore input."""
        return self.host == "windows" and self.mode == "show"


def looks_like_screensaver_args(argv: Sequence[str], program: str | None = None,
                                environ: Mapping[str, str] | None = None) -> bool:
    """Whether `argv` (without the program name) was written by a screensaver host: the
    program is a `.scr` (Windows then may pass no argument at all), the first argument is
    a Windows switch, an xscreensaver option appears, or XSCREENSAVER_WINDOW is set."""
    program = sys.argv[0] if program is None else program
    environ = os.environ if environ is None else environ
    if program.lower().endswith(".scr") or environ.get(ENV_WINDOW):
        return True
    if argv and _WINDOWS_SWITCH.match(argv[0]):
        return True
    return any(_x11_option(arg) in (_X11_ROOT, _X11_WINDOW_ID) for arg in argv)


def parse_launch_args(argv: Sequence[str],
                      environ: Mapping[str, str] | None = None) -> LaunchRequest:
    """Reads `argv` (without the program name) as a host wrote it; raises ConfigError
    naming the argument and the allowed forms when it is malformed."""
    environ = os.environ if environ is None else environ
    if argv and _WINDOWS_SWITCH.match(argv[0]):
        return _parse_windows(argv)
    x11 = _parse_x11(argv, environ)
    if x11 is not None:
        return x11
    if not argv:
        return LaunchRequest("settings", None, host="windows")
    raise ConfigError(f"{argv[0]!r} is not a screensaver argument: expected {_WINDOWS_FORMS}, "
                      f"or {_X11_FORMS}")


def parse_window_id(text: str, what: str, maximum: int = _MAX_XID) -> int:
    """A window id or handle as hosts write it (see the module docstring); `what` names
    the argument in the error message."""
    value = text.strip()
    number = None
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", value):
        number = int(value, 16)  # int() accepts the 0x with base 16
    elif re.fullmatch(r"[0-9]+", value):
        number = int(value)
    elif re.fullmatch(r"[0-9a-fA-F]+", value):
        number = int(value, 16)  # "1a00007": hex without the 0x, told apart by its letters
    if number is None or not 0 < number <= maximum:
        raise ConfigError(f"{what} {text!r} is not a window id: expected a number above 0, "
                          "decimal (12582919) or hex (0xC00007)")
    return number


def _parse_windows(argv: Sequence[str]) -> LaunchRequest:
    match = _WINDOWS_SWITCH.match(argv[0])
    assert match is not None
    letter = match.group(1).lower()
    inline = match.group(2) if match.group(2) is not None else match.group(3)
    rest = list(argv[1:])
    switch = f"/{letter}"
    if letter == "a":
        raise ConfigError(f"{argv[0]!r}: the password dialog (/a) is Windows 95's; this "
                          f"screensaver has none. Allowed: {_WINDOWS_FORMS}")
    if letter == "s":
        if inline is not None:
            raise ConfigError(f"{argv[0]!r}: /s takes no window handle. Allowed: {_WINDOWS_FORMS}")
        return LaunchRequest("show", None, host="windows", other_args=tuple(rest))
    if letter == "p":
        if inline is None and rest:
            inline = rest.pop(0)  # "/p 1234": the handle is the next argument, always
        if not inline:
            raise ConfigError(f"{argv[0]!r}: /p needs the preview window's handle, "
                              "e.g. /p 1234 or /p:1234")
        return LaunchRequest("preview", parse_window_id(inline, switch, _MAX_HWND),
                             host="windows", other_args=tuple(rest))
    if inline is None and rest and _is_number(rest[0]):
        inline = rest.pop(0)  # "/c 1234"; a plain "/c" may be followed by other arguments
    owner = parse_window_id(inline, switch, _MAX_HWND) if inline else None  # "/c" or "/c:"
    return LaunchRequest("settings", owner, host="windows", other_args=tuple(rest))


def _parse_x11(argv: Sequence[str], environ: Mapping[str, str]) -> LaunchRequest | None:
    """The xscreensaver reading, or None when nothing in argv or environ is xscreensaver's."""
    root, window_id, display = False, None, None
    ignored: list[str] = []
    other: list[str] = []
    seen = False
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        name = _x11_option(arg)
        if name is None:
            other.append(arg)
            i += 1
            continue
        seen = True
        value, i = _option_value(args, i, name)
        if name == _X11_ROOT:
            root = True
        elif name == _X11_WINDOW:
            root = False  # Xt resources: the last of -root / -window wins
        elif name == _X11_WINDOW_ID:
            window_id = parse_window_id(value, arg.split("=", 1)[0])
        elif name == _X11_DISPLAY:
            display = value
        else:
            ignored.append(arg if value is None else f"{arg.split('=', 1)[0]} {value}")
    env_window = environ.get(ENV_WINDOW, "").strip()
    if not seen and not env_window:
        return None
    parent = window_id
    if parent is None and env_window:
        parent = parse_window_id(env_window, ENV_WINDOW)
    return LaunchRequest("show", parent, root=root, host="x11", display=display,
                         ignored=tuple(ignored), other_args=tuple(other))


def _x11_option(arg: str) -> str | None:
    """The xscreensaver option `arg` spells (`-root`, `--window-id=5`), or None."""
    if not arg.startswith("-") or arg in ("-", "--"):
        return None
    double = arg.startswith("--")
    name = arg[2:] if double else arg[1:]
    name = name.split("=", 1)[0] if double else name
    if name not in _X11_NAMES or (double and name in _OWN_LONG_OPTIONS):
        return None
    return name


def _option_value(args: list[str], i: int, name: str) -> tuple[str | None, int]:
    """The option's value (from `--name=value` or the next argument) and the next index."""
    arg = args[i]
    takes_value = name in (_X11_WINDOW_ID, _X11_DISPLAY) or _X11_IGNORED.get(name, False)
    if "=" in arg and arg.startswith("--"):
        if not takes_value:
            raise ConfigError(f"{arg!r}: {arg.split('=', 1)[0]} takes no value")
        return arg.split("=", 1)[1], i + 1
    if not takes_value:
        return None, i + 1
    if i + 1 >= len(args) or args[i + 1] == "":
        what = "a window id (decimal or 0x hex)" if name == _X11_WINDOW_ID else "a value"
        raise ConfigError(f"{arg} needs {what} after it, e.g. {arg} 0x1a00007"
                          if name == _X11_WINDOW_ID else f"{arg} needs {what} after it")
    return args[i + 1], i + 2


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+|0[xX][0-9a-fA-F]+", text.strip()))
