"""Reading a feed document: RSS (0.9x, 1.0, 2.0), Media RSS and Atom, into the images it
lists, one per item, with the item's date.

Security: the XML comes from the network and defusedxml is not a dependency, so the tree
is built here from the standard library's expat with three refusals that make entity
expansion impossible. A document type with an internal subset (the only place a feed can
declare entities, so every billion-laughs, quadratic-blowup and external-entity document)
and any entity declaration are refused as "unsafe XML" the moment expat meets them, which
is before the root element, so before any entity could be expanded; parameter entities
and external DTDs are never read. A bare `<!DOCTYPE rss PUBLIC ... "...dtd">` (old RSS
0.91 feeds carry one) is allowed: without an internal subset it declares nothing, and its
DTD is not fetched. References to entities it would have defined are dropped.

Which image an item stands for, best first: a Media RSS `media:content` that is an image
(by type, medium, or file suffix; the widest when there are several), an RSS `enclosure`
or Atom `link` with an image type (`rel="enclosure"` or any other rel) or an image suffix,
then a `media:thumbnail`. Items with none are skipped; HTML in descriptions is not read.
"""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

from slideshow.feeds.errors import FeedError
from slideshow.library.formats import PHOTO_SUFFIXES

MEDIA_NS = frozenset({"http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss"})
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
_FEED_ROOTS = frozenset({"rss", "RDF", "feed"})  # RSS 0.9x/2.0, RSS 1.0 (RDF), Atom
_ENTRIES = frozenset({"item", "entry"})


@dataclass(frozen=True, slots=True)
class FeedItem:
    url: str  # the image: an absolute http(s) URL
    published: float | None  # epoch seconds from pubDate / published / dc:date / updated
    title: str


class _Unsafe(Exception):
    pass


def parse_feed(data: bytes, feed_url: str) -> list[FeedItem]:
    """The images `data` (a feed fetched from `feed_url`) lists, in document order, one
    per item, each URL once. Raises FeedError ("unsafe XML", "bad XML", "not a feed")."""
    root = parse_xml(data, feed_url)
    if _split(root.tag)[1] not in _FEED_ROOTS:
        raise FeedError("not a feed", feed_url, f"the document is <{_split(root.tag)[1]}>, "
                        "not an RSS or Atom feed")
    items, seen = [], set()
    for entry in root.iter():
        if _split(entry.tag)[1] not in _ENTRIES:
            continue
        url = _image_url(entry, feed_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        items.append(FeedItem(url, _published(entry), _text(entry, "title")))
    return items


def parse_xml(data: bytes, url: str) -> ET.Element:
    """An ElementTree of `data`, names as `{namespace}local`; refuses entity declarations
    (see the module docstring). `url` is only for the error message."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(name: str, system_id: str | None, public_id: str | None,
                       has_internal_subset: int) -> None:
        if has_internal_subset:
            raise _Unsafe(f"its <!DOCTYPE {name} [...]> may declare entities "
                          "(a billion-laughs or external-entity attack)")

    def refuse_entity(name: str, *_: object) -> None:
        raise _Unsafe(f"it declares the entity {name!r}")

    def refuse_external(*_: object) -> int:
        raise _Unsafe("it refers to an external entity")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = lambda name, attrs: builder.start(
        _clark(name), {_clark(key): value for key, value in attrs.items()})
    parser.EndElementHandler = lambda name: builder.end(_clark(name))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data.lstrip(b" \t\r\n"), True)  # some servers put blank lines first
    except _Unsafe as exc:
        raise FeedError("unsafe XML", url, f"refused: {exc}") from None
    except expat.ExpatError as exc:
        raise FeedError("bad XML", url, f"not well-formed XML: {expat.errors.messages[exc.code]} "
                        f"(line {exc.lineno}, column {exc.offset})") from None
    return builder.close()


def _clark(name: str) -> str:
    """expat's `namespace}local` as ElementTree's `{namespace}local`."""
    return "{" + name if "}" in name else name


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _image_url(entry: ET.Element, base: str) -> str | None:
    """The best image URL of one item or entry, absolute, or None."""
    candidates: list[tuple[int, int, str]] = []  # (rank, -width, url): the smallest wins
    for element in entry.iter():
        namespace, name = _split(element.tag)
        if namespace in MEDIA_NS and name in ("content", "thumbnail"):
            url = element.get("url", "")
            if name == "thumbnail" or _is_image(url, element.get("type"), element.get("medium")):
                width = _int(element.get("width"))
                candidates.append((0 if name == "content" else 2, -width, url))
        elif namespace == "" and name == "enclosure":
            url = element.get("url", "")
            if _is_image(url, element.get("type")):
                candidates.append((1, 0, url))
        elif namespace == ATOM_NS and name == "link":
            url = element.get("href", "")
            if _is_image(url, element.get("type")):
                candidates.append((1, 0, url))
    for _, _, url in sorted(candidates):
        absolute = urljoin(base, url.strip())
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


def _published(entry: ET.Element) -> float | None:
    found: dict[str, str] = {}
    for child in entry:
        namespace, name = _split(child.tag)
        if (namespace, name) in (("", "pubDate"), (ATOM_NS, "published"), (DC_NS, "date"),
                                 (ATOM_NS, "updated")):
            found.setdefault(name, (child.text or "").strip())
    for name in ("pubDate", "published", "date", "updated"):  # the publication date first
        stamp = _timestamp(found.get(name, ""), rfc822=name == "pubDate")
        if stamp is not None:
            return stamp
    return None


def _timestamp(text: str, rfc822: bool) -> float | None:
    """Epoch seconds of an RFC 822 (RSS) or RFC 3339 (Atom, Dublin Core) date; naive
    dates are taken as UTC; None when it does not parse (many feeds get dates wrong)."""
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text) if rfc822 else datetime.fromisoformat(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _text(entry: ET.Element, local: str) -> str:
    for child in entry:
        if _split(child.tag)[1] == local:
            return "".join(child.itertext()).strip()
    return ""


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
