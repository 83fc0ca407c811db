"""FeedSource against a real HTTP server on 127.0.0.1: images downloaded into the cache and
listed newest first, conditional GETs answered 304, the refresh interval and backoff on a
stepped clock, failures (500, timeout, refused) leaving the cached photos with one log line
each, and downloads refused for size or content; a server trickling a byte a second given
up at the request's deadline while the next feed is fetched meanwhile; loopback addresses
refused (also behind a redirect) unless private addresses are allowed; the three real-world
feeds of issue 16 (HTML entities and bare ampersands, a nested xml:base, space-separated
dates) fetched, their images cached and ordered by those dates.

The server is on loopback, so the tests that fetch from it allow private addresses
(`AddressPolicy(allow_private=True)`); those about refusals use the policy's test seam,
`treat_as_public`, to make 127.0.0.1 count as public where a public host is needed."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from slideshow.errors import ConfigError
from slideshow.feeds import AddressPolicy, FeedSource
from slideshow.feeds.download import USER_AGENT
from slideshow.feeds.source import RETRY_FIRST_S

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

T0 = 1_700_000_000.0  # the fake wall clock's start, epoch seconds
LOOPBACK_ALLOWED = AddressPolicy(allow_private=True)  # the test server is on 127.0.0.1


def image_bytes(kind: str, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, kind)
    return buffer.getvalue()


PNG, JPEG = image_bytes("PNG"), image_bytes("JPEG", (10, 90, 200))


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    sleep_s: float = 0.0  # before the status line
    body_delay_s: float = 0.0  # after the headers, before the body
    chunked: bool = False  # no Content-Length; the body in CHUNK-byte chunks
    chunk_pause_s: float = 0.0
    repeat: int = 1  # the body is sent this many times over (a long chunked stream)
    trickle_s: float = 0.0  # > 0: the body one byte at a time, this many seconds apart...
    trickle_max_s: float = 30.0  # ...for at most this long (then the connection is dropped)
    location: str | None = None  # a Location header (with a 3xx status)
    sent: int = 0  # body bytes the server managed to write
    sending: bool = False  # the body is being written now


@dataclass
class Served:
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """Serves `routes` by path and records every request (path, status, headers)."""

    CHUNK = 16 * 1024

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.served: list[Served] = []
        self.body_started = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                try:
                    server.answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: what the refusal tests want

            def log_message(self, *args: object) -> None:
                pass

        class CountingServer(ThreadingHTTPServer):
            def get_request(self):  # every connection accepted, answered or not
                request = super().get_request()
                server.accepted += 1
                return request

        self.accepted = 0
        self.httpd = CountingServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def count(self, path: str, status: int | None = None) -> int:
        return sum(1 for s in self.served if s.path == path and status in (None, s.status))

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(handler.path)
        served = Served(handler.path, 404 if route is None else route.status, dict(handler.headers))
        self.served.append(served)  # before any sleep: counted even if the client gives up
        if route is not None and route.sleep_s:
            time.sleep(route.sleep_s)
        if route is not None and route.etag and handler.headers.get("If-None-Match") == route.etag:
            served.status = 304
        status = served.status
        handler.send_response(status)
        handler.send_header("Connection", "close")
        if route is None or status == 304:
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_header("Content-Type", route.content_type)
        for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified),
                            ("Location", route.location)):
            if value:
                handler.send_header(name, value)
        if route.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(len(route.body) * route.repeat))
        handler.end_headers()
        handler.wfile.flush()
        time.sleep(route.body_delay_s)
        self.body_started.set()
        body = route.body * route.repeat
        if route.trickle_s:
            self._trickle(handler, route, body)
            return
        for start in range(0, len(body), self.CHUNK):
            chunk = body[start:start + self.CHUNK]
            if route.chunked:
                chunk = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            handler.wfile.write(chunk)
            handler.wfile.flush()
            route.sent += min(self.CHUNK, len(body) - start)
            time.sleep(route.chunk_pause_s)
        if route.chunked:
            handler.wfile.write(b"0\r\n\r\n")

    @staticmethod
    def _trickle(handler: BaseHTTPRequestHandler, route: Route, body: bytes) -> None:
        """One byte every trickle_s, until the client hangs up or trickle_max_s passes."""
        route.sending = True
        until = time.monotonic() + route.trickle_max_s
        try:
            for byte in body:
                if time.monotonic() > until:
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                route.sent += 1
                time.sleep(route.trickle_s)
        finally:
            route.sending = False


@pytest.fixture
def server():
    feed_server = FeedServer()
    feed_server.thread.start()
    yield feed_server
    feed_server.httpd.shutdown()
    feed_server.httpd.server_close()


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def rss(*enclosures: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 feed with one item per (url, mime type, RFC 822 date)."""
    items = "".join(f"<item><title>{url}</title><pubDate>{date}</pubDate>"
                    f'<enclosure url="{url}" type="{mime}" length="1"/></item>'
                    for url, mime, date in enclosures)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


