"""Config: defaults, TOML files, command-line overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from slideshow.config import Config, Size, load_config, override
from slideshow.errors import ConfigError
from tests.support import EMPTY_TOML


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_missing_default_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = load_config()
    assert config == Config()
    assert config.display.size == Size(1280, 720)
    assert config.show.fit == "fill"


def test_file_values_are_typed_and_frozen(tmp_path):
    path = write(tmp_path, '[show]\ninterval_s = 10\nfit = "fit"\npaths = ["~/Pictures"]\n'
                 '[display]\nsize = "800x600"\nfullscreen = false\n')
    config = load_config(path)
    assert config.show.interval_s == 10.0 and isinstance(config.show.interval_s, float)
    assert config.show.fit == "fit"
    assert config.show.paths == (str(Path("~/Pictures").expanduser()),)
    assert config.display.size == Size(800, 600)
    assert config.display.fullscreen is False
    with pytest.raises(AttributeError):
        config.show.fit = "fill"  # type: ignore[misc]


def test_default_file_is_read_from_the_user_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "slideshow").mkdir()
    (tmp_path / "slideshow" / "config.toml").write_text("[show]\ninterval_s = 42\n")
    assert load_config().show.interval_s == 42.0


def test_unknown_key_names_the_key_and_the_allowed_keys(tmp_path):
    path = write(tmp_path, "[display]\nfulscreen = true\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "display.fulscreen" in message
    assert "fullscreen, monitor, exit_on_input, size, rate_hz, vsync" in message
    assert str(path) in message


def test_bad_choice_names_key_value_and_allowed_values(tmp_path):
    path = write(tmp_path, '[show]\nfit = "stretch"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"config key show.fit = 'stretch' (from {path}): allowed values are fill, fit, shrink, blur")


def test_out_of_range_and_wrong_type(tmp_path):
    with pytest.raises(ConfigError, match=r"show.interval_s = 0.1 .*allowed range is 0.5..86400.0"):
        load_config(write(tmp_path, "[show]\ninterval_s = 0.1\n"))
    with pytest.raises(ConfigError, match=r"display.fullscreen = 'maybe' .*allowed values are true, false"):
        load_config(write(tmp_path, '[display]\nfullscreen = "maybe"\n'))
    with pytest.raises(ConfigError, match=r"display.size = '12by3'.*WIDTHxHEIGHT"):
        load_config(write(tmp_path, '[display]\nsize = "12by3"\n'))
    with pytest.raises(ConfigError, match=r"workers.ring_slots = 2.5 .*whole number"):
        load_config(write(tmp_path, "[workers]\nring_slots = 2.5\n"))


def test_section_must_be_a_table_and_unknown_sections_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"config key show .*must be a table"):
        load_config(write(tmp_path, "show = 3\n"))
    with pytest.raises(ConfigError, match=r"unknown config key sound .*allowed keys in the top level"):
        load_config(write(tmp_path, "[sound]\nx = 1\n"))


def test_invalid_toml_and_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(write(tmp_path, "[show\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_overrides_win_over_the_file_and_name_the_flag(tmp_path):
    path = write(tmp_path, "[display]\nrate_hz = 75\n")
    config = load_config(path, {"display.rate_hz": "144"})
    assert config.display.rate_hz == 144.0
    with pytest.raises(ConfigError) as info:
        override(config, "display.rate_hz", "-3", flag="--rate")
    assert "display.rate_hz = '-3' (from option --rate)" in str(info.value)
    with pytest.raises(ConfigError, match="unknown config section 'displya'"):
        override(config, "displya.rate_hz", "1")


def test_a_band_range_narrower_than_an_octave_names_both_keys():
    with pytest.raises(ConfigError) as raised:  # refused at load, before any audio starts
        load_config(EMPTY_TOML, {"audio.low_hz": 500, "audio.high_hz": 800, "audio.source": "off"})
    assert "audio.low_hz = 500 and audio.high_hz = 800" in str(raised.value)
    assert "at least 2 x low_hz" in str(raised.value)
