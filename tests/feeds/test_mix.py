"""MixedPhotos: the share of feed photos over many draws, feed photos dealt without
repeats, new arrivals first, and either source standing in when the other has none."""

from __future__ import annotations

import itertools
import random

import pytest

from slideshow.errors import ConfigError
from slideshow.feeds import MixedPhotos


class FakeFeedSource:
    """A stand-in feed source: whatever `paths` holds, newest first."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths

    def photos(self) -> list[str]:
        return list(self.paths)


def local_photos():
    counter = itertools.count()
    return lambda: f"local/{next(counter)}.jpg"


@pytest.mark.parametrize("share", [0.25, 0.6])
def test_feed_photos_come_at_about_the_feed_share(share):
    feed = FakeFeedSource([f"feed/{i}.jpg" for i in range(7)])
    mixed = MixedPhotos(local_photos(), feed, feed_share=share, rng=random.Random(1))
    draws = [mixed() for _ in range(20000)]
    fraction = sum(p.startswith("feed/") for p in draws) / len(draws)
    assert abs(fraction - share) < 0.015


def test_feed_photos_do_not_repeat_until_all_were_shown():
    feed = FakeFeedSource([f"feed/{i}.jpg" for i in range(5)])
    mixed = MixedPhotos(local_photos(), feed, feed_share=0.5, rng=random.Random(2))
    shown = [p for p in (mixed.next_path() for _ in range(2000)) if p.startswith("feed/")]
    cycles = [shown[i:i + 5] for i in range(0, len(shown) - 4, 5)]
    assert len(cycles) > 50
    assert all(sorted(cycle) == feed.paths for cycle in cycles)
    assert all(a != b for a, b in itertools.pairwise(shown))  # also across cycle ends
    assert len({tuple(c) for c in cycles}) > 10  # and not the same order every cycle


def test_a_photo_that_arrives_is_the_next_feed_photo_shown():
    feed = FakeFeedSource([f"feed/{i}.jpg" for i in range(4)])
    mixed = MixedPhotos(lambda: None, feed, feed_share=1.0, rng=random.Random(3))
    first = [mixed() for _ in range(2)]
    feed.paths = ["feed/new.jpg", *feed.paths]
    assert mixed() == "feed/new.jpg"
    rest = [mixed() for _ in range(2)]
    assert sorted(first + rest) == [f"feed/{i}.jpg" for i in range(4)]  # the cycle goes on


def test_without_feed_photos_every_photo_is_local_and_without_local_ones_the_feed_stands_in():
    mixed = MixedPhotos(local_photos(), FakeFeedSource([]), feed_share=0.9, rng=random.Random(4))
    assert all(mixed().startswith("local/") for _ in range(100))
    only_feed = MixedPhotos(lambda: None, FakeFeedSource(["feed/a.jpg"]), feed_share=0.0)
    assert [only_feed() for _ in range(3)] == ["feed/a.jpg"] * 3
    assert MixedPhotos(lambda: None, FakeFeedSource([]))() is None


def test_a_share_outside_0_to_1_is_a_config_error():
    with pytest.raises(ConfigError, match="feed_share"):
        MixedPhotos(lambda: None, FakeFeedSource([]), feed_share=1.5)
