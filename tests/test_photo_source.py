"""The displays' photo source: a folder with no photo stops at start-up naming it, a
folder with photos deals distinct photos to two displays, and no folder means the demo set."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from slideshow.config import load_config
from slideshow.errors import ConfigError
from slideshow.photo_source import DisplayPhotos

EMPTY_TOML = Path(__file__).with_name("empty.toml")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """The library's index cache (and the demo set) in the test's folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_a_folder_without_photos_is_an_error_naming_it_and_what_was_skipped(tmp_path):
    (tmp_path / "notes.txt").write_text("no photos here")
    (tmp_path / "fake.jpg").write_text("not a JPEG either")
    config = load_config(EMPTY_TOML, {"show.paths": [str(tmp_path)]})
    with pytest.raises(ConfigError) as raised:
        DisplayPhotos(config)
    message = str(raised.value)
    assert f"no photos found in {tmp_path}" in message
    assert "not_an_image" in message


def test_two_displays_get_different_photos(tmp_path):
    for index in range(4):
        Image.new("RGB", (8, 8), (index * 60, 0, 0)).save(tmp_path / f"{index}.png")
    config = load_config(EMPTY_TOML, {"show.paths": [str(tmp_path)]})
    photos = DisplayPhotos(config)
    try:
        first, second = photos.for_display(0), photos.for_display(1)
        for _ in range(6):
            assert first() != second()
    finally:
        photos.close()


def test_no_folder_means_the_demo_set():
    photos = DisplayPhotos(load_config(EMPTY_TOML))
    try:
        path = photos.for_display(0)()
        assert path is not None and Path(path).name.startswith("landscape-")
    finally:
        photos.close()
