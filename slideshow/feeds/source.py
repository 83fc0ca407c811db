"""FeedSource: image feeds as a source of photos, fetched on threads of their own.

Its thread first lists what the disk cache already holds (so a show started offline has
its feed photos at once), then hands each feed, when it is due, to a small pool of fetch
threads (at most MAX_PARALLEL feeds at once), which fetch it and download the images it
lists that are not cached yet. One feed is fetched by one thread at a time, so a slow or
stuck server delays only its own feed, and only until its request's deadline
(`deadline_s`, connect to last byte: download.py), when it is given up with one log line.
Other threads only ever call `photos()` (the image supervisors' threads, through
MixedPhotos), which copies a list under a lock.

Where requests may go is the `AddressPolicy`'s (download.py): feed and image URLs that
resolve to loopback, private, link-local and other non-public addresses are refused
(checked after the name is resolved and on every redirect) unless `feeds.allow_private`.

When a feed is due: `refresh_s` after its last successful fetch (kept in the cache, so a
restart does not fetch again early), and never sooner, whatever `poke()` asks. A failed
fetch (DNS, refused, HTTP 5xx, timeout, bad XML...) is retried after RETRY_FIRST_S,
doubling each time up to max(refresh_s, RETRY_MAX_S), or later when the server sends
Retry-After. The first failure of each kind is logged once per feed (one line, with
what happens next); repeats are not, until the feed works again. Failing images are logged
the same way, once per kind per feed; those that cannot work (too large, not an image,
HTTP 4xx) are remembered and not fetched again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from slideshow.errors import ConfigError
from slideshow.feeds import download
from slideshow.feeds.download import AddressPolicy, Client, Stopped
from slideshow.feeds.errors import FeedError
from slideshow.feeds.parse import parse_feed
from slideshow.feeds.store import FeedCache, default_cache_dir

MIN_REFRESH_S = 60.0  # below this a feed is polled impolitely often, whatever is asked
RETRY_FIRST_S = 60.0  # a failed feed is asked again after this, then twice as long...
RETRY_MAX_S = 6 * 3600.0  # ...up to max(refresh_s, this)
MAX_WAIT_S = 60.0  # the thread looks at the clock at least this often (suspend, clock steps)
MAX_PARALLEL = 4  # feeds fetched at once: polite to the network, and one slow feed is not all

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Feed:
    cache: FeedCache
    due: float = 0.0  # `now` seconds: when to fetch next
    failures: int = 0  # failed fetches in a row
    logged: set[str] = field(default_factory=set)  # failure kinds logged since it last worked
    image_logged: set[str] = field(default_factory=set)  # image failure kinds logged, ever
    busy: bool = False  # handed to a fetch thread and not finished yet
    started: int = 0  # fetches handed out, ever (the dispatching thread counts)
    finished: int = 0  # fetches finished, ever (the fetch thread counts)

    @property
    def url(self) -> str:
        return self.cache.feed_url


class FeedSource:
    """Photos from the RSS / Atom feeds at `urls`, cached in `cache_dir` (default: `feeds/`
    in the per-user cache folder), newest `keep` images per feed.

    `refresh_s`: seconds between fetches of one feed (at least MIN_REFRESH_S). `max_bytes`:
    the largest image downloaded. `timeout_s`: for each connect and each read, a backstop;
    `deadline_s`: for each request in total (connect, headers, redirects and body), so a
    server that trickles bytes is given up too. `policy`: the addresses requests may go
    to (private ones refused by default). `proxies`: scheme -> proxy URL, None for the
    environment's (tests use {}). `now`: the clock, epoch seconds (wall time, as fetch
    times are kept across runs); tests step a fake one and call `settle()`.
    `on_new_photos(paths)` is called on a feed thread with the paths that joined
    `photos()`, also those listed from the cache at start.
    """

    def __init__(self, urls: Iterable[str], cache_dir: str | Path | None = None, *,
                 refresh_s: float = 3600.0, max_bytes: int = 40 * 1024 * 1024,
                 timeout_s: float = 10.0, deadline_s: float = 120.0, keep: int = 30,
                 policy: AddressPolicy = AddressPolicy(),
                 proxies: dict[str, str] | None = None,
                 now: Callable[[], float] = time.time,
                 on_new_photos: Callable[[list[str]], None] | None = None) -> None:
        urls = list(dict.fromkeys(u.strip() for u in urls))
        bad = [u for u in urls
               if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]
        if bad:
            raise ConfigError(f"feed URL {', '.join(map(repr, bad))}: a feed is an http:// "
                              "or https:// address")
        _check_range("feed refresh_s", refresh_s, MIN_REFRESH_S)
        _check_range("feed max_bytes", max_bytes, 1)
        _check_range("feed timeout_s", timeout_s, 0.01)
        _check_range("feed deadline_s", deadline_s, 0.01)
        _check_range("feed keep", keep, 1)
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._feeds = [_Feed(FeedCache(root, url)) for url in urls]
        self.refresh_s, self.max_bytes = refresh_s, max_bytes
        self.timeout_s, self.deadline_s, self.keep = timeout_s, deadline_s, keep
        self.on_new_photos = on_new_photos
        self._now = now
        self._client = Client(policy, timeout_s, deadline_s, proxies)
        self._lock = threading.Lock()
        self._publish_lock = threading.Lock()  # fetch threads publish one at a time
        self._queue: queue.SimpleQueue[_Feed | None] = queue.SimpleQueue()
        self._fetchers = [threading.Thread(target=self._fetch_loop, daemon=True,
                                           name=f"slideshow-feeds-{n}")
                          for n in range(min(MAX_PARALLEL, len(self._feeds)))]
        self._photos: list[str] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._settled = threading.Condition()
        self._asked = self._done = 0  # settle() tickets: asked, and passed by the thread
        self._finished = False  # the thread has ended (closed, or failed)
        self._thread = threading.Thread(target=self._run, name="slideshow-feeds", daemon=True)

    # -- the caller's side -----------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def photos(self) -> list[str]:
        """Paths of the cached feed images, newest first (all feeds together); any thread."""
        with self._lock:
            return list(self._photos)

    def poke(self) -> None:
        """Has the thread look at the clock now; a feed is fetched only if it is due."""
        self._wake.set()

    def settle(self, timeout_s: float | None = None) -> bool:
        """Pokes the thread and waits until it has looked at every feed since (fetching
        those due); False on timeout or when the thread is not running."""
        with self._settled:
            self._asked += 1
            ticket = self._asked
        self._wake.set()
        with self._settled:
            return self._settled.wait_for(
                lambda: self._done >= ticket or self._finished or not self._thread.is_alive(),
                timeout_s) and self._done >= ticket

    def close(self) -> None:
        """Stops the threads: a download in progress is abandoned at its next chunk or
        read timeout. Joins for at most timeout_s + 1 s in all (a name lookup cannot be
        cut short; the threads are daemons)."""
        self._stop.set()
        self._wake.set()
        until = time.monotonic() + self.timeout_s + 1.0
        for thread in [self._thread, *self._fetchers]:
            if thread.is_alive():
                thread.join(max(0.0, until - time.monotonic()))
        if any(t.is_alive() for t in [self._thread, *self._fetchers]):
            log.warning("a feed thread is still waiting on the network; leaving it")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the feed thread -------------------------------------------------------------------

    def _run(self) -> None:
        """Hands due feeds to the fetch threads; a settle() ticket is done once every
        fetch in flight when its pass began has finished."""
        # (ticket, [(feed, fetches it must have finished)]) per pass, oldest first
        passes: list[tuple[int, list[tuple[_Feed, int]]]] = []
        try:
            self._load_caches()
            for fetcher in self._fetchers:
                fetcher.start()
            while not self._stop.is_set():
                self._wake.clear()  # before looking: a wake-up meanwhile is kept
                with self._settled:
                    ticket = self._asked
                for feed in self._feeds:
                    if not feed.busy and self._now() >= feed.due:
                        feed.busy = True
                        feed.started += 1
                        self._queue.put(feed)
                passes.append((ticket, [(f, f.started) for f in self._feeds if f.busy]))
                while passes and all(f.finished >= n for f, n in passes[0][1]):
                    with self._settled:
                        self._done = passes.pop(0)[0]
                        self._settled.notify_all()
                next_due = min((f.due for f in self._feeds if not f.busy), default=float("inf"))
                self._wake.wait(min(max(0.0, next_due - self._now()), MAX_WAIT_S))
        except Exception:
            log.exception("the feed thread failed; showing the feed photos cached so far")
        finally:
            for _ in self._fetchers:
                self._queue.put(None)
            with self._settled:
                self._finished = True
                self._settled.notify_all()

    def _fetch_loop(self) -> None:
        """A fetch thread: one feed at a time, until None."""
        while (feed := self._queue.get()) is not None:
            try:
                if not self._stop.is_set():
                    self._refresh_guarded(feed)
            finally:
                feed.finished += 1
                feed.busy = False
                self._wake.set()

    def _load_caches(self) -> None:
        now = self._now()
        for feed in self._feeds:
            try:
                feed.cache.load()
            except OSError as exc:
                log.warning("cannot read the feed cache %s: %s", feed.cache.folder, exc)
            checked = feed.cache.checked_at
            # min(): a clock set back must not push the next fetch further out
            feed.due = 0.0 if checked is None else min(checked, now) + self.refresh_s
        self._publish()

    def _refresh_guarded(self, feed: _Feed) -> None:
        """`_refresh`, where an exception nobody foresaw (a bug, an odd answer) makes this
        feed back off and is logged once, traceback included, like any other failure;
        the other feeds and the show go on."""
        try:
            self._refresh(feed)
        except Exception as exc:  # noqa: BLE001
            failure = FeedError("unexpected", feed.url, f"{type(exc).__name__}: {exc}")
            self._fetch_failed(feed, failure, exc_info=True)

    def _refresh(self, feed: _Feed) -> None:
        cache = feed.cache
        try:
            document = download.fetch_feed(feed.url, cache.etag, cache.last_modified,
                                           client=self._client, stop=self._stop)
            items = (parse_feed(document.data, feed.url, document.charset)
                     if document.data is not None else None)
        except Stopped:
            return
        except FeedError as exc:
            self._fetch_failed(feed, exc)
            return
        now = self._now()
        if items is not None:
            cache.update_listing(items, now)
            cache.etag, cache.last_modified = document.etag, document.last_modified
        cache.checked_at, feed.due = now, now + self.refresh_s
        if feed.failures:
            log.info("feed %s works again", feed.url)
        feed.failures = 0
        feed.logged.clear()
        self._download_wanted(feed)
        cache.trim(self.keep)
        try:
            cache.save()
        except OSError as exc:
            log.warning("cannot write the feed cache %s: %s", cache.folder, exc)
        self._publish()

    def _download_wanted(self, feed: _Feed) -> None:
        cache = feed.cache
        for item in cache.wanted(self.keep):
            if self._stop.is_set():
                return
            try:
                part = cache.part_path(item.url)
                image_format = download.download_image(
                    item.url, part, client=self._client, max_bytes=self.max_bytes,
                    stop=self._stop)
                cache.add(item, part, image_format)
                self._publish()  # each image joins as it arrives, not after the whole batch
            except Stopped:
                return
            except FeedError as exc:
                if exc.permanent:
                    cache.refuse(item.url, exc.reason)
                self._note_image_failure(feed, exc)
            except OSError as exc:  # the cache folder: full disk, permissions
                failure = FeedError("cache", item.url, f"cannot store it: {exc}")
                self._note_image_failure(feed, failure)

    def _fetch_failed(self, feed: _Feed, exc: FeedError, exc_info: bool = False) -> None:
        feed.failures += 1
        delay = min(RETRY_FIRST_S * 2 ** (feed.failures - 1), max(self.refresh_s, RETRY_MAX_S))
        if exc.retry_after_s is not None:
            delay = max(delay, min(exc.retry_after_s, 86400.0))
        feed.due = self._now() + delay
        if exc.kind not in feed.logged:
            feed.logged.add(exc.kind)
            log.warning("feed %s (%s); showing the cached photos, retrying with backoff",
                        exc, exc.kind, exc_info=exc_info)

    def _note_image_failure(self, feed: _Feed, exc: FeedError) -> None:
        if exc.kind not in feed.image_logged:
            feed.image_logged.add(exc.kind)
            log.warning("feed %s: skipping an image: %s (%s; further %r failures of this "
                        "feed are not logged)", feed.url, exc, exc.kind, exc.kind)

    def _publish(self) -> None:
        """Rebuilds photos() from the caches; tells on_new_photos what joined it. Fetch
        threads publish one at a time (each reads every feed's list, which the others
        replace whole, never change in place)."""
        with self._publish_lock:
            self._publish_locked()

    def _publish_locked(self) -> None:
        timed = [(photo.time, feed.cache.path(photo)) for feed in self._feeds
                 for photo in list(feed.cache.photos)]
        paths = [path for _, path in sorted(timed, key=lambda pair: -pair[0])]
        with self._lock:
            known = set(self._photos)
            self._photos = paths
        new = [path for path in paths if path not in known]
        if new and self.on_new_photos is not None:
            try:
                self.on_new_photos(new)
            except Exception:
                log.exception("on_new_photos failed")


def _check_range(name: str, value: float, minimum: float) -> None:
    if not value >= minimum:  # `not >=` also refuses NaN
        raise ConfigError(f"{name} = {value!r}: must be at least {minimum:g}")
