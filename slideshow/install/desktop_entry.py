"""The desktop entry: slideshow in the application menu; folders dropped on it (`%F`) are
shown. Desktop Entry Specification version 1.4, the newest that Debian 12's
desktop-file-validate knows (nothing here needs 1.5)."""

from __future__ import annotations

from slideshow.install.home import MARK


def desktop_entry_text(launcher: str) -> str:
    return f"""[Desktop Entry]
# {MARK}; `slideshow uninstall` removes it.
Type=Application
Version=1.4
Name=Slideshow
GenericName=Photo slideshow
Comment=Your photos fullscreen with transitions and an audio visualizer
Exec={_exec_quote(launcher)} show %F
TryExec={launcher}
Icon=image-x-generic
Terminal=false
Categories=Graphics;Viewer;Photography;
Keywords=photos;pictures;slideshow;screensaver;photo frame;
"""


def _exec_quote(arg: str) -> str:
    """An Exec= argument: in double quotes when it holds a reserved character, with `"`,
    `` ` ``, `$` and `\\` escaped by a backslash; then every backslash doubled, as the value
    itself is a string whose escapes are undone first. `%` is a field code, so doubled."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return ('"' + inner + '"').replace("\\", "\\\\")
