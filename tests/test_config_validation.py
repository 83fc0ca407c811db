"""Choices in one place: each list of allowed values belongs to the module that acts on it,
slideshow/config.py imports it, and the CLI's `choices=` reads it from the config, so the
three never disagree; the owners never import their choices back from the config, and
loading the config loads no GL."""

from __future__ import annotations

import ast
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slideshow.cli import build_parser
from slideshow.config import Config, choices, override
from slideshow.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def settings(kind: type | None = None) -> list[tuple[str, dataclasses.Field]]:
    """(dotted key, field) of every setting, or of those whose default is a `kind`."""
    found = []
    for section in dataclasses.fields(Config):
        if dataclasses.is_dataclass(section.default):
            found += [(f"{section.name}.{f.name}", f) for f in dataclasses.fields(section.default)]
        else:
            found.append((section.name, section))
    return [(key, f) for key, f in found
            if kind is None or type(f.default) is kind]


CHOICES = [(key, f) for key, f in settings() if "choices" in f.metadata]


@pytest.mark.parametrize("key, f", CHOICES, ids=[k for k, _ in CHOICES])
def test_a_bad_choice_names_the_allowed_values(key, f):
    with pytest.raises(ConfigError) as raised:
        override(Config(), key, "nope")
    assert f"config key {key} = " in str(raised.value)
    assert f"allowed values are {', '.join(f.metadata['choices'])}" in str(raised.value)


def test_choices_are_the_owners_tuples():
    from slideshow.library.selection import PHOTO_ORDERS
    from slideshow.pacing.gc_control import MODES as GC_MODES
    from slideshow.pacing.presenter import VSYNC_MODES
    from slideshow.show.audio_overlay import VISUALIZER_MODE_CYCLE
    from slideshow.show.ken_burns import ENABLED_CHOICES
    from slideshow.transitions.easing import EASINGS
    from slideshow.workers.fit import FIT_MODES

    assert choices("show.fit") is FIT_MODES
    assert choices("ken_burns.fit_modes") is FIT_MODES
    assert choices("show.order") is PHOTO_ORDERS
    assert choices("display.vsync") is VSYNC_MODES
    assert choices("visualizer.mode") is VISUALIZER_MODE_CYCLE
    assert choices("pacing.gc") is GC_MODES
    assert choices("ken_burns.enabled") is ENABLED_CHOICES
    assert choices("transitions.easing") == tuple(EASINGS)
    assert choices("log_level") == ("debug", "info", "warning", "error")


def test_the_cli_offers_the_configs_choices():
    subcommands = build_parser()._subparsers._group_actions[0].choices
    offered = {(name, option): tuple(action.choices)
               for name, parser in subcommands.items() for action in parser._actions
               if action.choices is not None for option in action.option_strings}
    for command in ("show", "bench", "preview"):
        assert offered[command, "--fit"] == choices("show.fit")
        assert offered[command, "--vsync"] == choices("display.vsync")
        assert offered[command, "--visualizer"] == choices("visualizer.mode")
    assert offered["check", "--fit"] == choices("show.fit")
    for command in subcommands:
        if (command, "--log-level") in offered:
            assert offered[command, "--log-level"] == choices("log_level")


def test_the_gpu_visualizer_draws_the_modes_config_allows():
    pytest.importorskip("moderngl")
    from slideshow.gpu import visualizer

    assert visualizer.MODE_CYCLE == choices("visualizer.mode")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_owners_do_not_import_their_choices_back_from_config():
    package = REPO / "slideshow"
    owners = [package / "workers" / "fit.py", *sorted((package / "library").glob("*.py")),
              package / "transitions" / "easing.py", package / "pacing" / "presenter.py",
              package / "pacing" / "gc_control.py", package / "show" / "ken_burns.py",
              package / "show" / "audio_overlay.py", package / "library" / "selection.py"]
    importers = {path.relative_to(REPO).as_posix() for path in owners
                 if "slideshow.config" in _imported_modules(path)}
    # display_photos builds its parts from a Config; it owns no choices.
    assert importers <= {"slideshow/library/display_photos.py"}
    assert not any(name.startswith(("slideshow.gpu", "moderngl", "glfw"))
                   for name in _imported_modules(package / "config.py"))


def test_loading_the_config_loads_no_gl():
    code = ("import sys, slideshow.config, slideshow.commands.show; "
            "print(sorted(m for m in ('moderngl', 'glfw') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

