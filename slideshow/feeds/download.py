"""HTTP for feeds: the conditional GET of a feed document and the size-limited, streamed
download of one image, each failure turned into a FeedError with a kind.

Politeness and limits: every request names slideshow in its User-Agent; a feed is asked
with If-None-Match / If-Modified-Since from its last answer, so an unchanged feed costs
the server a 304. A download whose Content-Length is over the limit is refused before a
byte of the body is read; one without a length (chunked) is streamed to disk in chunks of
at most CHUNK_BYTES and abandoned as soon as it passes the limit, so memory never holds
more than one chunk. An image's first bytes are checked against the signature table
(formats.sniff) as soon as they arrive, so a web page served as image/jpeg costs one chunk.

Time: `deadline_s` bounds the whole request (connect, TLS, headers, every redirect and the
body together), so a server that trickles a byte a second cannot hold a request longer.
It is enforced twice: the elapsed time is checked before every read of the body, and a
timer (`Deadline`) shuts the request's sockets down when it passes, which wakes a read
blocked anywhere in urllib or http.client (a status line trickled in byte by byte is read
there, out of our reach). `timeout_s` still bounds each connect and each single read, a
backstop for a server that sends nothing at all. The caller's `stop` event is checked
between chunks. Name lookups (getaddrinfo) cannot be given a timeout by the standard
library: a lookup that hangs holds its request past the deadline.

Where requests may go: every connection is made by `_CheckedConnection`, which resolves
the host itself (socket.getaddrinfo), checks every address against the `AddressPolicy`
and then connects to an address it checked, never resolving again, so a DNS answer that
changes between the check and the connect (DNS rebinding) cannot point it elsewhere.
Loopback, private (RFC 1918, CGNAT 100.64/10, IPv6 ULA), link-local, multicast, reserved
and unspecified addresses are refused unless the policy allows private addresses
(`feeds.allow_private`). urllib follows a redirect with a new connection, so every hop is
checked the same way. Through a proxy (the environment's http_proxy / https_proxy) the
proxy is the user's own choice and is not checked; the target's name is then resolved
and checked here, but the proxy resolves it again, so that check is best effort.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slideshow import __version__
from slideshow.feeds.errors import FeedError
from slideshow.library.formats import SIGNATURE_BYTES, sniff

USER_AGENT = f"slideshow/{__version__} (photo slideshow; reads image feeds)"
CHUNK_BYTES = 64 * 1024
MAX_FEED_BYTES = 16 * 1024 * 1024  # a feed document bigger than this is not a feed
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
               "text/xml;q=0.8, */*;q=0.5")
ALLOW_PRIVATE_SETTING = "feeds.allow_private"
DEADLINE_SETTING = "feeds.request_deadline_s"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Shared address space (carrier-grade NAT): neither is_private nor is_global in Python.
_SHARED_NETWORK = ipaddress.ip_network("100.64.0.0/10")
# NAT64's well-known prefix: a gateway connects to the IPv4 address in the last 32 bits.
_NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")


class Stopped(Exception):
    """The caller's stop event was set while a request ran."""


class AddressRefused(OSError):
    """A connection the AddressPolicy does not allow; raised before any connect."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        article = "an" if kind[0] in "aeiou" else "a"
        what = (f"{address} is" if host.strip("[]") == address
                else f"{host} resolves to {address},")
        super().__init__(f"refused: {what} {article} {kind} address; "
                         f"{ALLOW_PRIVATE_SETTING} = true allows it")
        self.host, self.address, self.kind = host, address, kind


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses a feed request may connect to. `allow_private`: every address
    (`feeds.allow_private`). `treat_as_public`: addresses checked as if they were public,
    the one seam for tests, whose servers can only be on loopback (empty in the program)."""

    allow_private: bool = False
    treat_as_public: frozenset[str] = field(default_factory=frozenset)

    def refusal(self, address: str) -> str | None:
        """None when `address` (an IP address as text) may be connected to, else the kind
        of address it is (\"loopback\", \"private\"...), for the log line."""
        if self.allow_private or address in self.treat_as_public:
            return None
        return address_kind(ipaddress.ip_address(address.split("%", 1)[0]))

    def check(self, host: str, addresses: Iterable[str]) -> None:
        """Raises AddressRefused for the first address of `host` that is not allowed: a
        name that resolves to both a public and a private address is refused too (which
        one a connect would take is not ours to choose)."""
        for address in addresses:
            if (kind := self.refusal(address)) is not None:
                raise AddressRefused(host, address, kind)