DAY1, DAY2, DAY3 = ("Mon, 01 Jan 2024 12:00:00 GMT", "Tue, 02 Jan 2024 12:00:00 GMT",
                    "Wed, 03 Jan 2024 12:00:00 GMT")


def serve_two_images(server: FeedServer, **feed_options) -> str:
    server.routes["/a.png"] = Route(PNG, "image/png")
    server.routes["/b"] = Route(JPEG, "image/jpeg")  # no suffix: the extension comes from the bytes
    server.routes["/feed.xml"] = Route(rss((server.url("/a.png"), "image/png", DAY1),
                                           (server.url("/b"), "image/jpeg", DAY2)),
                                       "application/rss+xml", **feed_options)
    return server.url("/feed.xml")


def make_source(urls: list[str], cache_dir: Path, clock: FakeClock, **options) -> FeedSource:
    options = {"refresh_s": 3600.0, "timeout_s": 2.0, "now": clock, "proxies": {},
               "policy": LOOPBACK_ALLOWED, **options}
    return FeedSource(urls, cache_dir, **options)


def settled(source: FeedSource) -> list[str]:
    assert source.settle(timeout_s=10.0), "the feed thread did not finish a pass"
    return source.photos()


def warnings_about(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and text in r.getMessage()]


def test_images_of_rss_and_atom_feeds_are_cached_and_listed_newest_first(server, tmp_path):
    rss_url = serve_two_images(server)
    server.routes["/atom.xml"] = Route(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>c</title>'
        b"<published>2024-01-03T00:00:00Z</published>"
        b'<link rel="enclosure" type="image/png" href="/c.png"/></entry></feed>',
        "application/atom+xml")
    server.routes["/c.png"] = Route(image_bytes("PNG", (1, 2, 3)), "image/png")
    arrived: list[tuple[str, list[str]]] = []
    with make_source([rss_url, server.url("/atom.xml")], tmp_path, FakeClock(),
                     on_new_photos=lambda paths: arrived.append(
                         (threading.current_thread().name, paths))) as source:
        source.start()
        photos = settled(source)
    names = [Path(p).name for p in photos]
    key = hashlib.sha256(server.url("/b").encode()).hexdigest()[:24]
    assert names[1] == f"{key}.jpg"  # hash of the URL, extension of the JPEG bytes
    assert [Path(p).read_bytes() for p in photos] == [server.routes["/c.png"].body, JPEG, PNG]
    assert names[0].endswith(".png") and names[2].endswith(".png")
    assert sorted(p for _, paths in arrived for p in paths) == sorted(photos)
    assert all(thread.startswith("slideshow-feeds") for thread, _ in arrived)
    assert all(s.headers["User-Agent"] == USER_AGENT for s in server.served)
    assert USER_AGENT.startswith("slideshow/")


