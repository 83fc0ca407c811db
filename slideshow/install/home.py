"""Where each installed file goes, from HOME and the XDG base directory variables (read
from a mapping, so tests pass their own), and writing and removing them: a file is
rewritten only when its text changes (a second install changes nothing), and removed only
when it carries `MARK` (a file of the same name that the user wrote stays)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from slideshow.errors import SlideshowError

#: The name of every file we write (the program, the unit, the entries).
APP = "slideshow"
#: In every file we write; uninstall removes only files that hold it.
MARK = "written by `slideshow install`"
#: Where xscreensaver-settings looks for a hack's settings descriptor: only its compiled-in
#: folder (HACK_CONFIGURATION_PATH in driver/demo-Gtk-conf.c), by the basename of the
#: program the `programs:` entry runs; there is no per-user folder.
XSCREENSAVER_CONFIG_DIRS = (Path("/usr/share/xscreensaver/config"),
                            Path("/usr/local/share/xscreensaver/config"))
#: xscreensaver's defaults, whose `*programs:` list seeds a `~/.xscreensaver` that has none.
XSCREENSAVER_APP_DEFAULTS = (Path("/etc/X11/app-defaults/XScreenSaver"),
                             Path("/usr/share/X11/app-defaults/XScreenSaver"))


@dataclass(frozen=True)
class HomeDirs:
    home: Path
    config_home: Path  # $XDG_CONFIG_HOME, else ~/.config
    data_home: Path  # $XDG_DATA_HOME, else ~/.local/share
    bash_completion_dir: Path  # $BASH_COMPLETION_USER_DIR, else data_home/bash-completion

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "HomeDirs":
        env = os.environ if env is None else env
        home = Path(env.get("HOME") or Path.home())

        def xdg(name: str, default: Path) -> Path:
            # The XDG spec: an unset, empty or relative value means the default.
            value = env.get(name, "")
            return Path(value) if os.path.isabs(value) else default

        data_home = xdg("XDG_DATA_HOME", home / ".local" / "share")
        completion = xdg("BASH_COMPLETION_USER_DIR", data_home / "bash-completion")
        return cls(home, xdg("XDG_CONFIG_HOME", home / ".config"), data_home, completion)

    @property
    def launcher(self) -> Path:
        """Named `slideshow`: xscreensaver-settings finds the descriptor by that basename.
        Not in ~/.local/bin, where `pip install --user` puts its own `slideshow`."""
        return self.data_home / APP / "bin" / APP

    @property
    def descriptor(self) -> Path:
        return self.data_home / APP / "xscreensaver" / descriptor_name()

    @property
    def xscreensaver_file(self) -> Path:
        return self.home / ".xscreensaver"

    @property
    def unit(self) -> Path:
        return self.config_home / "systemd" / "user" / f"{APP}.service"

    @property
    def desktop_entry(self) -> Path:
        return self.data_home / "applications" / f"{APP}.desktop"

    @property
    def completion(self) -> Path:
        return self.bash_completion_dir / "completions" / APP


def descriptor_name() -> str:
    """The descriptor's file name: the launcher's basename, which xscreensaver-settings
    looks for."""
    return f"{APP}.xml"


def write_text(path: Path, text: str, mode: int = 0o644) -> bool:
    """Writes `text` to `path` (folders made as needed) unless it already holds exactly
    that; True when it wrote. Written beside and renamed, so a reader never sees half. A
    file there that we did not write (no MARK) is the user's: refused, never replaced."""
    try:
        current = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        current = None
    if current is not None and MARK not in current:
        raise SlideshowError(f"{path} is not one `slideshow install` wrote; move it away to "
                             "install ours")
    if current == text and (path.stat().st_mode & 0o777) == mode:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.chmod(mode)
    partial.replace(path)
    return True


def remove_ours(path: Path) -> bool:
    """Removes `path` when it is a file we wrote (it holds MARK); True when it removed."""
    try:
        if MARK not in path.read_text(encoding="utf-8", errors="replace"):
            return False
    except (FileNotFoundError, IsADirectoryError):
        return False
    path.unlink()
    return True
