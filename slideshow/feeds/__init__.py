"""Image feeds (RSS, Media RSS, Atom) as a photo source: fetched politely on a thread of
their own into a disk cache, and mixed in with the local photos at a given share.

Never does network or disk I/O outside the feed source's own threads: other threads only
copy its list of photos. XML from the network is parsed with entities refused (`parse`).
Requests have a total deadline each, several feeds are fetched at once, and no request
goes to a loopback, private or link-local address unless the AddressPolicy allows it
(`download`).

    feeds = FeedSource(["https://www.nasa.gov/feeds/iotd-feed/"], refresh_s=3600)
    feeds.start()
    next_photo = MixedPhotos(lambda: library.next_path(0), feeds, feed_share=0.25)
    path = next_photo()        # a local photo, or now and then a feed photo
    ...
    feeds.close()
"""

from slideshow.feeds.download import AddressPolicy
from slideshow.feeds.errors import FeedError
from slideshow.feeds.mix import MixedPhotos
from slideshow.feeds.parse import FeedItem, parse_feed
from slideshow.feeds.source import FeedSource

__all__ = ["AddressPolicy", "FeedError", "FeedItem", "FeedSource", "MixedPhotos", "parse_feed"]
