"""Feed documents into image items through feedparser: RSS 2.0 enclosures, Media RSS, Atom
links, dates, relative URLs and xml:base; the three real-world feeds of issue 16 that the
old strict parser lost whole (`&nbsp;` and a bare `&` in titles, a nested Atom xml:base,
a "2024-05-01 10:00:00" date); and the refusal of entity declarations in front of it
(billion laughs, external entities), fast."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from slideshow.feeds import FeedError, parse_feed

FEED_URL = "https://example.org/feeds/iotd.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Image of the Day</title>
 <image><url>https://example.org/logo.png</url></image>
 <item><title>Nebula</title><pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
  <enclosure url="https://images.example.org/nebula.jpg" length="1234" type="image/jpeg"/></item>
 <item><title>Podcast</title>
  <enclosure url="https://example.org/show.mp3" type="audio/mpeg"/></item>
 <item><title>Moon</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
  <media:group>
   <media:content url="/img/moon-small.jpg" medium="image" width="640"/>
   <media:content url="/img/moon-large.jpg" medium="image" width="4000"/>
   <media:content url="/img/moon.mp4" type="video/mp4" width="8000"/>
  </media:group>
  <media:thumbnail url="/img/moon-thumb.jpg"/></item>
 <item><title>Thumb only</title><media:thumbnail url="https://example.org/t.png"/></item>
 <item><title>Local file</title><enclosure url="file:///etc/passwd" type="image/jpeg"/></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
 <title>Photos</title>
 <entry><title>Harbour</title><published>2024-03-04T05:06:07Z</published>
  <link rel="alternate" type="text/html" href="https://example.org/harbour.html"/>
  <link rel="enclosure" type="image/png" href="pics/harbour.png"/></entry>
 <entry><title>Bridge</title><updated>2024-03-01T00:00:00+01:00</updated>
  <link href="https://example.org/bridge.JPG"/></entry>
 <entry><title>Page only</title><link href="https://example.org/page"/></entry>
</feed>"""


def test_rss_items_give_their_best_image_with_dates_and_titles():
    items = parse_feed(RSS, FEED_URL)
    assert [i.url for i in items] == [
        "https://images.example.org/nebula.jpg",
        "https://example.org/img/moon-large.jpg",  # the widest image, resolved, not the video
        "https://example.org/t.png",  # a thumbnail when nothing else is there
    ]
    assert [i.title for i in items] == ["Nebula", "Moon", "Thumb only"]
    assert items[0].published == 1704189600.0  # 2024-01-02 10:00 UTC
    assert items[1].published == 1704103200.0
    assert items[2].published is None


def test_atom_enclosure_and_image_links_resolve_against_the_feed_url():
    items = parse_feed(ATOM, FEED_URL)
    assert [i.url for i in items] == ["https://example.org/feeds/pics/harbour.png",
                                      "https://example.org/bridge.JPG"]
    assert items[0].published == 1709528767.0  # 2024-03-04T05:06:07Z
    assert items[1].published == 1709247600.0  # updated, when there is no published


def test_billion_laughs_is_refused_before_any_expansion():
    levels = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{levels}]>'
            '<rss><channel><item><title>&lol9;</title></item></channel></rss>').encode()
    start = time.perf_counter()
    with pytest.raises(FeedError) as raised:
        parse_feed(bomb, FEED_URL)
    assert raised.value.kind == "unsafe XML"
    assert "billion-laughs" in str(raised.value) and FEED_URL in str(raised.value)
    assert time.perf_counter() - start < 0.5  # 10**9 "lol"s were never built


def test_external_entity_is_refused():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b"<rss><channel><item><title>&xxe;</title></item></channel></rss>")
    with pytest.raises(FeedError) as raised:
        parse_feed(xxe, FEED_URL)
    assert raised.value.kind == "unsafe XML"


def test_a_doctype_without_internal_subset_is_read():
    # Old RSS 0.91 feeds name Netscape's DTD; with no internal subset nothing is declared.
    rss091 = (b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
              b'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
              b'<rss version="0.91"><channel><item><title>Old</title>'
              b'<enclosure url="http://example.org/old.gif" type="image/gif"/></item>'
              b"</channel></rss>")
    assert [i.url for i in parse_feed(rss091, FEED_URL)] == ["http://example.org/old.gif"]


@pytest.mark.parametrize(("data", "kind"), [
    (b"<rss><channel><item></channel></rss>", "bad XML"),  # broken, and no image in it
    (b"", "bad XML"),
    (b"<?xml version='1.0'?>", "bad XML"),
    (b"the feed has moved", "bad XML"),
    (b"<html><body><img src='a.jpg'/></body></html>", "not a feed"),
])
def test_documents_that_are_not_feeds_are_refused_with_a_kind(data, kind):
    with pytest.raises(FeedError) as raised:
        parse_feed(data, FEED_URL)
    assert raised.value.kind == kind


