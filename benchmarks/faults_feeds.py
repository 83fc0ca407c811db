"""Feeds against the real show (issue 14, points 4 and 5, and the hostile feeds that
already held), on one HTTP server on 127.0.0.1 that stamps every request on our clock:

1. `feeds.allow_private = true` (the server is local), 30 s: a feed trickling 1 byte/s
   listed first, a good feed second (its images asked for: "fetched"), then six hostile
   feeds: an image that is HTML served as image/jpeg, a redirect loop, a 10 GB
   Content-Length, an endless chunked body, billion laughs and XXE (entities reading
   /etc/passwd). Each hostile one: at most a line or two naming it; nothing of /etc/passwd
   in the log, the caches or any URL asked for; the show's peak RSS; the show goes on.
2. The default policy: a feed on 127.0.0.1 is refused (connections: 0), one line.
3. A feed standing for a public server (127.0.0.1 declared public through the
   AddressPolicy's test seam, patched in before the show starts) whose image URL is on
   127.0.0.2: refused, one line.

The helpers for feeds (a tiny PNG, an RSS body) are benchmarks/feeds.py's.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote

from faults_inputs import first, vm_hwm_kb
from faults_workers import Row, Show, as_seconds
from feeds import _png, _rss, serve_local

RUN_S = 30.0
PUBLIC_LOOPBACK = (  # `python -c` in place of `-m slideshow`: the test seam, then the show
    "import sys, slideshow.feeds.download as d\n"
    "init = d.AddressPolicy.__init__\n"
    "d.AddressPolicy.__init__ = lambda self, allow_private=False, treat_as_public=frozenset(): "
    "init(self, allow_private, treat_as_public | {'127.0.0.1'})\n"
    "from slideshow.cli import main\nsys.exit(main(sys.argv[1:]))")
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "ha">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                     for i in range(9))
          + b']><rss version="2.0"><channel><item><title>&j;</title></item></channel></rss>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<rss version="2.0"><channel><item><title>&x;</title>'
       b'<enclosure url="http://127.0.0.1:PORT/x/&x;.png" type="image/png"/></item>'
       b"</channel></rss>")

Reply = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """Routes (path -> reply) on 127.0.0.1; every request stamped, connections counted."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.requests: list[tuple[float, str]] = []
        self.accepted = 0
        self.sent: dict[str, int] = {}  # bytes of body sent, by path
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.requests.append((time.monotonic(), self.path))
                reply = outer.routes.get(self.path)
                try:
                    if reply is None:
                        outer.body(self, b"", status=404)
                    else:
                        reply(self)
                except OSError:
                    pass  # the client gave up

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = serve_local(Handler, self._count)
        self.port = self.httpd.server_address[1]

    def _count(self) -> None:
        self.accepted += 1

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def body(self, handler: BaseHTTPRequestHandler, data: bytes, status: int = 200,
             kind: str = "application/octet-stream") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        self.sent[handler.path] = self.sent.get(handler.path, 0) + len(data)

    def trickle(self, data: bytes) -> Reply:
        def reply(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            for byte in data:
                if self.stop.wait(1.0):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        return reply

    def huge(self, handler: BaseHTTPRequestHandler) -> None:
        """Says 10 GB, sends up to 64 MB of it."""
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(10 * 10**9))
        handler.end_headers()
        self._stream(handler, 64 * 2**20, chunked=False)

    def endless(self, handler: BaseHTTPRequestHandler) -> None:
        """A chunked body that goes on until the client leaves (or 2 GB, or the stop)."""
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        self._stream(handler, 2 * 2**30, chunked=True)

    def _stream(self, handler: BaseHTTPRequestHandler, limit: int, chunked: bool) -> None:
        block = b"\xff\xd8\xff" + bytes(2**16 - 3)
        piece = b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
        while self.sent.get(handler.path, 0) < limit and not self.stop.is_set():
            handler.wfile.write(piece)
            self.sent[handler.path] = self.sent.get(handler.path, 0) + len(block)

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def hostile_routes(server: Server) -> dict[str, str]:
    """The hostile feeds, by what they do: their URLs."""
    png = _png((200, 100, 0))
    html = b"<html><body>" + b"not a photo " * 500 + b"</body></html>"
    routes: dict[str, Reply] = {
        "/slow.xml": server.trickle(_rss([server.url("/never.png")]) * 40),
        "/good.xml": lambda h: server.body(h, _rss([server.url("/a.png"), server.url("/b.png")])),
        "/a.png": lambda h: server.body(h, png, kind="image/png"),
        "/b.png": lambda h: server.body(h, _png((0, 100, 200)), kind="image/png"),
        "/html.xml": lambda h: server.body(h, _rss([server.url("/page.jpg")])),
        "/page.jpg": lambda h: server.body(h, html, kind="image/jpeg"),
        "/loop.xml": lambda h: server.body(h, _rss([server.url("/loop1.jpg")])),
        "/loop1.jpg": lambda h: _redirect(h, server.url("/loop2.jpg")),
        "/loop2.jpg": lambda h: _redirect(h, server.url("/loop1.jpg")),
        "/huge.xml": lambda h: server.body(h, _rss([server.url("/huge.jpg")])),
        "/huge.jpg": server.huge,
        "/chunked.xml": lambda h: server.body(h, _rss([server.url("/endless.jpg")])),
        "/endless.jpg": server.endless,
        "/laughs.xml": lambda h: server.body(h, LAUGHS),
        "/xxe.xml": lambda h: server.body(h, XXE.replace(b"PORT", str(server.port).encode())),
    }
    server.routes.update(routes)
    return {"HTML served as image/jpeg": server.url("/html.xml"),
            "a redirect loop": server.url("/loop.xml"),
            "a 10 GB Content-Length": server.url("/huge.xml"),
            "an endless chunked body": server.url("/chunked.xml"),
            "billion laughs": server.url("/laughs.xml"),
            "XXE (file:///etc/passwd)": server.url("/xxe.xml")}


