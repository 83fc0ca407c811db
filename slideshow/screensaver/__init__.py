"""Screensaver hosts: the arguments xscreensaver, XScreenSaver-compatible hosts and Windows
pass (`launch_args`), and the rule that ends a fullscreen show on input (`input_exit`).

Pure logic: never opens a window or touches GL; `run/` and `gpu/` act on its verdicts."""
