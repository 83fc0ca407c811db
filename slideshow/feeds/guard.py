"""The guard in front of feedparser: a feed document from the network, decoded once to
UTF-8 here, refused when it could declare an entity, and handed on only as the exact
bytes that were checked.

Why feedparser cannot be trusted with it alone (measured with feedparser 6.0.14 and
expat 2.5.0, tests/feeds/test_guard.py pins the refusals): it drops entity declarations
only where its regular expression finds them (each at the start of a line, in the text
before the first `<letter`), keeps the "safe" ones (plain text values), and when the XML
is not well-formed re-reads the document with a lenient SGML parser that expands those
with no limit. A 16 kB document declaring one 10 kB entity and using it 2,000 times came
back as a 20,000,000-character title (1,250 times its size; with a 16 MiB feed that is
terabytes), also with the declaration hidden inside a comment, where no XML parser sees
a declaration but the regular expression does. Billion laughs written on one line passes
its regular expression untouched and is stopped only by expat's own amplification limit
(expat 2.4 and later), after 1.4 s here (4 s under load). External entities and DTDs it
never fetched (stripped, and its SAX reader has external general entities off): a
loopback server saw no request. It prefers libxml2's SAX driver where one is importable;
with no entity declared and no internal subset, which parser reads the rest is moot.

So, before feedparser sees anything:
1. The encoding is decided once, here: a byte-order mark, else the HTTP charset, else the
   UTF-16/32 or EBCDIC shape of the first bytes, else the XML declaration, else UTF-8
   (then Windows-1252 if that does not decode); unknown names are "bad XML". The text is
   re-encoded as UTF-8 with a declaration saying so, which is all feedparser is given.
2. `<!ENTITY` anywhere in that text, in any letter case, is "unsafe XML": no feed needs
   one, and it is the only way to make either of feedparser's parsers expand anything.
3. expat reads the prolog, up to the root element's start tag: a document type with an
   internal subset (every billion-laughs and external-entity document) is "unsafe XML",
   a prolog expat cannot read is "bad XML", a root that is not `rss`, `RDF` or `feed` is
   "not a feed". A bare `<!DOCTYPE rss PUBLIC ...>` (old RSS 0.91) is allowed: it
   declares nothing, and neither expat here nor feedparser fetches its DTD.
The body is not checked here: a bare `&` or an HTML entity such as `&nbsp;` is
feedparser's to forgive.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from slideshow.feeds.errors import FeedError

FEED_ROOTS = frozenset({"rss", "RDF", "feed"})  # RSS 0.9x/2.0, RSS 1.0 (rdf:RDF), Atom
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'

# Longest first: a UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
# `<?` (or `<` and a name) in encodings that are not ASCII-compatible (XML 1.0, appendix F)
_SHAPES = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
           (b"\x00<\x00", "utf-16-be"), (b"<\x00", "utf-16-le"), (b"\x4c\x6f\xa7\x94", "cp037"))
_DECLARED = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.-]*)["']""")
_DECLARATION = re.compile(r"^<\?xml\s[^>]*?\?>")
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)


class _Unsafe(Exception):
    pass


class _RootReached(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def screen_document(data: bytes, url: str, charset: str | None = None) -> bytes:
    """`data` (the document at `url`, served with `charset` if the server named one) as
    UTF-8 with a declaration saying so, once it is known to declare no entity and to be
    a feed. Raises FeedError "unsafe XML", "bad XML" or "not a feed"; `url` is only for
    the message."""
    text = _decode(data, url, charset).lstrip("\ufeff \t\r\n")  # some servers put blank lines first
    if _ENTITY.search(text):
        raise FeedError("unsafe XML", url, "refused: it declares an entity (<!ENTITY), the way "
                        "of billion-laughs, quadratic-blowup and external-entity attacks")
    body = _DECLARATION.sub("", text, count=1)
    checked = (UTF8_DECLARATION + body).encode("utf-8", "replace")
    root = _read_prolog(checked, url)
    if root not in FEED_ROOTS:
        raise FeedError("not a feed", url, f"the document is <{root}>, not an RSS or Atom feed")
    return checked


def _decode(data: bytes, url: str, charset: str | None) -> str:
    encoding, start, named = _encoding(data, charset)
    try:
        if named:
            return data[start:].decode(encoding, "replace")
        try:  # no encoding named anywhere: UTF-8, or the Windows-1252 of old servers
            return data[start:].decode("utf-8")
        except UnicodeDecodeError:
            return data[start:].decode("cp1252", "replace")
    except (LookupError, UnicodeError):  # LookupError also for codecs that are not text
        raise FeedError("bad XML", url, f"unknown character encoding {encoding!r}") from None


def _encoding(data: bytes, charset: str | None) -> tuple[str, int, bool]:
    """(Python codec name, where the text starts, whether anything named it) for `data`."""
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name, len(mark), True
    charset = (charset or "").strip().strip("\"'").lower()
    if charset and _is_codec(charset):  # a charset Python does not know is a server's typo
        return charset, 0, True
    head = data.lstrip(b" \t\r\n")
    for shape, name in _SHAPES:
        if head.startswith(shape):
            return name, 0, True
    declared = _DECLARED.match(head)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        # An ASCII-readable declaration naming UTF-16/32 is wrong about itself.
        if not name.startswith(("utf-16", "utf-32", "ucs")):
            return name, 0, True
    return "utf-8", 0, False


def _is_codec(name: str) -> bool:
    try:
        b"<".decode(name, "replace")  # LookupError also for codecs that are not text (rot13)
        return True
    except LookupError:
        return False


def _read_prolog(document: bytes, url: str) -> str:
    """The local name of the root element; refuses a document type with an internal
    subset or any entity declaration the moment expat meets it."""
    parser = expat.ParserCreate(namespace_separator="}")
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

    def stop_at_root(name: str, _attributes: object) -> None:
        raise _RootReached(name.rpartition("}")[2])

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = stop_at_root
    try:
        parser.Parse(document, True)
    except _RootReached as root:
        return root.name
    except _Unsafe as exc:
        raise FeedError("unsafe XML", url, f"refused: {exc}") from None
    except expat.ExpatError as exc:
        raise FeedError("bad XML", url, f"not well-formed XML: {expat.errors.messages[exc.code]} "
                        f"(line {exc.lineno}, column {exc.offset})") from None
    raise FeedError("bad XML", url, "not well-formed XML: no root element")
