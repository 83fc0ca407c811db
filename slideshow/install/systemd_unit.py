"""The photo frame's systemd user unit: the show, fullscreen and not ended by the mouse,
started with the graphical session and restarted after a failure, ever more slowly.

`graphical-session.target` is reached in desktops that start it (GNOME, KDE Plasma, and
others that run their session under systemd); the session exports DISPLAY or
WAYLAND_DISPLAY to the user manager, which passes them on to the show."""

from __future__ import annotations

from collections.abc import Sequence

from slideshow.install.home import APP, MARK

UNIT_NAME = f"{APP}.service"
#: RestartSteps= and RestartMaxDelaySec= (a restart delay that grows) came in systemd 254;
#: older managers warn about unknown keys, so they are written only for those that know them.
BACKOFF_SINCE = 254


def unit_text(launcher: str, paths: Sequence[str], systemd_version: int | None) -> str:
    command = " ".join(_quote(arg) for arg in (launcher, "show", "--no-exit-on-input", *paths))
    backoff = ("RestartSteps=6\nRestartMaxDelaySec=2min\n"
               if systemd_version is not None and systemd_version >= BACKOFF_SINCE else "")
    return f"""# slideshow as a photo frame, {MARK}; `slideshow uninstall` removes it.
[Unit]
Description=slideshow photo frame
PartOf=graphical-session.target
After=graphical-session.target
# Never give up: a photo frame keeps trying (the delay between tries grows where systemd
# supports it).
StartLimitIntervalSec=0

[Service]
Type=exec
ExecStart={command}
Restart=on-failure
RestartSec=5s
{backoff}# SIGTERM ends the show cleanly: windows closed, workers stopped, shared memory freed.
TimeoutStopSec=15s

[Install]
WantedBy=graphical-session.target
"""


def parse_systemd_version(text: str) -> int | None:
    """The version from `systemctl --version`'s first line (`systemd 252 (252.38-1~deb12u1)`)."""
    words = text.split()
    if len(words) >= 2 and words[0] == "systemd" and words[1].isdigit():
        return int(words[1])
    return None


def _quote(arg: str) -> str:
    """One word of ExecStart=: `%` is a specifier and `$` a variable to systemd, so both
    are doubled; a word with spaces, quotes or backslashes goes in double quotes."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not any(c in arg for c in " \t\"'\\;"):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
