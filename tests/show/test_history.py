"""The bookkeeping behind the previous key, without threads or processes: the display's
history of shown photos (PhotoHistory) and the order requests go to the workers in
(RequestOrder), with its drop."""

from __future__ import annotations

import logging

from slideshow.show.history import PhotoHistory
from slideshow.workers.request_order import RequestOrder


def shown(history: PhotoHistory, *paths: str) -> PhotoHistory:
    for path in paths:
        history.shown(path)
    return history


def test_back_replays_from_the_photo_before_up_to_the_newest_and_moves_the_cursor():
    history = shown(PhotoHistory(), "a", "b", "c")
    assert history.back() == ["b", "c"]
    assert history.current == "c"  # until the replay reaches the screen
    history.shown("b")
    assert (history.current, history.cursor) == ("b", 1)
    assert history.back() == ["a", "b", "c"]
    shown(history, "a", "b", "c", "d")
    assert history.paths == ("a", "b", "c", "d") and history.current == "d"


def test_back_twice_before_the_replay_arrives_goes_two_back_and_stops_at_the_first():
    history = shown(PhotoHistory(), "a", "b", "c")
    assert history.back() == ["b", "c"]
    assert history.back() == ["a", "b", "c"]
    assert history.back() is None  # nothing before "a"
    history.shown("a")
    assert history.current == "a" and history.back() is None


def test_a_replayed_photo_that_failed_is_stepped_over():
    history = shown(PhotoHistory(), "a", "b", "c", "d")
    history.back()  # from c: "c" could not be decoded again, "d" arrives first
    history.shown("d")
    assert history.cursor == 3 and history.paths == ("a", "b", "c", "d")


def test_history_keeps_the_newest_paths_only():
    history = shown(PhotoHistory(kept=3), "a", "b", "c", "d")
    assert history.paths == ("b", "c", "d") and history.current == "d"
    assert history.back() == ["c", "d"]


def source(paths: list[str]):
    remaining = iter(paths)
    return lambda: next(remaining, None)


def take(order: RequestOrder, count: int) -> list[str]:
    return [order.next((), 1) for _ in range(count)]


def test_firsts_then_retries_then_given_back_then_new():
    order = RequestOrder(source(["n1", "n2", "n3", "n4"]), logging.getLogger("test"))
    assert take(order, 2) == ["n1", "n2"]  # ids 1, 2
    order.ask_first(["f1"])
    order.apply_orders(next_id=3)
    order.retry(["n2"], [2])
    assert take(order, 3) == ["f1", "n2", "n3"]


def test_a_drop_gives_back_the_unshown_source_paths_in_order_not_the_shown_or_asked_ones():
    order = RequestOrder(source(["n1", "n2", "n3", "n4", "n5"]), logging.getLogger("test"))
    order.ask_first(["x"])
    order.apply_orders(next_id=1)
    assert take(order, 4) == ["x", "n1", "n2", "n3"]  # ids 1..4
    order.mark_shown("n1")
    order.ask_first(["n1"], drop_older=True)
    assert order.drop_pending
    order.apply_orders(next_id=5)
    assert not order.drop_pending and order.watermark == 5
    order.retry(["n3"], [4])  # a dead worker's request from before the drop: not again
    assert take(order, 2) == ["n1", "n2"]  # the asked-for one, then the first given back
    order.ask_first(["n1"], drop_older=True)  # again, before n3 was sent again
    order.apply_orders(next_id=7)
    assert take(order, 4) == ["n1", "n2", "n3", "n4"]
