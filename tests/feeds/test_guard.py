"""The guard in front of feedparser: the documents feedparser alone would expand (an entity
used many times, a declaration hidden in a comment) refused at once, and the encodings
it decides once (byte-order marks, the HTTP charset, the declaration, Windows-1252 when
nothing is named) read into the same items feedparser then sees."""

from __future__ import annotations

import time

import pytest

from slideshow.feeds import FeedError, parse_feed
from slideshow.feeds.guard import UTF8_DECLARATION, screen_document

FEED_URL = "https://example.org/feeds/iotd.xml"
VALUE = "x" * 10_000


def feed(title: str, prolog: str = "", declaration: str = '<?xml version="1.0"?>') -> str:
    return (f"{declaration}\n{prolog}\n<rss version=\"2.0\"><channel><item><title>{title}</title>"
            '<enclosure url="https://example.org/a.jpg" type="image/jpeg"/></item></channel></rss>')


@pytest.mark.parametrize("prolog", [
    # feedparser keeps such a "safe" declaration and expands it without limit once the
    # document is not well-formed: 16 kB in, a 20,000,000-character title out.
    f'<!DOCTYPE rss [\n<!ENTITY a "{VALUE}">\n]>',
    # In a comment no XML parser sees a declaration; feedparser's regular expression does.
    f'<!--\n<!DOCTYPE x>\n<!ENTITY a "{VALUE}">\n-->',
    f'<!-- <!entity a "{VALUE}"> -->',  # any letter case
], ids=["internal subset", "inside a comment", "lower case"])
def test_a_declared_entity_is_refused_wherever_it_hides(prolog):
    document = feed("&a;" * 2000 + "<b>", prolog).encode()
    start = time.perf_counter()
    with pytest.raises(FeedError) as raised:
        parse_feed(document, FEED_URL)
    assert raised.value.kind == "unsafe XML"
    assert "<!ENTITY" in str(raised.value) and FEED_URL in str(raised.value)
    assert time.perf_counter() - start < 0.5


def test_a_parameter_entity_and_an_external_dtd_subset_are_refused():
    document = feed("t", '<!DOCTYPE rss [ %pe; ]>').encode()
    with pytest.raises(FeedError) as raised:
        parse_feed(document, FEED_URL)
    assert raised.value.kind == "unsafe XML" and "billion-laughs" in str(raised.value)


def test_feedparser_is_given_utf8_with_a_declaration_saying_so():
    latin = feed("Caf\u00e9", declaration='<?xml version="1.0" encoding="iso-8859-1"?>')
    screened = screen_document(latin.encode("iso-8859-1"), FEED_URL)
    assert screened.startswith(UTF8_DECLARATION.encode())
    assert "Caf\u00e9".encode() in screened and b"iso-8859-1" not in screened


@pytest.mark.parametrize(("data", "charset"), [
    (b"\xff\xfe" + feed("Caf\u00e9").encode("utf-16-le"), None),  # a byte-order mark
    (feed("Caf\u00e9", declaration='<?xml version="1.0" encoding="UTF-16"?>')
     .encode("utf-16-be"), None),  # no mark: the shape of `<?` in UTF-16
    (feed("Caf\u00e9").encode("cp1252"), None),  # nothing named, not UTF-8: Windows-1252
    (feed("Caf\u00e9", declaration='<?xml version="1.0" encoding="utf-8"?>')
     .encode("latin-1"), "ISO-8859-1"),  # the HTTP charset over the declaration
    (feed("Caf\u00e9").encode(), "no-such-charset"),  # a charset Python does not know: ignored
    (b"\n\n  " + feed("Caf\u00e9").encode(), None),  # blank lines before the declaration
])
def test_encodings_are_decided_once_and_read(data, charset):
    items = parse_feed(data, FEED_URL, charset)
    assert [(i.url, i.title) for i in items] == [("https://example.org/a.jpg", "Caf\u00e9")]


def test_an_encoding_expat_cannot_read_is_decoded_here():
    # GBK is multi-byte; expat alone refuses it ("unknown encoding"), the old parser did.
    data = feed("\u6d77\u6e2f", declaration='<?xml version="1.0" encoding="GBK"?>').encode("gbk")
    assert [i.title for i in parse_feed(data, FEED_URL)] == ["\u6d77\u6e2f"]


@pytest.mark.parametrize("encoding", ["no-such-encoding", "rot13", "zlib"])
def test_an_unknown_or_non_text_encoding_is_bad_xml(encoding):
    data = feed("t", declaration=f'<?xml version="1.0" encoding="{encoding}"?>').encode()
    with pytest.raises(FeedError) as raised:
        parse_feed(data, FEED_URL)
    assert raised.value.kind == "bad XML"
    assert f"unknown character encoding {encoding!r}" in str(raised.value)


def test_a_prolog_expat_cannot_read_is_bad_xml_with_its_position():
    with pytest.raises(FeedError) as raised:
        parse_feed(b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC>\n<rss/>', FEED_URL)
    assert raised.value.kind == "bad XML" and "(line 2, column" in str(raised.value)
