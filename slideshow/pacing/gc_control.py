"""Garbage collection kept out of frames, and every collection measured.

The app this project replaces lost frames to 28 ms gen-2 collections that Python started
in the middle of a frame (docs/architecture.md, timing rule 5). Measured here: a full
collection over about 220k live objects took 22 ms; after `gc.freeze()` it took
microseconds. So, in mode "frame":

- `freeze_after_startup()` collects once and freezes everything that exists after start-up
  (modules, config, GL wrappers) into the permanent generation no collection walks, then
  turns automatic collection off. That switch is process wide: every thread, and any
  library, now relies on `collect_in_slack` to collect cycles.
- `collect_in_slack()`, called by the loop after the swap, collects the young generations
  when `gc.get_count()` says Python would have by now, and only when the frame's slack has
  room for it; a full collection only when one is due and no transition is running (a
  pause during a still photo costs nothing visible).

Mode "python" leaves Python's collector alone (the baseline to compare against) and still
measures. Either way a `gc.callbacks` hook times every collection and attributes it to
inside or outside a frame (`enter_frame` / `leave_frame`). A collection stops every
thread, so with several render threads "inside a frame" means any frame is open.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Any

MODES = ("frame", "python")
# Young garbage left this many times past its threshold is collected even in short slack:
# waiting longer only makes the eventual pause bigger and the memory larger.
_YOUNG_BACKLOG_FACTOR = 20


class GcControl:
    """Collects garbage between frames (mode "frame") and times every collection."""

    def __init__(
        self,
        mode: str = "frame",
        now: Callable[[], float] = time.perf_counter,
        young_min_slack_s: float = 0.001,
        full_min_slack_s: float = 0.004,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"gc mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.young_min_slack_s = young_min_slack_s  # a young collection: well under 1 ms
        self.full_min_slack_s = full_min_slack_s  # a full one after freeze: about a ms
        self._now = now
        self._frames_open = 0
        self._frames_lock = threading.Lock()
        self._started_s = 0.0
        self._collections = 0
        self._in_frame = 0
        self._by_generation = [0, 0, 0]
        self._max_pause_s = 0.0
        self._total_pause_s = 0.0
        self._deferred = 0
        self._froze = False
        self._disabled = False
        gc.callbacks.append(self._on_collection)

    def freeze_after_startup(self) -> None:
        """Freezes what start-up built; in mode "frame" also stops automatic collection."""
        if self.mode != "frame" or self._froze:
            return
        # Not measured: it runs once before the first frame and would only hide the
        # show's own worst pause behind start-up's.
        gc.callbacks.remove(self._on_collection)
        try:
            gc.collect()
        finally:
            gc.callbacks.append(self._on_collection)
        gc.freeze()
        self._froze = True
        if gc.isenabled():
            gc.disable()
            self._disabled = True

    def enter_frame(self) -> None:
        with self._frames_lock:
            self._frames_open += 1

    def leave_frame(self) -> None:
        with self._frames_lock:
            self._frames_open = max(0, self._frames_open - 1)

    def collect_in_slack(self, slack_s: float, transition_active: bool) -> int | None:
        """Collects what is due if `slack_s` has room; returns the generation collected or None.

        Call it after the swap, outside `enter_frame`/`leave_frame`. Mode "python": no-op.
        """
        if self.mode != "frame":
            return None
        young, gen0_runs, gen1_runs = gc.get_count()
        threshold0, threshold1, threshold2 = gc.get_threshold()
        if gen1_runs >= threshold2 and not transition_active and slack_s >= self.full_min_slack_s:
            generation = 2
        elif gen0_runs >= threshold1 and slack_s >= self.young_min_slack_s:
            generation = 1
        elif young >= threshold0 and (
                slack_s >= self.young_min_slack_s or young >= _YOUNG_BACKLOG_FACTOR * threshold0):
            generation = 0
        else:
            if young >= threshold0:
                self._deferred += 1
            return None
        gc.collect(generation)
        return generation

    def summary(self) -> dict[str, Any]:
        """Counts and pauses (ms, 3 decimals) of the collections since construction, except
        the one `freeze_after_startup` runs itself."""
        return {
            "collections": self._collections,
            "in_frame": self._in_frame,
            "max_pause_ms": round(self._max_pause_s * 1e3, 3),
            "total_pause_ms": round(self._total_pause_s * 1e3, 3),
            "gen0": self._by_generation[0],
            "gen1": self._by_generation[1],
            "gen2": self._by_generation[2],
            "deferred": self._deferred,  # frames whose slack was too short for due garbage
        }

    def close(self) -> None:
        """Removes the hook and gives the collector back as it was found; safe to repeat."""
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        if self._disabled:
            gc.enable()
            self._disabled = False
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def __enter__(self) -> GcControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Runs inside the collector: keep it to a few stores, and never raise.
        if phase == "start":
            self._started_s = self._now()
            return
        pause_s = self._now() - self._started_s
        self._collections += 1
        self._by_generation[min(2, info.get("generation", 2))] += 1
        self._total_pause_s += pause_s
        self._max_pause_s = max(self._max_pause_s, pause_s)
        if self._frames_open > 0:
            self._in_frame += 1