def _redirect(handler: BaseHTTPRequestHandler, to: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", to)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def feeds(photos: Path, work: Path) -> list[Row]:
    return [*slow_and_hostile(photos, work), loopback_feed(photos, work),
            loopback_image(photos, work)]


def slow_and_hostile(photos: Path, work: Path) -> list[Row]:
    server = Server()
    hostile = hostile_routes(server)
    urls = [server.url("/slow.xml"), server.url("/good.xml"), *hostile.values()]
    peak_kb = 0
    try:
        show = Show(photos, RUN_S, work, extra=(
            "--set", "feeds.urls=" + ",".join(urls), "--set", "feeds.allow_private=true",
            "--set", "feeds.feed_share=0.5"))
        start = time.monotonic()
        show.wait_start()
        while show.process.poll() is None and show.now() < RUN_S + 90:
            show.poll()
            peak_kb = max(peak_kb, vm_hwm_kb(show.process.pid))
            time.sleep(0.2)
        show.finish()
    finally:
        server.close()
    good = [at - start for at, path in server.requests if path in ("/a.png", "/b.png")]
    slow_lines = show.log(re.escape(urls[0]))
    rows = [Row("a 1 byte/s feed listed first", "the next feed fetched < 30 s from start",
                f"its images asked for {good[0]:.1f} s from start ({len(good)} of 2); the "
                f"slow one: {len(slow_lines)} line(s) in {RUN_S:.0f} s (deadline 120 s); "
                f"exit {show.process.returncode}", bool(good) and good[0] < 30
                and show.process.returncode == 0, as_seconds(good[0] if good else None))]
    secret = _passwd_lines()
    leaked = _leaks(secret, [line for _, line in show.lines], server, work / "cache")
    for what, url in hostile.items():
        said = show.log(re.escape(url))
        seen = (f"{len(said)} line(s): "
                f"{first(said)}")
        holds = 1 <= len(said) <= 2 and show.process.returncode == 0
        if what == "an endless chunked body":
            sent_mb = server.sent.get("/endless.jpg", 0) / 2**20
            seen += f"; {sent_mb:.0f} MB sent before the show let go"
            holds = holds and sent_mb < 100
        elif what == "a 10 GB Content-Length":
            seen += f"; {server.sent.get('/huge.jpg', 0) / 2**20:.0f} MB sent"
        elif what == "billion laughs":
            seen += f"; the show's peak RSS {peak_kb / 1024:.0f} MB"
            holds = holds and peak_kb < 1024 * 1024
        elif what.startswith("XXE"):
            seen += f"; /etc/passwd found in {leaked or 'nothing'}"
            holds = holds and not leaked
        rows.append(Row(f"a feed: {what}", "a line or two naming it; the show goes on", seen,
                        holds))
    return rows


def loopback_feed(photos: Path, work: Path) -> Row:
    server = Server()
    server.routes["/feed.xml"] = lambda h: server.body(h, _rss([server.url("/a.png")]))
    try:
        show = Show(photos, 10, work, extra=("--set", "feeds.urls=" + server.url("/feed.xml")))
        show.wait_start()
        show.finish()
    finally:
        server.close()
    said = show.log("refused")
    return Row("a feed on 127.0.0.1, default policy", "refused, one line, no connection",
               f"{server.accepted} connection(s), {len(said)} line(s): "
               f"{first(said)}",
               server.accepted == 0 and len(said) == 1 and show.process.returncode == 0)


def loopback_image(photos: Path, work: Path) -> Row:
    server = Server()
    image = server.url("/a.png", host="127.0.0.2")
    server.routes["/public.xml"] = lambda h: server.body(h, _rss([image]))
    try:
        show = Show(photos, 10, work, launcher=("-c", PUBLIC_LOOPBACK),
                    extra=("--set", "feeds.urls=" + server.url("/public.xml")))
        show.wait_start()
        show.finish()
    finally:
        server.close()
    asked = [path for _, path in server.requests]
    said = show.log("refused")
    return Row("a public feed's image URL on 127.0.0.2", "refused by default, one line",
               f"feed asked for: {'/public.xml' in asked}; {len(said)} line(s): "
               f"{first(said)}",
               "/public.xml" in asked and len(said) == 1 and show.process.returncode == 0)


def _passwd_lines() -> list[str]:
    """Lines of /etc/passwd long enough not to turn up by chance."""
    try:
        return [line for line in Path("/etc/passwd").read_text().splitlines() if len(line) > 12]
    except OSError:
        return []


def _leaks(secret: list[str], log: list[str], server: Server, cache: Path) -> str:
    """Where any line of /etc/passwd turned up: the show's output, a URL, a cached file."""
    if not secret:
        return ""
    texts = {"the log": "\n".join(log),
             "the URLs asked for": "\n".join(unquote(path) for _, path in server.requests)}
    for path in cache.rglob("*"):
        if path.is_file():
            texts[str(path.relative_to(cache))] = path.read_bytes().decode("latin-1")
    found = [where for where, text in texts.items() if any(line in text for line in secret)]
    return ", ".join(found)