def address_kind(address: IPAddress) -> str | None:
    """None for a public (global) address, else what kind of non-public address it is."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv6 forms that reach an IPv4 address are judged by that address:
        # ::ffff:127.0.0.1, 64:ff9b::7f00:1 (NAT64), 2002:7f00:1:: (6to4)
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64_NETWORK:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            address = address.sixtofour
    checks: tuple[tuple[str, bool], ...] = (
        ("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
        ("shared (CGNAT)", address in _SHARED_NETWORK), ("reserved", address.is_reserved),
        ("private", address.is_private), ("non-public", not address.is_global))
    return next((kind for kind, hit in checks if hit), None)


class Deadline:
    """The total time of one request. When it passes, the sockets the request opened are
    shut down (a read blocked in them returns at once) and `expired` turns True."""

    def __init__(self, seconds: float, now: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._now = now
        self.ends_at = now() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.name = "slideshow-feeds-deadline"
        self._timer.daemon = True
        self._timer.start()

    def remaining_s(self) -> float:
        return max(0.0, self.ends_at - self._now())

    def passed(self) -> bool:
        return self.expired or self._now() >= self.ends_at

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                _shut(sock)
            self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        """Ends the timer; called before the request's sockets close."""
        with self._lock:
            self._timer.cancel()
            self._sockets.clear()

    def error(self, url: str) -> FeedError:
        return FeedError("deadline", url, f"gave up: no complete answer within the "
                         f"{self.seconds:g} s deadline ({DEADLINE_SETTING})")


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: it acts on the descriptor and
    # leaves the TLS object to the thread reading it. A socket closed meanwhile has no
    # descriptor any more (EBADF), so a reused descriptor number is never touched.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _CheckedConnection(http.client.HTTPConnection):
    """An HTTPConnection that resolves, checks and connects to the checked address, and
    hands its socket to the request's Deadline."""

    def __init__(self, host: str, *, policy: AddressPolicy, deadline: Deadline,
                 proxied: bool, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._policy, self._deadline, self._proxied = policy, deadline, proxied
        self._create_connection = self._checked_create_connection  # http.client's seam

    def _checked_create_connection(self, address: tuple[str, int], timeout: Any,
                                   source_address: Any = None) -> socket.socket:
        host, port = address
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if not self._proxied:  # through a proxy, the target was checked in _open
            self._policy.check(host, [info[4][0] for info in infos])
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            if self._deadline.passed():
                raise TimeoutError("the request's deadline passed while connecting")
            sock = socket.socket(family, kind, proto)
            try:
                self._deadline.watch(sock)
                if isinstance(timeout, (int, float)):
                    sock.settimeout(min(timeout, max(0.01, self._deadline.remaining_s())))
                sock.connect(sockaddr)  # the address checked above, not the name again
                if isinstance(timeout, (int, float)):
                    sock.settimeout(timeout)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"{host} has no address")


class _CheckedHTTPSConnection(_CheckedConnection, http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)  # the TLS socket that replaced the plain one


class _CheckedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """http and https through _CheckedConnection, for one request."""

    def __init__(self, policy: AddressPolicy, deadline: Deadline) -> None:
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self)
        self._policy, self._deadline = policy, deadline

    def _connection(self, https: bool, req: urllib.request.Request) -> Callable[..., Any]:
        # urllib's ProxyHandler points req.host at the proxy: a tunnel for https, the whole
        # URL as the selector for http
        proxied = bool(getattr(req, "_tunnel_host", None)) or req.selector == req.full_url
        if proxied:
            target = urlsplit(req.full_url)
            port = target.port or (443 if https else 80)
            infos = socket.getaddrinfo(target.hostname, port, type=socket.SOCK_STREAM)
            self._policy.check(target.hostname or "", [info[4][0] for info in infos])
        base = _CheckedHTTPSConnection if https else _CheckedConnection

        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return base(host, policy=self._policy, deadline=self._deadline, proxied=proxied,
                        **kwargs)
        return make

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._connection(False, req), req)

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._connection(True, req), req, context=self._context)


@dataclass(frozen=True, slots=True)
class Client:
    """How feed requests are made: `policy` (where they may go), `timeout_s` (each connect
    and read), `deadline_s` (each request in total), `proxies` (scheme -> proxy URL, None:
    the environment's)."""

    policy: AddressPolicy = AddressPolicy()
    timeout_s: float = 10.0
    deadline_s: float = 120.0
    proxies: dict[str, str] | None = None

    def opener(self, deadline: Deadline) -> Callable[..., Any]:
        """urllib with http and https only (no file:, ftp: or data: URLs, also not through
        a redirect), redirects followed, every connection checked and under `deadline`."""
        director = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(self.proxies),
                        urllib.request.UnknownHandler(), _CheckedHandler(self.policy, deadline),
                        urllib.request.HTTPDefaultErrorHandler(),
                        urllib.request.HTTPRedirectHandler(),
                        urllib.request.HTTPErrorProcessor()):
            director.add_handler(handler)
        return director.open


@dataclass(frozen=True, slots=True)
class FeedDocument:
    data: bytes | None  # None: not modified since the validators were given (HTTP 304)
    etag: str | None
    last_modified: str | None
    charset: str | None = None  # the Content-Type's charset, when the server names one