# What real feeds send: an HTML entity XML does not define and a bare ampersand.
SLOPPY_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour &amp; Hills</title>
 <item><title>Sunrise&nbsp;over the bay</title>
  <enclosure url="https://example.org/sunrise.jpg" type="image/jpeg"/></item>
 <item><title>Tom & Jerry's boat</title>
  <enclosure url="https://example.org/boat.jpg" type="image/jpeg"/></item>
 <item><title>Caf&eacute; at dusk</title>
  <enclosure url="https://example.org/cafe.jpg" type="image/jpeg"/></item>
</channel></rss>"""


def test_undefined_entities_and_bare_ampersands_lose_nothing():
    with pytest.raises(ET.ParseError):  # what the strict parser made of it: the whole feed lost
        ET.fromstring(SLOPPY_RSS)
    items = parse_feed(SLOPPY_RSS, FEED_URL)
    assert [i.url for i in items] == ["https://example.org/sunrise.jpg",
                                      "https://example.org/boat.jpg",
                                      "https://example.org/cafe.jpg"]
    assert [i.title for i in items] == ["Sunrise over the bay", "Tom & Jerry's boat",
                                        "Caf\u00e9 at dusk"]


# A feed at https://example.org/feeds/iotd.xml whose images live on a CDN: the feed's
# xml:base is absolute, the entry's is relative to it. Resolved against the feed's URL
# instead (the old parser), a.jpg became https://example.org/feeds/a.jpg.
XML_BASE_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example.net/">
 <title>CDN photos</title>
 <entry xml:base="img/"><title>A</title><updated>2024-05-01T10:00:00Z</updated>
  <link rel="alternate" href="/pages/a.html"/>
  <link rel="enclosure" type="image/jpeg" href="a.jpg"/></entry>
 <entry><title>B</title><updated>2024-05-01T09:00:00Z</updated>
  <link href="b.png"/></entry>
</feed>"""


def test_atom_xml_base_is_resolved_nested_and_not_against_the_feed_url():
    items = parse_feed(XML_BASE_ATOM, FEED_URL)
    assert [i.url for i in items] == ["https://cdn.example.net/img/a.jpg",
                                      "https://cdn.example.net/b.png"]


SPACE_DATED_RSS = b"""<rss version="2.0"><channel>
 <item><title>new</title><pubDate>2024-05-01 10:00:00</pubDate>
  <enclosure url="https://example.org/new.jpg" type="image/jpeg"/></item>
 <item><title>old</title><pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
  <enclosure url="https://example.org/old.jpg" type="image/jpeg"/></item>
 <item><title>dc</title><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024-05-01T12:00:00+02:00</dc:date>
  <enclosure url="https://example.org/dc.jpg" type="image/jpeg"/></item>
</channel></rss>"""


def test_a_date_with_a_space_instead_of_a_t_is_kept_as_utc():
    items = parse_feed(SPACE_DATED_RSS, FEED_URL)
    # The cache orders and trims by these (store.py): a dropped date read as "seen now".
    assert [(i.title, i.published) for i in items] == [
        ("new", 1714557600.0),  # 2024-05-01 10:00 UTC
        ("old", 1704189600.0),
        ("dc", 1714557600.0)]  # 12:00+02:00 is the same moment


def test_a_document_naming_a_local_file_is_not_read(tmp_path):
    # feedparser tries bytes as a file name first; it is given a file object, never that.
    local = tmp_path / "feed.xml"
    local.write_bytes(SLOPPY_RSS)
    with pytest.raises(FeedError) as raised:
        parse_feed(str(local).encode(), FEED_URL)
    assert raised.value.kind == "bad XML"


def test_media_content_prefers_the_widest_image_and_thumbnails_come_last():
    feed = b"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
     <item><media:thumbnail url="https://example.org/t-big.jpg" width="2000"/>
      <enclosure url="https://example.org/enc.jpg" type="image/jpeg"/>
      <media:content url="https://example.org/m-small.jpg" type="image/jpeg" width="800"/>
      <media:content url="https://example.org/m-big.jpg" type="image/jpeg" width="3000"/></item>
     <item><enclosure url="https://example.org/enc2.gif"/><link>https://example.org/l.jpg</link>
      <media:thumbnail url="https://example.org/t-small.jpg" width="100"/>
      <media:thumbnail url="https://example.org/t-wide.jpg" width="900"/></item>
     <item><media:thumbnail url="https://example.org/t-small.jpg" width="100"/>
      <media:thumbnail url="https://example.org/t-wide2.jpg" width="900"/></item>
    </channel></rss>"""
    assert [i.url for i in parse_feed(feed, FEED_URL)] == [
        "https://example.org/m-big.jpg",
        "https://example.org/enc2.gif",  # an enclosure with no type, by its suffix
        "https://example.org/t-wide2.jpg"]
