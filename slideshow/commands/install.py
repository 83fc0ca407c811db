"""`slideshow install` and `slideshow uninstall`: slideshow at home on the desktop. Each
target is a flag: `--xscreensaver` (a display mode with its settings descriptor),
`--photo-frame` (a systemd user unit that starts the show with the session), `--desktop`
(the application menu), `--completion` (bash). What goes where is slideshow/install/;
this module picks the targets, runs systemctl when asked, and says what it did."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from slideshow.config import ShowConfig, choices
from slideshow.errors import SlideshowError
from slideshow.install.completion import bash_completion
from slideshow.install.desktop_entry import desktop_entry_text
from slideshow.install.home import (
    XSCREENSAVER_APP_DEFAULTS,
    XSCREENSAVER_CONFIG_DIRS,
    HomeDirs,
    descriptor_name,
    remove_ours,
    write_text,
)
from slideshow.install.launcher import launcher_script, source_tree
from slideshow.install.systemd_unit import UNIT_NAME, parse_systemd_version, unit_text
from slideshow.install.xscreensaver import (
    add_entry,
    default_programs,
    descriptor_xml,
    remove_entry,
)

TARGETS = ("xscreensaver", "photo_frame", "desktop", "completion")
#: The targets whose host runs the launcher; it goes when the last of them goes.
LAUNCHED = ("xscreensaver", "photo_frame", "desktop")
#: Runs `systemctl --user ARGS`; tests pass a fake `systemctl` on PATH.
Systemctl = Callable[[list[str]], subprocess.CompletedProcess]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    for name, verb, to in (("install", "add", "to"), ("uninstall", "remove", "from")):
        parser = subparsers.add_parser(
            name, help=f"{verb} slideshow {to} xscreensaver, a photo-frame service, the menu, "
            "bash completion",
            description=f"{verb.capitalize()}s what each flag names, in your home only "
            "(HOME and the XDG_* folders). "
            + ("Running it again changes nothing; xscreensaver, the unit and the menu run a "
               "launcher (XDG_DATA_HOME/slideshow/bin/slideshow) that `install` points at "
               "the Python environment slideshow is installed in."
               if name == "install" else
               "Without a flag, everything `install` wrote; only files it wrote, and only "
               "its own entry in ~/.xscreensaver."))
        parser.add_argument("--xscreensaver", action="store_true",
                            help="the xscreensaver display mode: an entry in ~/.xscreensaver "
                            "and the settings descriptor for xscreensaver-settings")
        parser.add_argument("--photo-frame", action="store_true",
                            help="a systemd user unit that runs the show on login, not ended "
                            "by the mouse, restarted after a failure")
        parser.add_argument("--desktop", action="store_true",
                            help="a desktop entry: slideshow in the application menu")
        parser.add_argument("--completion", action="store_true", help="bash completion")
        if name == "install":
            parser.add_argument("--enable", action="store_true",
                                help="with --photo-frame: enable and start the unit now "
                                "(systemctl --user enable --now)")
            parser.add_argument("paths", nargs="*", metavar="PATH",
                                help="photo folders for the photo frame (default: the config "
                                "file's show.paths); with --xscreensaver, one folder")
        parser.add_argument("--xscreensaver-config-dir", type=Path, metavar="DIR",
                            help="where xscreensaver-settings reads descriptors (default: "
                            f"{XSCREENSAVER_CONFIG_DIRS[0]} when it exists)")


def run(args: argparse.Namespace, *, env: dict[str, str] | None = None,
        systemctl: Systemctl | None = None) -> int:
    env = dict(os.environ) if env is None else env
    home = HomeDirs.from_env(env)
    systemctl = systemctl or _systemctl(env)
    chosen = [t for t in TARGETS if getattr(args, t)]
    if args.command == "install":
        if not chosen:
            raise SlideshowError("name what to install: --xscreensaver, --photo-frame, "
                                 "--desktop and/or --completion")
        return _install(args, chosen, home, systemctl)
    return _uninstall(args, chosen or list(TARGETS), home, systemctl)


def _install(args: argparse.Namespace, chosen: list[str], home: HomeDirs,
             systemctl: Systemctl) -> int:
    paths = [str(Path(p).expanduser().resolve()) for p in args.paths]
    if "xscreensaver" in chosen:
        _check_xscreensaver_paths(paths)
    for path in paths:
        if not Path(path).exists():
            raise SlideshowError(f"PATH {path}: no such file or folder")
    launcher = str(home.launcher)
    if any(t in LAUNCHED for t in chosen):
        _report(write_text(home.launcher, launcher_script(sys.executable), 0o755), home.launcher,
                f"the launcher, running {sys.executable} -m slideshow")
        tree = source_tree(Path(__file__).parents[1])  # the package's folder
        if tree is not None:
            print(f"slideshow: note: slideshow runs from {tree}, not from an installed package: "
                  "if that folder moves, run `slideshow install` again from its new place "
                  "(a `pip install` that is not editable needs no such care)")
    if "xscreensaver" in chosen:
        _install_xscreensaver(home, launcher, paths, args.xscreensaver_config_dir)
    if "photo_frame" in chosen:
        _install_photo_frame(home, launcher, paths, args.enable, systemctl)
    if "desktop" in chosen:
        _report(write_text(home.desktop_entry, desktop_entry_text(launcher)), home.desktop_entry,
                "the desktop entry")
    if "completion" in chosen:
        _report(write_text(home.completion, bash_completion(args.root_parser)), home.completion,
                "bash completion (new shells)")
    return 0


def _check_xscreensaver_paths(paths: list[str]) -> None:
    if len(paths) > 1:
        raise SlideshowError("xscreensaver's settings hold one photo folder; put several in "
                             "the config file's show.paths (`slideshow config --edit`)")
    if paths and any(c.isspace() or c in "'\"\\$`" for c in paths[0]):
        raise SlideshowError(f"PATH {paths[0]!r}: xscreensaver runs its command through the "
                             "shell and splits it at spaces; name this folder in the config "
                             "file's show.paths instead")


def _install_xscreensaver(home: HomeDirs, launcher: str, paths: list[str],
                          config_dir: Path | None) -> None:
    defaults = {name: getattr(ShowConfig(), name) for name in ("interval_s", "transition_s")}
    xml = descriptor_xml(defaults, choices("show.fit"), choices("visualizer.mode"))
    _report(write_text(home.descriptor, xml), home.descriptor, "the settings descriptor")
    config_dir = config_dir or next((d for d in XSCREENSAVER_CONFIG_DIRS if d.is_dir()), None)
    target = config_dir / descriptor_name() if config_dir else None
    if target is not None and os.access(config_dir, os.W_OK):
        _report(write_text(target, xml), target, "for xscreensaver-settings")
    else:
        where = target or XSCREENSAVER_CONFIG_DIRS[0] / descriptor_name()
        print("slideshow: xscreensaver-settings reads descriptors only from its own folder; "
              "for slideshow's options there, run:\n"
              f"  sudo install -m 644 {shlex.quote(str(home.descriptor))} {shlex.quote(str(where))}")
    command = shlex.quote(launcher) + " --root"
    if paths:
        command += f" --set show.paths={paths[0]}"
    file = home.xscreensaver_file
    try:
        before = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    after = add_entry(before, launcher, command, default_programs(XSCREENSAVER_APP_DEFAULTS))
    if after != before:
        file.write_text(after, encoding="utf-8")
    _report(after != before, file, "programs: entry \"Slideshow\" (pick it in "
            "xscreensaver-settings; a running xscreensaver rereads the file)")


def _install_photo_frame(home: HomeDirs, launcher: str, paths: list[str], enable: bool,
                         systemctl: Systemctl) -> None:
    version = None
    try:
        version = parse_systemd_version(systemctl(["--version"]).stdout)
    except OSError:
        pass  # no systemctl here: a unit without the newer keys works everywhere
    _report(write_text(home.unit, unit_text(launcher, paths, version)), home.unit,
            "the photo-frame unit")
    command = f"systemctl --user enable --now {UNIT_NAME}"
    if not enable:
        print(f"slideshow: start it now and on every login with: {command}")
        return
    for step in (["daemon-reload"], ["enable", "--now", UNIT_NAME]):
        done = _try(systemctl, step)
        if done is None or done.returncode != 0:
            why = "no systemctl" if done is None else (done.stderr.strip() or f"status {done.returncode}")
            raise SlideshowError(f"systemctl --user {' '.join(step)} failed ({why}); the unit "
                                 f"is written: run `{command}` in your desktop session")
    print(f"slideshow: enabled and started {UNIT_NAME}")


def _uninstall(args: argparse.Namespace, chosen: list[str], home: HomeDirs,
               systemctl: Systemctl) -> int:
    launcher = str(home.launcher)
    if "xscreensaver" in chosen:
        file = home.xscreensaver_file
        if file.exists():
            before = file.read_text(encoding="utf-8")
            after = remove_entry(before, launcher)
            if after != before:
                file.write_text(after, encoding="utf-8")
                print(f"slideshow: removed the Slideshow entry from {file}")
        config_dirs = [args.xscreensaver_config_dir] if args.xscreensaver_config_dir else \
            list(XSCREENSAVER_CONFIG_DIRS)
        for path in [home.descriptor, *(d / descriptor_name() for d in config_dirs)]:
            _removed(path)
    if "photo_frame" in chosen and home.unit.exists():
        done = _try(systemctl, ["disable", "--now", UNIT_NAME])
        if done is None or done.returncode != 0:
            print(f"slideshow: could not disable {UNIT_NAME} here; if it runs, "
                  f"`systemctl --user disable --now {UNIT_NAME}` in your session stops it")
        _removed(home.unit)
    if "desktop" in chosen:
        _removed(home.desktop_entry)
    if "completion" in chosen:
        _removed(home.completion)
    if not any(launcher in _read(path) for path in (home.unit, home.desktop_entry,
                                                     home.xscreensaver_file)):
        _removed(home.launcher)
    return 0


def _removed(path: Path) -> None:
    try:
        if remove_ours(path):
            print(f"slideshow: removed {path}")
    except OSError as exc:
        print(f"slideshow: could not remove {path}: {exc.strerror}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _report(wrote: bool, path: Path, what: str) -> None:
    print(f"slideshow: {'wrote' if wrote else 'unchanged'} {path} ({what})")


def _try(systemctl: Systemctl, args: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return systemctl(args)
    except OSError:
        return None


def _systemctl(env: dict[str, str]) -> Systemctl:
    def run_systemctl(args: list[str]) -> subprocess.CompletedProcess:
        program = shutil.which("systemctl", path=env.get("PATH"))
        if program is None:
            raise FileNotFoundError("systemctl")
        return subprocess.run([program, "--user", *args], env=env, capture_output=True,
                              text=True, timeout=60)
    return run_systemctl