def test_an_unchanged_feed_is_answered_304_and_nothing_is_downloaded_again(server, tmp_path):
    url = serve_two_images(server, etag='"v1"', last_modified="Tue, 02 Jan 2024 12:00:00 GMT")
    clock = FakeClock()
    with make_source([url], tmp_path, clock) as source:
        source.start()
        first = settled(source)
        clock.now += 3600
        second = settled(source)
    assert second == first and len(first) == 2
    assert server.count("/feed.xml") == 2
    assert server.count("/feed.xml", 304) == 1
    conditional = [s.headers for s in server.served if s.path == "/feed.xml"][1]
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == "Tue, 02 Jan 2024 12:00:00 GMT"
    assert server.count("/a.png") == server.count("/b") == 1


def test_the_refresh_interval_holds_when_poked_and_across_a_restart(server, tmp_path):
    url = serve_two_images(server)
    clock = FakeClock()
    with make_source([url], tmp_path, clock) as source:
        source.start()
        photos = settled(source)
        for clock.now in (T0 + 1, T0 + 1800, T0 + 3599):
            source.poke()
            settled(source)
        assert server.count("/feed.xml") == 1
        clock.now = T0 + 3600
        settled(source)
        assert server.count("/feed.xml") == 2
    clock.now = T0 + 5000  # a restart 1400 s after the last fetch: the cache, no request
    with make_source([url], tmp_path, clock) as restarted:
        restarted.start()
        assert settled(restarted) == photos
        assert server.count("/feed.xml") == 2
        clock.now = T0 + 7200
        settled(restarted)
        assert server.count("/feed.xml") == 3


def test_a_server_error_keeps_the_cached_photos_logs_once_and_backs_off(server, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="slideshow.feeds")
    url = serve_two_images(server)
    clock = FakeClock()
    with make_source([url], tmp_path, clock) as source:
        source.start()
        photos = settled(source)
        server.routes["/feed.xml"].status = 500
        clock.now += 3600
        assert settled(source) == photos
        assert server.count("/feed.xml", 500) == 1
        clock.now += RETRY_FIRST_S - 1  # backing off: not yet
        settled(source)
        assert server.count("/feed.xml", 500) == 1
        for _ in range(3):  # retries after 60, 120, 240 s
            clock.now += 4 * RETRY_FIRST_S
            assert settled(source) == photos
        assert server.count("/feed.xml", 500) == 4
    assert len(warnings_about(caplog, "HTTP 500")) == 1


def test_a_timeout_keeps_the_cached_photos_and_logs_once(server, tmp_path, caplog):
    url = serve_two_images(server)
    clock = FakeClock()
    with make_source([url], tmp_path, clock, timeout_s=0.3) as source:
        source.start()
        photos = settled(source)
        server.routes["/feed.xml"].sleep_s = 2.0
        for _ in range(2):
            clock.now += 3600
            start = time.monotonic()
            assert settled(source) == photos
            assert time.monotonic() - start < 1.5  # gave up after timeout_s, 0.3 s
    assert server.count("/feed.xml") == 3
    assert len(warnings_about(caplog, "timeout")) == 1


def test_a_broken_feed_document_keeps_the_cached_photos_and_logs_once(server, tmp_path, caplog):
    url = serve_two_images(server)
    clock = FakeClock()
    with make_source([url], tmp_path, clock) as source:
        source.start()
        photos = settled(source)
        server.routes["/feed.xml"].body = b'<?xml version="1.0"?><rss><channel><item>'
        for _ in range(3):
            clock.now += 3600
            assert settled(source) == photos
    assert server.count("/feed.xml") == 4
    assert len(warnings_about(caplog, "bad XML")) == 1


def test_offline_at_start_shows_the_cache_and_logs_the_refused_connection_once(
        server, tmp_path, caplog):
    url = serve_two_images(server)
    with make_source([url], tmp_path, FakeClock()) as source:
        source.start()
        photos = settled(source)
    server.httpd.shutdown()
    server.httpd.server_close()  # the port now refuses connections
    clock = FakeClock()
    clock.now += 3600
    with make_source([url], tmp_path, clock) as offline:
        offline.start()
        assert settled(offline) == photos
        clock.now += 10 * RETRY_FIRST_S
        assert settled(offline) == photos
    assert len(warnings_about(caplog, "refused")) == 1


