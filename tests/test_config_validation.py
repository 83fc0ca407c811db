"""Validation in one place (slideshow/config.py): every number finite and in range from
every source (file, `--set`, flags), choices that come from the modules that own them and
that the CLI offers too, typed values parsed once (`Area`, `Colours`), settings that depend
on each other checked at load, and flags that are no setting (run length, output paths)
refused before the run starts: one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import ast
import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slideshow.cli import build_parser, main
from slideshow.config import (
    Area,
    Colours,
    Config,
    check_output_path,
    check_run_length,
    choices,
    describe_settings,
    load_config,
    override,
)
from slideshow.errors import ConfigError
from tests.support import EMPTY_TOML as EMPTY
from tests.support import REPO


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


FLOATS = settings(float)
INTS = settings(int)
CHOICES = [(key, f) for key, f in settings() if "choices" in f.metadata]
DURATIONS = [(key, f) for key, f in settings()
             if key.endswith(("_s", "_ms")) and type(f.default) is float]


def test_the_walk_finds_the_settings_it_should():
    assert len(FLOATS) >= 15 and len(INTS) >= 5
    assert "pacing.upload_budget_ms" in dict(FLOATS) and "show.interval_s" in dict(DURATIONS)


@pytest.mark.parametrize("key, f", FLOATS + INTS, ids=[k for k, _ in FLOATS + INTS])
def test_every_number_declares_its_range(key, f):
    # A number without a range would take any value, NaN included, from the file.
    assert f.metadata["min"] <= f.default <= f.metadata["max"]


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN", "+inf", "1e400"])
@pytest.mark.parametrize("key, f", FLOATS, ids=[k for k, _ in FLOATS])
def test_set_refuses_nan_and_infinities_for_every_float_naming_key_and_range(key, f, text):
    with pytest.raises(ConfigError) as raised:
        load_config(EMPTY, flagged=[(key, text, f"--set {key}")])
    assert str(raised.value) == (
        f"config key {key} = {text!r} (from option --set {key}): not a finite number; "
        f"allowed range is {f.metadata['min']}..{f.metadata['max']}")


@pytest.mark.parametrize("key, f", FLOATS, ids=[k for k, _ in FLOATS])
def test_the_file_refuses_nan_and_infinities_for_every_float(key, f, tmp_path):
    section, _, name = key.rpartition(".")
    for value in ("nan", "inf", "-inf"):  # TOML's own spellings: floats, not strings
        path = tmp_path / "config.toml"
        path.write_text(f"[{section}]\n{name} = {value}\n")
        with pytest.raises(ConfigError, match=rf"^config key {key} = {value} \(from {path}\): "
                           r"not a finite number; allowed range is "):
            load_config(path)


@pytest.mark.parametrize("key, f", INTS, ids=[k for k, _ in INTS])
def test_whole_numbers_refuse_nan_naming_the_range(key, f, tmp_path):
    with pytest.raises(ConfigError) as raised:
        override(Config(), key, "nan", flag=f"--set {key}")
    assert str(raised.value) == (
        f"config key {key} = 'nan' (from option --set {key}): expected a whole number "
        f"({f.metadata['min']}..{f.metadata['max']})")
    path = tmp_path / "config.toml"
    section, _, name = key.rpartition(".")
    path.write_text(f"[{section}]\n{name} = inf\n")
    with pytest.raises(ConfigError, match=rf"^config key {key} = inf .*expected a whole number"):
        load_config(path)


@pytest.mark.parametrize("key, f", DURATIONS, ids=[k for k, _ in DURATIONS])
def test_negative_durations_are_refused(key, f):
    with pytest.raises(ConfigError, match=rf"^config key {key} = '-1' .*allowed range is "
                       rf"{f.metadata['min']}\.\.{f.metadata['max']}$"):
        override(Config(), key, "-1")


def test_flags_that_set_numbers_name_the_flag():
    with pytest.raises(ConfigError) as raised:
        load_config(EMPTY, flagged=[("show.interval_s", float("nan"), "--interval")])
    assert str(raised.value) == ("config key show.interval_s = nan (from option --interval): "
                                 "not a finite number; allowed range is 0.5..86400.0")


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


def test_area_and_colours_become_typed_values():
    config = load_config(EMPTY, {"visualizer.area": "0.1,0.7,0.8,0.3",
                                 "visualizer.colours": "#ff0000, #0000ff"})
    assert config.visualizer.area == Area(0.1, 0.7, 0.8, 0.3) == (0.1, 0.7, 0.8, 0.3)
    assert config.visualizer.colours == ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    assert config.visualizer.colours.low == (1.0, 0.0, 0.0)
    # The defaults as typed values, written back as the text the file and --help show.
    default = Config().visualizer
    assert default.area == (0.0, 0.0, 1.0, 0.3) and str(default.area) == "0,0,1,0.3"
    assert str(default.colours) == "#268cff,#ff4d99"
    assert Colours.parse(str(default.colours)) == default.colours
    assert 'area = "0,0,1,0.3"' in describe_settings()
    assert 'colours = "#268cff,#ff4d99"' in describe_settings()


@pytest.mark.parametrize("text, reason", [
    ("0,0,1", "expected x,y,width,height"),
    ("0.5,0,0.8,0.3", "must lie inside it"),
    ("nan,0,1,0.3", "must lie inside it"),
    ("0,0,inf,0.3", "must lie inside it"),
])
def test_a_bad_area_names_the_key(text, reason):
    with pytest.raises(ConfigError, match=rf"^config key visualizer.area = '{text}' "
                       rf"\(from option --set visualizer.area\): .*{reason}"):
        override(Config(), "visualizer.area", text, flag="--set visualizer.area")


def test_bad_colours_name_the_key():
    with pytest.raises(ConfigError, match=r"^config key visualizer.colours = 'red,blue' .*#rrggbb"):
        override(Config(), "visualizer.colours", "red,blue")


def test_a_bad_audio_source_is_refused_at_load():
    with pytest.raises(ConfigError, match=r"^config key audio.source = 'tone:nan' .*tone:HZ"):
        override(Config(), "audio.source", "tone:nan")
    with pytest.raises(ConfigError, match=r"^config key audio.source = 'file:' .*needs a path"):
        override(Config(), "audio.source", "file:")
    assert override(Config(), "audio.source", "tone:440").audio.source == "tone:440"


def test_settings_that_depend_on_each_other_are_checked_at_load():
    with pytest.raises(ConfigError) as raised:
        load_config(EMPTY, {"ken_burns.zoom_min": "1.3", "ken_burns.zoom_max": "1.2",
                            "ken_burns.enabled": "off"})  # refused even while off
    assert str(raised.value) == ("config keys ken_burns.zoom_min = 1.3 and ken_burns.zoom_max "
                                 "= 1.2: zoom_max must be at least zoom_min")
    with pytest.raises(ConfigError, match=r"^config keys audio.low_hz = 500 and audio.high_hz "
                       r"= 800: .*at least 2 x low_hz"):
        load_config(EMPTY, {"audio.low_hz": "500", "audio.high_hz": "800"})


def test_a_later_source_may_fix_a_pair_an_earlier_one_set(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[audio]\nlow_hz = 500\nhigh_hz = 800\n")
    config = load_config(path, flagged=[("audio.high_hz", "2000", "--set audio.high_hz")])
    assert (config.audio.low_hz, config.audio.high_hz) == (500.0, 2000.0)


def test_a_missing_transitions_folder_is_a_warning_naming_it(tmp_path, caplog):
    missing = tmp_path / "no-such-folder"
    with caplog.at_level(logging.WARNING, logger="slideshow.config"):
        config = load_config(EMPTY, {"transitions.folder": str(missing)})
    assert config.transitions.folder == str(missing)
    assert [r.getMessage() for r in caplog.records] == [
        f"config key transitions.folder = {str(missing)!r}: no such folder; only the "
        "built-in transitions are used"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="slideshow.config"):
        load_config(EMPTY, {"transitions.folder": str(tmp_path)})
        load_config(EMPTY)  # empty: the per-user folder, which may well not exist
    assert caplog.records == []


@pytest.mark.parametrize("seconds, frames, message", [
    (-1.0, None, "option --seconds = -1.0: allowed range is 0..86400.0"),
    (float("nan"), None, "option --seconds = nan: not a finite number; allowed range is 0..86400.0"),
    (float("inf"), None, "option --seconds = inf: not a finite number; allowed range is 0..86400.0"),
    (None, -5, "option --frames = -5: allowed range is 0..10000000"),
])
def test_run_length_flags_are_checked(seconds, frames, message):
    with pytest.raises(ConfigError) as raised:
        check_run_length(seconds, frames)
    assert str(raised.value) == message


def test_run_lengths_that_ran_before_still_run():
    check_run_length(None, None)
    check_run_length(0.0, 0)  # one frame, then the report
    check_run_length(10.0, 150)


def test_output_paths_are_checked_before_the_run(tmp_path):
    check_output_path("--json", None)
    check_output_path("--json", tmp_path / "figures.json")
    (tmp_path / "old.json").write_text("{}")
    check_output_path("--json", tmp_path / "old.json")  # replaced, as before
    missing = tmp_path / "missing" / "figures.json"
    with pytest.raises(ConfigError) as raised:
        check_output_path("--json", missing)
    assert str(raised.value) == (f"option --json = {str(missing)!r}: the folder "
                                 f"{missing.parent} does not exist")
    with pytest.raises(ConfigError, match=r"^option --screenshot = .*: that is a folder"):
        check_output_path("--screenshot", tmp_path)


def test_main_turns_a_bad_value_into_one_line_and_status_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no per-user config.toml
    for argv, named in [
        (["bench", "--headless", "--transition", "inf"], "show.transition_s = inf (from option --transition)"),
        (["bench", "--headless", "--set", "pacing.upload_budget_ms=nan"], "pacing.upload_budget_ms = 'nan'"),
        (["show", "--seconds", "nan"], "option --seconds = nan"),
        (["preview", "--seconds", "-2"], "option --seconds = -2.0"),
        (["bench", "--headless", "--frames", "-1"], "option --frames = -1"),
        (["bench", "--headless", "--screenshot", str(tmp_path / "no" / "x.png")], "option --screenshot"),
        (["listen", "--seconds", "-1"], "option --seconds = -1.0"),
        (["listen", "--audio", "tone:nan"], "tone:HZ needs a frequency"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("slideshow: error: ") and named in err, (argv, err)


def run_cli(*argv: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", *argv], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("argv, named", [
    (("--interval", "nan"), "config key show.interval_s = nan (from option --interval): "
     "not a finite number; allowed range is 0.5..86400.0"),
    (("--rate", "nan"), "config key display.rate_hz = nan (from option --rate): "
     "not a finite number; allowed range is 0.0..1000.0"),
    (("--seconds", "-1"), "option --seconds = -1.0: allowed range is 0..86400.0"),
    (("--json", "/no/such/folder/figures.json"), "option --json = '/no/such/folder/figures.json': "
     "the folder /no/such/folder does not exist"),
    (("--screenshot", "last-frame"), "option --screenshot = 'last-frame': the name must end in "
     "an image type Pillow writes, such as .png"),
])
def test_bench_refuses_a_bad_flag_with_one_line_and_status_2(argv, named, tmp_path):
    done = run_cli("bench", "--headless", *argv, home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"slideshow: error: {named}\n"
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("item, reason", [
    ("wipe-left.softness=nan", "'wipe-left.softness=nan': nan is not a finite number"),
    ("block-spin-grid.color=vec3(0.5, inf, 0)", "inf is not a finite number"),
    ("crossfade.duration_s=-1", "duration_s must be a number of seconds in 0..60"),
    ("crossfade.duration_s=nan", "nan is not a finite number"),
    ("crossfade.duration_s=soon", "duration_s must be a number of seconds in 0..60"),
    ("blinds.count", "'blinds.count' is not NAME.PARAMETER=VALUE"),
])
def test_transition_params_are_checked_at_load(item, reason):
    with pytest.raises(ConfigError) as raised:
        override(Config(), "transitions.params", item, flag="--set transitions.params")
    assert str(raised.value).startswith(
        f"config key transitions.params = {item!r} (from option --set transitions.params): ")
    assert reason in str(raised.value)
    # One item per --set (a vector's value has commas); the file takes a list.
    good = override(Config(), "transitions.params", "wipe.direction=vec2(1.0, 0.0)")
    assert good.transitions.params == ("wipe.direction=vec2(1.0, 0.0)",)
    assert override(Config(), "transitions.params", ["crossfade.duration_s=4", "wipe.softness=.2"]
                    ).transitions.params == ("crossfade.duration_s=4", "wipe.softness=.2")


def test_a_transitions_values_are_finite_when_set_in_code():
    from slideshow.transitions.files import TransitionError, TransitionLibrary

    library = {t.name: t for t in TransitionLibrary(None)}
    with pytest.raises(TransitionError, match="duration_s must be a number of seconds in 0..60"):
        library["crossfade"].with_overrides(duration_s=float("nan"))
    with pytest.raises(TransitionError, match="expected a finite number"):
        library["wipe-left"].with_overrides({"softness": float("inf")})
    assert library["crossfade"].with_overrides(duration_s=0.0).duration_s == 0.0
