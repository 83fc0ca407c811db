"""HTTP for feeds: the conditional GET of a feed document and the size-limited, streamed
download of one image, each failure turned into a FeedError with a kind.

Politeness and limits: every request names slideshow in its User-Agent; a feed is asked
with If-None-Match / If-Modified-Since from its last answer, so an unchanged feed costs
the server a 304. A download whose Content-Length is over the limit is refused before a
byte of the body is read; one without a length (chunked) is streamed to disk in chunks of
at most CHUNK_BYTES and abandoned as soon as it passes the limit, so memory never holds
more than one chunk. An image's first bytes are checked against the signature table
(formats.sniff) as soon as they arrive, so a web page served as image/jpeg costs one chunk.

`timeout_s` bounds each connect and each read, not the whole download; the caller's
`stop` event is checked between chunks, so a close() waits at most one read. Name lookups
(getaddrinfo) cannot be given a timeout by the standard library.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

from slideshow import __version__
from slideshow.feeds.errors import FeedError
from slideshow.library.formats import SIGNATURE_BYTES, sniff

USER_AGENT = f"slideshow/{__version__} (photo slideshow; reads image feeds)"
CHUNK_BYTES = 64 * 1024
MAX_FEED_BYTES = 16 * 1024 * 1024  # a feed document bigger than this is not a feed
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
               "text/xml;q=0.8, */*;q=0.5")

# (request, timeout=seconds) -> a response like urllib's (status, headers, read1, close).
Opener = Callable[..., Any]


class Stopped(Exception):
    """The caller's stop event was set while a request ran."""


@dataclass(frozen=True, slots=True)
class FeedDocument:
    data: bytes | None  # None: not modified since the validators were given (HTTP 304)
    etag: str | None
    last_modified: str | None


def default_opener() -> Opener:
    """urllib with http and https only (no file:, ftp: or data: URLs, also not through a
    redirect), the environment's proxies, and redirects followed."""
    director = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPRedirectHandler(), urllib.request.HTTPErrorProcessor()):
        director.add_handler(handler)
    return director.open


def fetch_feed(url: str, etag: str | None, last_modified: str | None, *, opener: Opener,
               timeout_s: float, stop: threading.Event) -> FeedDocument:
    """The feed document at `url`, or a FeedDocument with data None when the server says
    it has not changed since `etag` / `last_modified`."""
    headers = {"Accept": FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = _open(url, headers, opener, timeout_s)
    except FeedError as exc:
        if exc.kind == "HTTP 304":
            return FeedDocument(None, etag, last_modified)
        raise
    with response:
        chunks: list[bytes] = []
        _stream(response, url, MAX_FEED_BYTES, timeout_s, chunks.append, stop)
        return FeedDocument(b"".join(chunks), response.headers.get("ETag"),
                            response.headers.get("Last-Modified"))


def download_image(url: str, destination: Path, *, opener: Opener, timeout_s: float,
                   max_bytes: int, stop: threading.Event) -> str:
    """Streams the image at `url` into `destination` and returns its format (formats.sniff).
    On any failure `destination` is removed and FeedError (or Stopped) raised."""
    response = _open(url, {"Accept": "image/*"}, opener, timeout_s)
    head = bytearray()
    try:
        with response, open(destination, "wb") as file:
            def write(chunk: bytes) -> None:
                if len(head) < SIGNATURE_BYTES:
                    head.extend(chunk[:SIGNATURE_BYTES - len(head)])
                    if len(head) == SIGNATURE_BYTES:
                        _check_image(bytes(head), url)
                file.write(chunk)
            _stream(response, url, max_bytes, timeout_s, write, stop)
        return _check_image(bytes(head), url)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise


def _check_image(head: bytes, url: str) -> str:
    kind = sniff(head)
    if kind is None:
        raise FeedError("not an image", url, "the file is not an image the slideshow reads "
                        f"(it starts with {head[:16]!r})")
    return kind


def _open(url: str, headers: dict[str, str], opener: Opener, timeout_s: float) -> Any:
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **headers})
        return opener(request, timeout=timeout_s)
    except ValueError as exc:  # urllib's "unknown url type" for a URL with no scheme
        raise FeedError("bad URL", url, str(exc)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _failure(url, exc, timeout_s) from None


def _stream(response: Any, url: str, max_bytes: int, timeout_s: float,
            write: Callable[[bytes], None], stop: threading.Event) -> None:
    length = response.headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise FeedError("too large", url, f"it is {int(length):,} bytes, over the "
                        f"{max_bytes:,} byte limit (refused before downloading)")
    total = 0
    while True:
        if stop.is_set():
            raise Stopped
        try:
            # read1: whatever one read brings, so the stop flag is seen on a slow stream
            chunk = response.read1(CHUNK_BYTES)
        except (OSError, http.client.HTTPException) as exc:
            raise _failure(url, exc, timeout_s) from None
        if not chunk:
            return
        total += len(chunk)
        if total > max_bytes:
            raise FeedError("too large", url, f"it passed the {max_bytes:,} byte limit "
                            "while downloading (no Content-Length); abandoned")
        write(chunk)


def _failure(url: str, exc: BaseException, timeout_s: float) -> FeedError:
    """The FeedError (with a kind for the one-line-per-kind log) for a request's failure."""
    if isinstance(exc, HTTPError):
        exc.close()  # it holds the connection
        return FeedError(f"HTTP {exc.code}", url, f"the server answered {exc.code} {exc.reason}",
                         _retry_after_s(exc.headers.get("Retry-After") if exc.headers else None))
    reason: object = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError):
        return FeedError("timeout", url, f"no answer within {timeout_s:g} s")
    if isinstance(reason, socket.gaierror):
        return FeedError("DNS", url, f"the host name cannot be resolved ({reason.strerror})")
    if isinstance(reason, ConnectionRefusedError):
        return FeedError("refused", url, "the connection was refused")
    if isinstance(reason, ssl.SSLError):
        return FeedError("TLS", url, f"the secure connection failed ({reason})")
    if isinstance(reason, str):  # urllib's own: "unknown url type: ftp" after a redirect
        return FeedError("bad URL", url, reason)
    return FeedError("network", url, f"the connection failed ({reason})")


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After in seconds (the delay form; the HTTP-date form is rare and ignored)."""
    return float(value) if value and value.strip().isdigit() else None

