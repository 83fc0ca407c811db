"""What `slideshow install` writes into a user's home, and how `slideshow uninstall` takes
it back: the launcher that hosts run, the xscreensaver entry and settings descriptor, the
photo frame's systemd user unit, the desktop entry and the bash completion.

Pure text and file logic: every path comes from a `HomeDirs` built from the environment
(HOME and the XDG_* variables), so tests run it against a temporary home. Never starts the
show, and never touches a file it did not write (each one carries `MARK`; in
`~/.xscreensaver` only the entry that runs our launcher is ours).
"""
