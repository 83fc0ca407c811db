"""Feeds under two of issue 14's faults, on this machine, against servers on 127.0.0.1:

1. A feed that trickles 1 byte/s listed first, a normal feed (two images) second: the
   seconds from start until the second feed's images are listed, until the slow one is
   given up, and the log lines about it (one expected, naming the URL and the deadline).
2. Private addresses refused (the default): a feed on 127.0.0.1 (the connections the
   server accepted: 0 expected; one log line), and a feed standing for a public server
   (its address declared public through the AddressPolicy's test seam) whose image URL
   is on 127.0.0.2 (no photo, one log line).

The servers listen on 127.0.0.1 only and every loop is bounded. Prints one JSON object.

    python3 benchmarks/feeds.py [--deadline-s 10]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from slideshow.feeds import AddressPolicy, FeedSource

LIMIT_S = 60.0  # no phase of this benchmark waits longer


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _rss(urls: list[str]) -> bytes:
    items = "".join(f'<item><title>{u}</title><enclosure url="{u}" type="image/png"/></item>'
                    for u in urls)
    return f'<rss version="2.0"><channel>{items}</channel></rss>'.encode()


def serve_local(handler: type[BaseHTTPRequestHandler],
                on_accept: Callable[[], None]) -> ThreadingHTTPServer:
    """A threading HTTP server on 127.0.0.1 (a free port), serving from a daemon thread;
    `on_accept` is called for each connection accepted. Shut it down and close it."""

    class Counting(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):  # type: ignore[no-untyped-def]
            request = super().get_request()
            on_accept()
            return request

    httpd = Counting(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


class Server:
    """Serves `routes` (path -> (body, trickle)) on 127.0.0.1; counts connections."""

    def __init__(self, trickle_max_s: float) -> None:
        self.routes: dict[str, tuple[bytes, bool]] = {}
        self.accepted = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, trickle = outer.routes.get(self.path, (b"", False))
                self.send_response(200 if self.path in outer.routes else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if not trickle:
                        self.wfile.write(body)
                        return
                    until = time.monotonic() + trickle_max_s
                    for byte in body:
                        if time.monotonic() > until:
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1.0)
                except OSError:
                    pass  # the client gave up

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = serve_local(Handler, self._count)

    def _count(self) -> None:
        self.accepted += 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _wait(condition, limit_s: float = LIMIT_S) -> bool:  # type: ignore[no-untyped-def]
    until = time.monotonic() + limit_s
    while time.monotonic() < until and not condition():
        time.sleep(0.01)
    return bool(condition())


def slow_feed_first(deadline_s: float, lines: Lines) -> dict[str, object]:
    server = Server(trickle_max_s=deadline_s + 10.0)
    server.routes["/a.png"], server.routes["/b.png"] = (_png((200, 0, 0)), False), (_png((0, 0, 200)), False)
    server.routes["/fast.xml"] = (_rss([server.url("/a.png"), server.url("/b.png")]), False)
    server.routes["/slow.xml"] = (_rss([server.url("/never.png")]) * 40, True)
    slow = server.url("/slow.xml")
    lines.lines.clear()
    try:
        with tempfile.TemporaryDirectory() as cache, FeedSource(
                [slow, server.url("/fast.xml")], cache, deadline_s=deadline_s, proxies={},
                policy=AddressPolicy(allow_private=True)) as source:
            start = time.monotonic()
            source.start()
            second = _wait(lambda: len(source.photos()) == 2)
            second_s = time.monotonic() - start
            given_up = _wait(lambda: any(slow in line for line in lines.lines))
            given_up_s = time.monotonic() - start
    finally:
        server.close()
    about = [line for line in lines.lines if slow in line]
    return {"second_feed_listed_s": round(second_s, 3) if second else None,
            "slow_feed_given_up_s": round(given_up_s, 3) if given_up else None,
            "deadline_s": deadline_s, "log_lines_about_slow_feed": len(about),
            "line": about[0] if about else None}


def loopback_refused(lines: Lines) -> dict[str, object]:
    """The default policy against a feed on 127.0.0.1; then a feed standing for a public
    server (its address declared public) whose image URL is on 127.0.0.2."""
    server = Server(1.0)
    port = server.httpd.server_address[1]
    server.routes["/a.png"] = (_png((0, 200, 0)), False)
    server.routes["/feed.xml"] = (_rss([server.url("/a.png")]), False)
    server.routes["/public.xml"] = (_rss([f"http://127.0.0.2:{port}/a.png"]), False)
    try:
        lines.lines.clear()
        with tempfile.TemporaryDirectory() as cache, FeedSource(
                [server.url("/feed.xml")], cache, proxies={}) as source:
            source.start()
            source.settle(LIMIT_S)
            feed_photos = len(source.photos())
        feed_lines = [line for line in lines.lines if "refused:" in line]
        connections = server.accepted
        lines.lines.clear()
        public = AddressPolicy(treat_as_public=frozenset({"127.0.0.1"}))
        with tempfile.TemporaryDirectory() as cache, FeedSource(
                [server.url("/public.xml")], cache, proxies={}, policy=public) as source:
            source.start()
            source.settle(LIMIT_S)
            image_photos = len(source.photos())
        image_lines = [line for line in lines.lines if "refused:" in line]
    finally:
        server.close()
    return {"feed_on_loopback": {"connections": connections, "photos": feed_photos,
                                 "refusal_lines": len(feed_lines), "lines": feed_lines},
            "image_on_loopback": {"photos": image_photos, "refusal_lines": len(image_lines),
                                  "lines": image_lines}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadline-s", type=float, default=10.0,
                        help="feeds.request_deadline_s for the run (default 10)")
    args = parser.parse_args()
    lines = Lines()
    logging.getLogger("slideshow.feeds").addHandler(lines)
    logging.getLogger("slideshow.feeds").propagate = False
    print(json.dumps({"slow_feed_first": slow_feed_first(args.deadline_s, lines),
                      "loopback_refused": loopback_refused(lines)}, indent=1))


if __name__ == "__main__":
    main()
