"""The displays' photo source: a folder with no photo stops at start-up naming it, a
folder with photos deals distinct photos to two displays, and no folder means the demo set."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from slideshow.config import load_config
from slideshow.errors import ConfigError
from slideshow.library.display_photos import DisplayPhotos
from tests.support import EMPTY_TOML

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


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


def test_feeds_in_the_config_mix_their_images_into_a_display(tmp_path):
    import http.server
    import threading

    photo = tmp_path / "served.png"
    Image.new("RGB", (16, 16), (0, 200, 0)).save(photo)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                body = (f'<rss version="2.0"><channel><title>t</title><item><title>one</title>'
                        f'<enclosure url="http://127.0.0.1:{port}/one.png" type="image/png" '
                        f'length="1"/></item></channel></rss>').encode()
                kind = "application/rss+xml"
            else:
                body, kind = photo.read_bytes(), "image/png"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None: ...

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = tmp_path / "local"
    local.mkdir()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(local / "mine.png")
    config = load_config(EMPTY_TOML, {"show.paths": [str(local)],
                                      "feeds.urls": f"http://127.0.0.1:{port}/feed.xml",
                                      "feeds.feed_share": 0.5,
                                      "feeds.allow_private": True})  # the server: loopback
    photos = DisplayPhotos(config)
    try:
        assert photos.feeds.settle(10)
        next_path = photos.for_display(0)
        drawn = {Path(next_path()).parent.name == "local" for _ in range(40)}
        assert drawn == {True, False}  # both the folder's photo and the feed's image
    finally:
        photos.close()
        server.shutdown()
