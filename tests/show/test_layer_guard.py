"""The optional layers' error policy (slideshow/show/layer_guard.py), by itself: the first
failure with its traceback, then counted one-liners, then off with one more line."""

from __future__ import annotations

import logging

from slideshow.show.layer_guard import LayerGuard


def raise_value_error(text: str) -> ValueError:
    try:
        raise ValueError(text)
    except ValueError as exc:
        return exc


def test_first_failure_has_its_traceback_later_ones_are_counted_then_the_layer_is_off(caplog):
    switched_off = []
    guard = LayerGuard("visualizer", "HDMI-1", max_errors=3, on_off=lambda: switched_off.append(1))
    with caplog.at_level(logging.ERROR, logger="slideshow.show.layer_guard"):
        for index in range(5):  # the caller stops calling once it is off; extra reports count
            guard.failed(raise_value_error(f"bad band {index}"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "display HDMI-1: the visualizer failed; it is switched off after 3 errors"
    assert caplog.records[0].exc_info is not None and caplog.records[0].exc_info[1].args == ("bad band 0",)
    assert lines[1] == "display HDMI-1: the visualizer failed again (2 of 3): ValueError: bad band 1"
    assert lines[2] == "display HDMI-1: the visualizer failed again (3 of 3): ValueError: bad band 2"
    assert lines[3] == "display HDMI-1: the visualizer is off for the rest of the run; the show goes on"
    assert all(record.exc_info is None for record in caplog.records[1:])
    assert switched_off == [1]  # told once, however many failures follow
    assert guard.on is False and guard.errors == 5


def test_a_guard_without_failures_stays_on_and_quiet(caplog):
    guard = LayerGuard("captions")
    with caplog.at_level(logging.DEBUG):
        assert guard.on and guard.errors == 0
    assert caplog.records == []
    assert guard.display == "window"  # a plain window or headless has no monitor name