def test_a_content_length_over_the_limit_is_refused_before_reading(server, tmp_path, caplog):
    url = serve_two_images(server)
    server.routes["/a.png"] = Route(PNG + bytes(20_000), "image/png", body_delay_s=3.0)
    with make_source([url], tmp_path, FakeClock(), max_bytes=10_000) as source:
        source.start()
        start = time.monotonic()
        photos = settled(source)
        assert time.monotonic() - start < 2.0  # did not wait 3 s for the body
    assert [Path(p).read_bytes() for p in photos] == [JPEG]
    assert len(warnings_about(caplog, "over the 10,000 byte limit")) == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["feed.json", Path(photos[0]).name])


def test_a_chunked_download_is_abandoned_once_past_the_limit(server, tmp_path, caplog):
    url = serve_two_images(server)
    stream = Route(PNG + bytes(64 * 1024 - len(PNG)), "image/png", chunked=True, repeat=1024)
    server.routes["/a.png"] = stream  # 64 MiB with no Content-Length
    clock = FakeClock()
    with make_source([url], tmp_path, clock, max_bytes=100_000) as source:
        source.start()
        photos = settled(source)
        clock.now += 3600
        settled(source)
    assert [Path(p).read_bytes() for p in photos] == [JPEG]
    assert len(warnings_about(caplog, "too large")) == 1
    assert stream.sent < 16 * 1024 * 1024  # the client hung up long before the end
    assert server.count("/a.png") == 1  # refused for good: not asked for again
    assert not [p for p in tmp_path.rglob("*.part")]


def test_a_file_that_is_not_an_image_is_skipped(server, tmp_path, caplog):
    url = serve_two_images(server)
    server.routes["/a.png"] = Route(b"<!doctype html><html>Not found</html>", "image/png")
    with make_source([url], tmp_path, FakeClock()) as source:
        source.start()
        photos = settled(source)
    assert [Path(p).read_bytes() for p in photos] == [JPEG]
    assert len(warnings_about(caplog, "not an image")) == 1


def test_a_billion_laughs_feed_is_refused(server, tmp_path, caplog):
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    server.routes["/feed.xml"] = Route(
        f'<!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]><rss><channel><item>'
        f'<enclosure url="/a.png" type="image/png"/><title>&l9;</title></item>'
        f"</channel></rss>".encode(), "application/rss+xml")
    server.routes["/a.png"] = Route(PNG, "image/png")
    with make_source([server.url("/feed.xml")], tmp_path, FakeClock()) as source:
        source.start()
        assert settled(source) == []
    assert server.count("/a.png") == 0
    assert len(warnings_about(caplog, "unsafe XML")) == 1



def test_the_real_world_feeds_of_issue_16_show_their_images_newest_first(server, tmp_path):
    # An HTML entity and a bare & in titles, a "2024-05-01 10:00:00" date, and an Atom
    # feed whose images sit under a nested xml:base on another path ("the CDN").
    server.routes["/feeds/sloppy.xml"] = Route(
        f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
        <item><title>Sunrise&nbsp;over the bay</title><pubDate>2024-05-01 10:00:00</pubDate>
         <enclosure url="{server.url('/img/sunrise.png')}" type="image/png"/></item>
        <item><title>Tom & Jerry's boat</title><pubDate>{DAY2}</pubDate>
         <enclosure url="{server.url('/img/boat.jpg')}" type="image/jpeg"/></item>
        </channel></rss>""".encode(), "application/rss+xml; charset=utf-8")
    server.routes["/feeds/cdn.atom"] = Route(
        f"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{server.url('/cdn/')}">
        <entry xml:base="img/"><title>A</title><updated>2024-03-01T00:00:00Z</updated>
         <link rel="enclosure" type="image/png" href="a.png"/></entry></feed>""".encode(),
        "application/atom+xml")
    server.routes["/img/sunrise.png"] = Route(image_bytes("PNG", (250, 180, 40)), "image/png")
    server.routes["/img/boat.jpg"] = Route(JPEG, "image/jpeg")
    server.routes["/cdn/img/a.png"] = Route(image_bytes("PNG", (0, 120, 0)), "image/png")
    server.routes["/feeds/a.png"] = Route(PNG, "image/png")  # where a wrong base points
    urls = [server.url("/feeds/sloppy.xml"), server.url("/feeds/cdn.atom")]
    with make_source(urls, tmp_path, FakeClock()) as source:
        source.start()
        photos = settled(source)
    assert [Path(p).read_bytes() for p in photos] == [
        server.routes["/img/sunrise.png"].body,  # 2024-05-01 10:00:00
        server.routes["/cdn/img/a.png"].body,  # 2024-03-01
        JPEG]  # 2024-01-02
    assert server.count("/feeds/a.png") == 0