def fetch_feed(url: str, etag: str | None, last_modified: str | None, *, client: Client,
               stop: threading.Event) -> FeedDocument:
    """The feed document at `url`, or a FeedDocument with data None when the server says
    it has not changed since `etag` / `last_modified`."""
    headers = {"Accept": FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = Deadline(client.deadline_s)
    try:
        try:
            response = _open(url, headers, client, deadline, stop)
        except FeedError as exc:
            if exc.kind == "HTTP 304":
                return FeedDocument(None, etag, last_modified)
            raise
        try:
            chunks: list[bytes] = []
            _stream(response, url, MAX_FEED_BYTES, client, deadline, chunks.append, stop)
            return FeedDocument(b"".join(chunks), response.headers.get("ETag"),
                                response.headers.get("Last-Modified"),
                                response.headers.get_content_charset())
        finally:
            deadline.cancel()  # before the socket closes: its descriptor may be reused
            response.close()
    finally:
        deadline.cancel()


def download_image(url: str, destination: Path, *, client: Client, max_bytes: int,
                   stop: threading.Event) -> str:
    """Streams the image at `url` into `destination` and returns its format (formats.sniff).
    On any failure `destination` is removed and FeedError (or Stopped) raised."""
    deadline = Deadline(client.deadline_s)
    try:
        response = _open(url, {"Accept": "image/*"}, client, deadline, stop)
        head = bytearray()
        try:
            with open(destination, "wb") as file:
                def write(chunk: bytes) -> None:
                    if len(head) < SIGNATURE_BYTES:
                        head.extend(chunk[:SIGNATURE_BYTES - len(head)])
                        if len(head) == SIGNATURE_BYTES:
                            _check_image(bytes(head), url)
                    file.write(chunk)
                _stream(response, url, max_bytes, client, deadline, write, stop)
            return _check_image(bytes(head), url)
        except BaseException:
            destination.unlink(missing_ok=True)
            raise
        finally:
            deadline.cancel()
            response.close()
    finally:
        deadline.cancel()


def _check_image(head: bytes, url: str) -> str:
    kind = sniff(head)
    if kind is None:
        raise FeedError("not an image", url, "the file is not an image the slideshow reads "
                        f"(it starts with {head[:16]!r})")
    return kind


def _open(url: str, headers: dict[str, str], client: Client, deadline: Deadline,
          stop: threading.Event) -> Any:
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **headers})
        return client.opener(deadline)(request, timeout=client.timeout_s)
    except ValueError as exc:  # urllib's "unknown url type" for a URL with no scheme
        raise FeedError("bad URL", url, str(exc)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _failure(url, exc, client, deadline, stop) from None


def _stream(response: Any, url: str, max_bytes: int, client: Client, deadline: Deadline,
            write: Callable[[bytes], None], stop: threading.Event) -> None:
    length = response.headers.get("Content-Length", "")
    expected = int(length) if length.strip().isdigit() else None
    if expected is not None and expected > max_bytes:
        raise FeedError("too large", url, f"it is {expected:,} bytes, over the "
                        f"{max_bytes:,} byte limit (refused before downloading)")
    total = 0
    while True:
        if stop.is_set():
            raise Stopped
        if deadline.passed():  # a trickle of bytes keeps each read short, not the whole
            raise deadline.error(url)
        try:
            # read1: whatever one read brings, so the stop flag and the deadline are seen
            # on a slow stream
            chunk = response.read1(CHUNK_BYTES)
        except (OSError, http.client.HTTPException) as exc:
            raise _failure(url, exc, client, deadline, stop) from None
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise FeedError("too large", url, f"it passed the {max_bytes:,} byte limit "
                            "while downloading (no Content-Length); abandoned")
        write(chunk)
    if stop.is_set():
        raise Stopped
    if deadline.expired:  # the timer shut the socket: the end seen was not the body's
        raise deadline.error(url)
    if expected is not None and total < expected:
        raise FeedError("network", url, f"the connection closed after {total:,} of "
                        f"{expected:,} bytes")


def _failure(url: str, exc: BaseException, client: Client, deadline: Deadline,
             stop: threading.Event) -> FeedError | Stopped:
    """The FeedError (with a kind for the one-line-per-kind log) for a request's failure."""
    if isinstance(exc, HTTPError):
        exc.close()  # it holds the connection
        return FeedError(f"HTTP {exc.code}", url, f"the server answered {exc.code} {exc.reason}",
                         _retry_after_s(exc.headers.get("Retry-After") if exc.headers else None))
    reason: object = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, AddressRefused):
        return FeedError("address refused", url, str(reason))
    if stop.is_set():
        return Stopped()
    if deadline.passed():  # whatever the shut socket raised, the deadline is why
        return deadline.error(url)
    if isinstance(reason, TimeoutError):
        return FeedError("timeout", url, f"no answer within {client.timeout_s:g} s")
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

