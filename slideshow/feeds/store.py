"""FeedCache: one feed's folder in the disk cache, the images downloaded from it and what
is remembered about the feed between runs.

Layout: `<cache_dir>/<hash of the feed URL>/` holds `feed.json` and the images, each named
by a hash of its own URL with the extension of the format its bytes are in (never the
URL's suffix). `feed.json` keeps the feed's ETag and Last-Modified (for the conditional
GET), when it was last fetched (so the refresh interval holds across restarts), the items
it listed last (so a 304 still lets missing images be fetched), the images kept, newest
first, and the URLs refused for good (too large, not an image) so they are not fetched on
every refresh. It is written to a temporary file and renamed; a damaged one is ignored
(the feed is then fetched anew). Files in the folder that feed.json does not name (an
interrupted download, an image whose entry was lost) are deleted on load.

Per feed, the newest `keep` images are kept; older ones are deleted when newer arrive.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from slideshow.feeds.parse import FeedItem

FORMAT = 1
STATE_NAME = "feed.json"
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp",
              "TIFF": ".tif", "HEIF": ".heic", "AVIF": ".avif"}
UNDATED_STEP_S = 1e-3  # undated items keep their document order below the time first seen

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """`feeds/` in the per-user cache folder (XDG on Linux, Library/Caches on macOS,
    AppData on Windows)."""
    return Path(platformdirs.user_cache_dir("slideshow")) / "feeds"


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Listed:
    """An image the feed lists; `time` (epoch seconds) orders newest first: the item's
    date, else when it was first seen."""

    url: str
    time: float
    title: str


@dataclass(frozen=True, slots=True)
class CachedPhoto:
    url: str
    name: str  # file name in the feed's folder
    time: float  # as Listed.time
    title: str


class FeedCache:
    """One feed's folder under `root`; `load()` before use, `save()` after changes."""

    def __init__(self, root: str | Path, feed_url: str) -> None:
        self.feed_url = feed_url
        self.folder = Path(root) / url_key(feed_url)
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.checked_at: float | None = None  # epoch seconds of the last 200 or 304
        self.listed: list[Listed] = []  # newest first
        self.photos: list[CachedPhoto] = []  # newest first
        self.refused: dict[str, str] = {}  # image URL -> why

    def path(self, photo: CachedPhoto) -> str:
        return str(self.folder / photo.name)

    def load(self) -> None:
        """Reads feed.json (a missing or damaged one leaves the cache empty), drops photos
        whose file is gone and deletes files it does not name."""
        state_path = self.folder / STATE_NAME
        try:
            state = json.loads(state_path.read_text("utf-8"))
            if state.get("format") == FORMAT and state.get("url") == self.feed_url:
                self._restore(state)
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001 - a damaged file fails in any way (deeply
            # nested JSON raises RecursionError, a list where a table belongs AttributeError)
            log.warning("ignoring the feed cache %s: it is damaged (%s: %s); fetching the "
                        "feed anew", state_path, type(exc).__name__, str(exc)[:200])
            self.etag = self.last_modified = self.checked_at = None
            self.listed, self.photos, self.refused = [], [], {}
        self.photos = [p for p in self.photos if (self.folder / p.name).is_file()]
        named = {p.name for p in self.photos} | {STATE_NAME}
        for entry in self.folder.iterdir() if self.folder.is_dir() else ():
            if entry.name not in named and entry.is_file():
                entry.unlink(missing_ok=True)

    def save(self) -> None:
        state = {"format": FORMAT, "url": self.feed_url, "etag": self.etag,
                 "last_modified": self.last_modified, "checked_at": self.checked_at,
                 "listed": [[i.url, i.time, i.title] for i in self.listed],
                 "photos": [[p.url, p.name, p.time, p.title] for p in self.photos],
                 "refused": self.refused}
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_NAME
        temporary = path.with_name(f"{STATE_NAME}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(state, indent=1), "utf-8")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def update_listing(self, items: list[FeedItem], seen_at: float) -> None:
        """The feed's new list of images (seen at `seen_at`, epoch seconds)."""
        known = {i.url: i.time for i in self.listed} | {p.url: p.time for p in self.photos}
        listed = []
        for position, item in enumerate(items):
            time = item.published
            if time is None:
                time = known.get(item.url, seen_at - position * UNDATED_STEP_S)
            listed.append(Listed(item.url, time, item.title))
        self.listed = sorted(listed, key=lambda i: -i.time)
        urls = {i.url for i in listed}
        self.refused = {url: why for url, why in self.refused.items() if url in urls}

    def wanted(self, keep: int) -> list[Listed]:
        """The images to fetch: of the newest `keep` listed ones not refused, those not cached."""
        cached = {p.url for p in self.photos}
        candidates = [i for i in self.listed if i.url not in self.refused][:keep]
        return [i for i in candidates if i.url not in cached]

    def part_path(self, url: str) -> Path:
        """Where the download of `url` is written until it is known to be an image."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{url_key(url)}.{os.getpid()}.part"

    def add(self, item: Listed, part: Path, image_format: str) -> str:
        """Moves a checked download into place; returns the photo's path."""
        name = url_key(item.url) + EXTENSIONS.get(image_format, ".img")
        os.replace(part, self.folder / name)
        photo = CachedPhoto(item.url, name, item.time, item.title)
        self.photos = sorted([p for p in self.photos if p.url != item.url] + [photo],
                             key=lambda p: -p.time)
        return self.path(photo)

    def refuse(self, url: str, reason: str) -> None:
        self.refused[url] = reason

    def trim(self, keep: int) -> list[str]:
        """Deletes all but the newest `keep` images; returns the deleted paths."""
        dropped, self.photos = self.photos[keep:], self.photos[:keep]
        for photo in dropped:
            (self.folder / photo.name).unlink(missing_ok=True)
        return [self.path(p) for p in dropped]

    def _restore(self, state: dict) -> None:
        self.etag, self.last_modified = state["etag"], state["last_modified"]
        checked = state["checked_at"]
        self.checked_at = float(checked) if checked is not None else None
        self.listed = [Listed(str(u), float(t), str(title)) for u, t, title in state["listed"]]
        photos = [CachedPhoto(str(u), str(n), float(t), str(title))
                  for u, n, t, title in state["photos"]]
        # Names are plain file names in the folder: a tampered file cannot point elsewhere.
        self.photos = [p for p in photos if p.name == Path(p.name).name != STATE_NAME]
        self.refused = {str(u): str(why) for u, why in state["refused"].items()}
