"""Reading a feed document: RSS (0.9x, 1.0, 2.0), Media RSS and Atom, into the images it
lists, one per item, with the item's date.

feedparser reads the feed, so what real feeds get wrong is forgiven: an undefined HTML
entity (`&nbsp;`) or a bare `&` in a title costs nothing but strictness, Atom `xml:base`
is honoured (nested ones too), and dates in the many forms feeds use
("2024-05-01 10:00:00" included, taken as UTC) are read. It is given only bytes, never a
URL or a file name: the document is fetched by download.py (limits, deadline, address
policy) and screened first by guard.py, which refuses every document that declares an
entity (feedparser alone expands them; see there) and every one that is not a feed.

Which image an item stands for, best first: a Media RSS `media:content` that is an image
(by type, medium, or file suffix), an RSS `enclosure` or Atom `link rel="enclosure"` with
an image type or suffix, another link with an image type or suffix, then a
`media:thumbnail`; of several of one kind the widest. Items with none are skipped; HTML
in descriptions is not read (its images are mostly icons, avatars and tracking pixels).
Relative URLs are resolved against the entry's `xml:base` where feedparser keeps it (Atom
links and enclosures), otherwise against the feed's URL.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from slideshow.feeds.errors import FeedError
from slideshow.feeds.guard import screen_document
from slideshow.library.formats import PHOTO_SUFFIXES


@dataclass(frozen=True, slots=True)
class FeedItem:
    url: str  # the image: an absolute http(s) URL
    published: float | None  # epoch seconds from pubDate / published / dc:date / updated
    title: str


def parse_feed(data: bytes, feed_url: str, charset: str | None = None) -> list[FeedItem]:
    """The images `data` (a feed fetched from `feed_url`, served with `charset` if the
    server named one) lists, in document order, one per item, each URL once. Raises
    FeedError ("unsafe XML", "bad XML", "not a feed"); a document that is not well-formed
    is "bad XML" only when no image can be read from it."""
    document = screen_document(data, feed_url, charset)
    # A file object, never bytes: feedparser tries bytes as a file name before anything.
    result = feedparser.parse(io.BytesIO(document), sanitize_html=False,
                              resolve_relative_uris=False,
                              response_headers={"content-location": feed_url,
                                                "content-type": "application/xml; charset=utf-8"})
    items, seen = [], set()
    for entry in result.entries:
        url = _image_url(entry, feed_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        items.append(FeedItem(url, _published(entry), " ".join(entry.get("title", "").split())))
    if result.get("bozo") and not items:
        # Broken and nothing in it: say why, rather than list a feed without images.
        raise FeedError("bad XML", feed_url, f"not well-formed XML, and no image could be read "
                        f"from it ({result.get('bozo_exception')})")
    return items


def _image_url(entry: dict[str, Any], feed_url: str) -> str | None:
    """The best image URL of one entry, absolute, or None."""
    candidates: list[tuple[int, int, str]] = []  # (rank, -width, url): the smallest wins
    for media in entry.get("media_content", ()):
        url = media.get("url", "")
        if _is_image(url, media.get("type"), media.get("medium")):
            candidates.append((0, -_int(media.get("width")), url))
    for enclosure in entry.get("enclosures", ()):
        url = enclosure.get("href", "")
        if _is_image(url, enclosure.get("type")):
            candidates.append((1, 0, url))
    for link in entry.get("links", ()):
        url, mime_type = link.get("href", ""), link.get("type")
        # feedparser writes text/html into every link that names no type.
        if link.get("rel") != "enclosure" and _is_image(url, None if mime_type == "text/html"
                                                        else mime_type):
            candidates.append((2, 0, url))
    for thumbnail in entry.get("media_thumbnail", ()):
        url = thumbnail.get("url", "")
        if url:
            candidates.append((3, -_int(thumbnail.get("width")), url))
    for _, _, url in sorted(candidates):
        absolute = urljoin(feed_url, url.strip())
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


def _is_image(url: str, mime_type: str | None, medium: str | None = None) -> bool:
    if not url:
        return False
    if mime_type:
        return mime_type.strip().lower().startswith("image/")
    if medium:
        return medium.strip().lower() == "image"
    return PurePosixPath(urlsplit(url).path).suffix.lower() in PHOTO_SUFFIXES


def _published(entry: dict[str, Any]) -> float | None:
    """Epoch seconds of the publication date (pubDate, published), else of the last
    update (dc:date, updated); feedparser gives them as UTC struct_times."""
    for key in ("published_parsed", "updated_parsed"):
        moment = entry.get(key)
        if moment is not None:
            return float(calendar.timegm(moment))
    return None


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
