"""FeedCache and the downloads' edges: a damaged or tampered feed.json is ignored, leftovers
in a feed's folder are deleted, only http(s) is ever fetched, and each network failure
gets the kind that the once-per-kind log groups it by."""

from __future__ import annotations

import email.message
import http.client
import io
import json
import logging
import socket
import ssl
import threading
import time
from urllib.error import HTTPError, URLError

import pytest

from slideshow.feeds import FeedError
from slideshow.feeds.download import Client, Deadline, fetch_feed
from slideshow.feeds.parse import FeedItem
from slideshow.feeds.store import STATE_NAME, FeedCache

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

FEED = "https://example.org/feed.xml"


def test_a_damaged_state_file_is_ignored_and_leftovers_are_deleted(tmp_path, caplog):
    cache = FeedCache(tmp_path, FEED)
    cache.folder.mkdir(parents=True)
    (cache.folder / STATE_NAME).write_text("{not json")
    (cache.folder / "0123.4567.part").write_bytes(b"half a download")
    cache.load()
    assert cache.photos == [] and cache.etag is None
    assert [p.name for p in cache.folder.iterdir()] == [STATE_NAME]
    assert any("ignoring the feed cache" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)


@pytest.mark.parametrize("content", ["[" * 100_000, "[1, 2]", '"text"', "\udcff"],
                         ids=["deeply-nested", "a-list", "a-string", "not-utf-8"])
def test_a_state_file_damaged_in_any_way_is_one_line_and_a_fresh_fetch(tmp_path, caplog, content):
    """Deeply nested JSON raises RecursionError, a list where a table belongs
    AttributeError: neither may escape the cache's error handling."""
    cache = FeedCache(tmp_path, FEED)
    cache.folder.mkdir(parents=True)
    (cache.folder / STATE_NAME).write_bytes(content.encode("utf-8", "surrogateescape"))
    caplog.set_level(logging.WARNING, logger="slideshow.feeds.store")

    cache.load()

    assert cache.photos == [] and cache.etag is None and cache.listed == []
    lines = [r.getMessage() for r in caplog.records if r.name == "slideshow.feeds.store"]
    assert len(lines) == 1 and "damaged" in lines[0] and STATE_NAME in lines[0], lines


def test_saved_state_round_trips_and_a_tampered_name_cannot_leave_the_folder(tmp_path):
    cache = FeedCache(tmp_path, FEED)
    cache.update_listing([FeedItem("https://example.org/a.png", 100.0, "a")], seen_at=200.0)
    part = cache.part_path("https://example.org/a.png")
    part.write_bytes(b"\x89PNG\r\n\x1a\n")
    path = cache.add(cache.listed[0], part, "PNG")
    cache.etag, cache.checked_at = '"x"', 200.0
    cache.save()
    state = json.loads((cache.folder / STATE_NAME).read_text())
    outside = tmp_path / "precious.jpg"
    outside.write_bytes(b"keep me")
    state["photos"].append(["https://example.org/b.jpg", "../precious.jpg", 50.0, "b"])
    (cache.folder / STATE_NAME).write_text(json.dumps(state))
    again = FeedCache(tmp_path, FEED)
    again.load()
    assert [again.path(p) for p in again.photos] == [path]
    assert (again.etag, again.checked_at) == ('"x"', 200.0)
    assert again.trim(0) == [path]
    assert outside.read_bytes() == b"keep me"


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://example.org/feed.xml",
                                 "data:text/xml,<rss/>"])
def test_the_client_fetches_only_http(url):
    with pytest.raises(FeedError) as raised:
        fetch_feed(url, None, None, client=Client(timeout_s=1.0, proxies={}),
                   stop=threading.Event())
    assert raised.value.kind == "bad URL"


class RaisingClient(Client):
    """A Client whose every request fails with `exc`, as urllib's would."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(timeout_s=1.0)
        object.__setattr__(self, "exc", exc)

    def opener(self, deadline: Deadline):
        def open_(request, timeout):
            raise self.exc
        return open_


def raising(exc: BaseException) -> Client:
    return RaisingClient(exc)


@pytest.mark.parametrize(("exc", "kind"), [
    (URLError(socket.gaierror(-2, "Name or service not known")), "DNS"),
    (URLError(ConnectionRefusedError(111, "Connection refused")), "refused"),
    (URLError(TimeoutError("timed out")), "timeout"),
    (TimeoutError("timed out"), "timeout"),  # raised by getresponse, not wrapped by urllib
    (URLError(ssl.SSLCertVerificationError("certificate verify failed")), "TLS"),
    (URLError(OSError(101, "Network is unreachable")), "network"),
    (http.client.RemoteDisconnected("closed"), "network"),
])
def test_network_failures_get_a_kind_for_the_once_per_kind_log(exc, kind):
    with pytest.raises(FeedError) as raised:
        fetch_feed(FEED, None, None, client=raising(exc), stop=threading.Event())
    assert raised.value.kind == kind
    assert not raised.value.permanent


def test_retry_after_is_read_from_an_http_error():
    headers = email.message.Message()
    headers["Retry-After"] = "120"
    error = HTTPError(FEED, 503, "Service Unavailable", headers, io.BytesIO(b""))
    with pytest.raises(FeedError) as raised:
        fetch_feed(FEED, None, None, client=raising(error), stop=threading.Event())
    assert (raised.value.kind, raised.value.retry_after_s) == ("HTTP 503", 120.0)


def test_a_status_line_trickled_byte_by_byte_is_given_up_at_the_deadline():
    """The headers are read inside http.client, out of reach of the body loop's check:
    the deadline's timer shuts the socket down instead."""
    from slideshow.feeds.download import AddressPolicy

    listener = socket.create_server(("127.0.0.1", 0))
    sent = []

    def trickle() -> None:
        connection, _ = listener.accept()
        with connection:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n" * 4:  # ~40 s at most
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up
                sent.append(byte)
                time.sleep(0.25)

    server = threading.Thread(target=trickle, name="test-trickle")
    server.start()
    client = Client(AddressPolicy(allow_private=True), timeout_s=5.0, deadline_s=1.0, proxies={})
    started = time.monotonic()
    try:
        with pytest.raises(FeedError) as raised:
            fetch_feed(f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml", None, None,
                       client=client, stop=threading.Event())
    finally:
        server.join(60.0)
        listener.close()
    assert raised.value.kind == "deadline" and "1 s deadline" in raised.value.reason
    assert time.monotonic() - started < 30.0  # generous: the server would go on for ~40 s
    assert len(sent) < 100


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("100.64.0.1", "shared (CGNAT)"), ("100.127.255.254", "shared (CGNAT)"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("0.1.2.3", "private"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("240.0.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("64:ff9b::7f00:1", "loopback"), ("2002:c0a8:101::1", "private"),
    ("93.184.216.34", None), ("8.8.8.8", None), ("2606:4700:4700::1111", None),
    ("100.128.0.1", None), ("64:ff9b::808:808", None),
])
def test_the_address_policy_refuses_every_non_public_address(address, kind):
    from slideshow.feeds.download import AddressPolicy

    assert AddressPolicy().refusal(address) == kind
    assert AddressPolicy(allow_private=True).refusal(address) is None
    assert AddressPolicy(treat_as_public=frozenset({address})).refusal(address) is None
