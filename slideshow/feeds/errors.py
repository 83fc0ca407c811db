"""FeedError: why a feed, or one image of it, could not be used.

Every failure the feed code expects (the network, the server, the XML, the image) becomes
one FeedError whose `kind` groups it for logging: the source logs the first failure of
each kind per feed and stays quiet about its repeats, so a feed that is down for a day
leaves one line in the log, not one per retry.
"""

from __future__ import annotations

from slideshow.errors import SlideshowError

# Kinds that the same URL would fail with again: the image is not asked for again while
# the feed lists it. Every other kind (timeouts, 5xx, DNS...) is retried on a later refresh.
PERMANENT_KINDS = frozenset({"too large", "not an image", "bad URL"})


class FeedError(SlideshowError):
    """`str()` is `"{url}: {reason}"`; `kind` is a short label such as "timeout", "DNS",
    "refused", "HTTP 500", "bad XML", "unsafe XML", "too large", "not an image", "deadline"
    (the request's total time passed) or "address refused" (a loopback or private address,
    not allowed)."""

    def __init__(self, kind: str, url: str, reason: str,
                 retry_after_s: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.kind = kind
        self.url = url
        self.reason = reason
        self.retry_after_s = retry_after_s  # the server's Retry-After, in seconds, if any

    @property
    def permanent(self) -> bool:
        """True when asking the same URL again would fail the same way (an HTTP 4xx, an
        oversized file, a file that is not an image)."""
        return self.kind in PERMANENT_KINDS or (self.kind.startswith("HTTP 4")
                                                and self.kind not in ("HTTP 408", "HTTP 429"))
