"""What reading a feed costs, and how fast a hostile one is refused, on this machine:

1. A typical 50-item RSS 2.0 feed (title, link, an HTML description of about 600
   characters, pubDate, guid, Media RSS content and thumbnail, an enclosure; about 50 kB):
   parse_feed (the guard, then feedparser), the guard alone, and, as peers, feedparser
   alone and the standard library's strict tree (ElementTree.fromstring, the C core the
   old expat parser was built around; it cannot read the feeds of issue 16 at all).
2. Billion laughs (9 levels of 10) through parse_feed (refused by the guard), and
   feedparser alone on the same bytes (stopped only by expat's amplification limit).
3. The quadratic blowup feedparser alone expands (one 10 kB entity used 2,000 times in a
   document that is not well-formed): parse_feed's refusal, and the characters
   feedparser alone returns.

Every figure is the median of --runs runs, in milliseconds. Prints one JSON object.

    python3 benchmarks/feed_parse.py [--runs 15]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable

import feedparser

from slideshow.feeds import FeedError, parse_feed
from slideshow.feeds.guard import screen_document

FEED_URL = "https://example.org/feeds/photos.xml"
HEADERS = {"content-location": FEED_URL, "content-type": "application/xml; charset=utf-8"}


def typical_feed(items: int = 50) -> bytes:
    description = ("&lt;p&gt;" + "A long exposure of the harbour at dusk, the lights of the "
                   "ferries drawn out into lines across the water. " * 5 + "&lt;/p&gt;")
    entries = "".join(
        f"<item><title>Photo {n}: the harbour at dusk</title>"
        f"<link>https://example.org/photos/{n}</link><guid>https://example.org/photos/{n}</guid>"
        f"<pubDate>Tue, {1 + n % 28:02d} May 2024 10:00:00 +0000</pubDate>"
        f"<description>{description}</description>"
        f'<media:content url="https://cdn.example.org/{n}/large.jpg" medium="image" '
        f'width="4000" height="3000"/>'
        f'<media:thumbnail url="https://cdn.example.org/{n}/thumb.jpg" width="320"/>'
        f'<enclosure url="https://cdn.example.org/{n}/medium.jpg" type="image/jpeg" '
        f'length="123456"/></item>' for n in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Photos</title>'
            f"<link>https://example.org/</link>{entries}</channel></rss>").encode()


def billion_laughs() -> bytes:
    levels = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{levels}]>'
            '<rss><channel><item><title>&lol9;</title></item></channel></rss>').encode()


def quadratic() -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{"x" * 10_000}">\n]>\n'
            f'<rss><channel><item><title>{"&a;" * 2000}<b></title></item></channel></rss>'
            ).encode()


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def refused(data: bytes) -> Callable[[], str]:
    def action() -> str:
        try:
            parse_feed(data, FEED_URL)
        except FeedError as exc:
            return exc.kind
        raise AssertionError("not refused")
    return action


def feedparser_alone(data: bytes) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(data), response_headers=HEADERS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per figure (default 15)")
    args = parser.parse_args()
    feed, bomb, blowup = typical_feed(), billion_laughs(), quadratic()
    assert len(parse_feed(feed, FEED_URL)) == 50
    expanded = feedparser_alone(blowup).entries[0].title
    print(json.dumps({
        "load_1min": round(os.getloadavg()[0], 2),
        "typical_50_items": {
            "bytes": len(feed),
            "parse_feed_ms": median_ms(lambda: parse_feed(feed, FEED_URL), args.runs),
            "guard_alone_ms": median_ms(lambda: screen_document(feed, FEED_URL), args.runs),
            "feedparser_alone_ms": median_ms(lambda: feedparser_alone(feed), args.runs),
            "strict_tree_ms": median_ms(lambda: ET.fromstring(feed), args.runs)},
        "billion_laughs": {
            "parse_feed": refused(bomb)(),
            "parse_feed_refusal_ms": median_ms(refused(bomb), args.runs),
            "feedparser_alone_ms": median_ms(lambda: feedparser_alone(bomb), min(args.runs, 3))},
        "quadratic_blowup": {
            "bytes": len(blowup),
            "parse_feed": refused(blowup)(),
            "parse_feed_refusal_ms": median_ms(refused(blowup), args.runs),
            "feedparser_alone_title_chars": len(expanded)},
    }, indent=1))


if __name__ == "__main__":
    main()
