"""Fixtures of the run/ tests: real input through XTEST, with the pointer parked away from
the show's windows before they open (its first motion would otherwise land on one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.x11 import XTestInput, XTestKeys


@pytest.fixture
def xtest() -> Iterator[XTestInput]:
    events = XTestInput()
    events.move(1000, 700)  # away from the show's windows, before they open
    yield events
    events.close()


@pytest.fixture
def keys() -> Iterator[XTestKeys]:
    events = XTestKeys()
    events.move(1000, 700)  # away from the show's windows, before they open
    yield events
    events.close()