def test_only_the_newest_images_are_kept(server, tmp_path):
    url = serve_two_images(server, etag='"v1"')
    clock = FakeClock()
    with make_source([url], tmp_path, clock, keep=2) as source:
        source.start()
        old = settled(source)
        server.routes["/c.png"] = Route(image_bytes("PNG", (0, 0, 0)), "image/png")
        server.routes["/feed.xml"] = Route(rss((server.url("/a.png"), "image/png", DAY1),
                                               (server.url("/b"), "image/jpeg", DAY2),
                                               (server.url("/c.png"), "image/png", DAY3)),
                                           etag='"v2"')
        clock.now += 3600
        new = settled(source)
    assert [Path(p).read_bytes() for p in new] == [server.routes["/c.png"].body, JPEG]
    assert not Path(old[1]).exists()  # the oldest image's file is gone from the cache


def test_close_mid_download_returns_quickly_and_leaves_no_partial_file(server, tmp_path):
    url = serve_two_images(server)
    server.routes["/a.png"] = Route(PNG + bytes(200_000), "image/png", chunk_pause_s=0.1)
    source = make_source([url], tmp_path, FakeClock(), timeout_s=5.0)
    source.start()
    assert server.body_started.wait(5.0)
    time.sleep(0.05)
    start = time.monotonic()
    source.close()
    assert time.monotonic() - start < 1.0  # far below timeout_s: the stop flag, not a timeout
    assert not [p for p in tmp_path.rglob("*.part")]


def test_bad_settings_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="file:///tmp/x.xml"):
        FeedSource(["file:///tmp/x.xml"], tmp_path)
    with pytest.raises(ConfigError, match="refresh_s"):
        FeedSource(["https://example.org/feed"], tmp_path, refresh_s=5)


def wait_until(condition, timeout_s: float = 15.0) -> bool:
    """Polls `condition` every 20 ms until it holds or `timeout_s` (generous) passes."""
    until = time.monotonic() + timeout_s
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_trickling_feed_holds_only_itself_and_is_given_up_at_its_deadline(
        server, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="slideshow.feeds")
    slow = Route(rss((server.url("/never.png"), "image/png", DAY1)) * 50,
                 "application/rss+xml", trickle_s=1.0)  # 1 byte/s: each read well in time
    server.routes["/slow.xml"] = slow
    fast = serve_two_images(server)
    slow_url = server.url("/slow.xml")
    with make_source([slow_url, fast], tmp_path, FakeClock(), deadline_s=3.0) as source:
        source.start()
        assert wait_until(lambda: len(source.photos()) == 2)
        # the second feed's images came while the first feed was still being trickled
        assert slow.sending and not warnings_about(caplog, slow_url)
        assert wait_until(lambda: warnings_about(caplog, slow_url))
        assert source.settle(timeout_s=15.0)
    given_up = warnings_about(caplog, slow_url)
    assert len(given_up) == 1
    assert "3 s deadline" in given_up[0] and "request_deadline_s" in given_up[0]
    assert 2 <= slow.sent < 15  # given up after about 3 s, not when the server stopped
    assert wait_until(lambda: not slow.sending, 5.0)  # the connection was dropped


