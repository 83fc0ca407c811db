"""The launcher every host runs (xscreensaver's `programs:` entry, the systemd unit, the
desktop entry): a small shell script at a path that does not move (`HomeDirs.launcher`),
which runs the Python environment slideshow was installed into, written down at install
time. Hosts name the launcher, never a clone or a virtual environment, so after a move
`slideshow install` again rewrites this one file and every host follows.

An editable install (or PYTHONPATH) runs the package from a source tree: moving that tree
takes the code away, whatever the launcher says; `source_tree` spots it so the command can
say so at install time."""

from __future__ import annotations

import shlex
import site
import sysconfig
from pathlib import Path

from slideshow.install.home import MARK


def launcher_script(python: str) -> str:
    quoted = shlex.quote(python)
    return f"""#!/bin/sh
# slideshow's launcher, {MARK}; `slideshow uninstall` removes it.
# It runs the Python environment slideshow was installed into; when that is gone (moved or
# deleted), a `slideshow` on PATH. `slideshow install` again points it at the new place.
python={quoted}
if [ -x "$python" ]; then
    exec "$python" -m slideshow "$@"
fi
found=$(command -v slideshow 2>/dev/null)
if [ -n "$found" ] && [ "$found" != "$0" ]; then
    exec "$found" "$@"
fi
echo "slideshow: $python is gone and no slideshow is on PATH; install slideshow again," \\
     "then run \\`slideshow install\\` once more" >&2
exit 127
"""


def source_tree(package: Path) -> Path | None:
    """The folder holding the package (its folder given) when it runs from outside every
    site-packages (an editable install, PYTHONPATH), else None."""
    package = package.resolve()
    installed = {Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages(),
                                             sysconfig.get_path("purelib"),
                                             sysconfig.get_path("platlib"))}
    if any(package.is_relative_to(folder) for folder in installed):
        return None
    return package.parent