def test_a_feed_on_loopback_is_refused_without_a_connection(server, tmp_path, caplog):
    url = serve_two_images(server)
    with make_source([url], tmp_path, FakeClock(), policy=AddressPolicy()) as source:
        source.start()
        assert settled(source) == []
    assert server.accepted == 0  # refused after the lookup, before any connect
    refused = warnings_about(caplog, "refused:")
    assert len(refused) == 1
    assert url in refused[0] and "127.0.0.1 is a loopback address" in refused[0]
    assert "feeds.allow_private = true allows it" in refused[0]


def test_a_feed_on_loopback_is_fetched_when_private_addresses_are_allowed(server, tmp_path):
    url = serve_two_images(server)
    with make_source([url], tmp_path, FakeClock(),
                     policy=AddressPolicy(allow_private=True)) as source:
        source.start()
        assert len(settled(source)) == 2
    assert server.accepted >= 3  # the feed and its two images


def test_a_host_name_is_checked_after_it_is_resolved(server, tmp_path, caplog):
    url = serve_two_images(server).replace("127.0.0.1", "localhost")
    with make_source([url], tmp_path, FakeClock(), policy=AddressPolicy()) as source:
        source.start()
        assert settled(source) == []
    assert server.accepted == 0
    refused = warnings_about(caplog, "refused:")
    assert len(refused) == 1 and "localhost resolves to" in refused[0]
    assert "a loopback address" in refused[0]


def test_an_image_on_a_private_address_is_refused_from_a_public_feed(server, tmp_path, caplog):
    # 127.0.0.1 stands for a public server; the feed lists an image on 127.0.0.2, private
    public = AddressPolicy(treat_as_public=frozenset({"127.0.0.1"}))
    server.routes["/b"] = Route(JPEG, "image/jpeg")
    port = server.httpd.server_address[1]
    server.routes["/feed.xml"] = Route(rss((f"http://127.0.0.2:{port}/a.png", "image/png", DAY1),
                                           (server.url("/b"), "image/jpeg", DAY2)),
                                       "application/rss+xml")
    with make_source([server.url("/feed.xml")], tmp_path, FakeClock(), policy=public) as source:
        source.start()
        photos = settled(source)
    assert [Path(p).read_bytes() for p in photos] == [JPEG]
    refused = warnings_about(caplog, "refused:")
    assert len(refused) == 1 and f"http://127.0.0.2:{port}/a.png" in refused[0]
    assert "127.0.0.2 is a loopback address" in refused[0]


def test_a_redirect_to_a_private_address_is_refused(server, tmp_path, caplog):
    # 127.0.0.1 stands for a public server that redirects to a private one (127.0.0.2):
    # each hop is checked, so the second is refused before it is connected to
    public = AddressPolicy(treat_as_public=frozenset({"127.0.0.1"}))
    port = server.httpd.server_address[1]
    serve_two_images(server)
    server.routes["/moved.xml"] = Route(b"", status=302,
                                        location=f"http://127.0.0.2:{port}/feed.xml")
    with make_source([server.url("/moved.xml")], tmp_path, FakeClock(), policy=public) as source:
        source.start()
        assert settled(source) == []
    assert server.count("/moved.xml") == 1 and server.count("/feed.xml") == 0
    refused = warnings_about(caplog, "refused:")
    assert len(refused) == 1 and "127.0.0.2 is a loopback address" in refused[0]
    assert server.url("/moved.xml") in refused[0]


def test_the_feed_settings_private_addresses_off_and_a_total_deadline(tmp_path):
    from slideshow.config import Config, load_config

    assert Config().feeds.allow_private is False
    path = tmp_path / "config.toml"
    path.write_text("[feeds]\nallow_private = true\nrequest_deadline_s = 30\n")
    feeds = load_config(path).feeds
    assert feeds.allow_private is True and feeds.request_deadline_s == 30.0
    path.write_text("[feeds]\nrequest_deadline_s = 0\n")
    with pytest.raises(ConfigError, match="request_deadline_s"):
        load_config(path)
