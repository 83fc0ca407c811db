"""Live frame metrics in any run: every `show.perf_every_s` seconds (`--perf [SECONDS]`), one
log line per display with the window's frames/s, dt p50/p99/max, missed vsyncs, garbage
collections, the slowest frame's phase, photos shown/late/failed, worker restarts and the
audio's age; and with `show.perf_json` (`--perf-json FILE`) the same as one JSON object per
display per window, for monitoring and tests.

The app this replaces logged such lines (`[PERF]`); that is how its users found their
87 ms gaps. Here they cost the render thread nothing: it only ever writes into what it
writes anyway (FrameStats' and PhaseTimer's preallocated rows, the show's counters). This
module's thread reads those between frames, computes the window's figures and does all the
formatting and writing; it never takes a lock the render thread takes.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from slideshow.pacing import FrameStats, GcControl, PhaseTimer

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class DisplayCounts:
    """A display's running totals, across its rebuilds."""

    photos_shown: int
    late_photos: int
    failed: int
    worker_restarts: int
    audio_age_ms: float | None  # the newest audio value's age when drawn; None: no audio
    #: The frame-cost governor's running totals and its last frame's scale and cadence
    #: (0, 0, 1.0, 1 when it is off).
    frames_scaled: int = 0
    frames_reduced_cadence: int = 0
    scale: float = 1.0
    cadence: int = 1


@dataclass
class DisplayHealth:
    """What the reporter reads of one display. `counts` is called on the reporter's
    thread and must only read (attributes, integers)."""

    name: str
    stats: FrameStats
    phases: PhaseTimer
    counts: Callable[[], DisplayCounts]
    next_row: int = 0  # the first measured frame of the next window
    missed_before: int = 0  # missed vsyncs up to the window's start
    planned_before: int = 0  # planned repeats up to the window's start
    scaled_before: int = 0  # the governor's totals up to the window's start
    reduced_before: int = 0


class PerfReporter:
    """One thread for every display: wakes every `every_s`, reports each display's window.
    `json_path`: append the windows as JSON lines there too ('' for no file)."""

    def __init__(self, every_s: float, gc_control: GcControl, json_path: str = "",
                 now: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self._gc = gc_control
        self._now = now
        self._started_s = now()
        self._displays: dict[str, DisplayHealth] = {}
        self._lock = threading.Lock()  # the displays' dict: main and render threads add/remove
        # One window at a time: the thread's and a leaving display's (its render thread,
        # after its last frame) would otherwise count the same frames and interleave lines.
        self._report_lock = threading.Lock()
        self._stop = threading.Event()
        self._gc_before = self._gc_counts()
        self._json: io.TextIOBase | None = (open(json_path, "a", encoding="utf-8", buffering=1)
                                            if json_path else None)
        #: Windows reported so far (all displays), for tests and the closing line.
        self.windows = 0
        self._thread = threading.Thread(target=self._run, name="perf", daemon=True)
        self._thread.start()

    def add(self, display: DisplayHealth) -> None:
        display.next_row = display.stats.frames
        display.missed_before = display.stats.missed_vsyncs
        with self._lock:
            self._displays[display.name] = display

    def remove(self, name: str) -> None:
        """Reports what the display ran since its last window, then forgets it."""
        with self._lock:
            display = self._displays.pop(name, None)
        if display is not None:
            self._report([display])

    def close(self) -> None:
        self._stop.set()
        self._thread.join(JOIN_TIMEOUT_S)
        with self._lock:
            remaining = list(self._displays.values())
            self._displays.clear()
        if remaining:
            self._report(remaining)
        with self._report_lock:
            if self._json is not None:
                self._json.close()
                self._json = None

    def report_now(self) -> None:
        """Reports every display's window so far (the thread does this every `every_s`)."""
        with self._lock:
            displays = list(self._displays.values())
        self._report(displays)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.report_now()

    def _gc_counts(self) -> dict[str, float]:
        summary = self._gc.summary()
        return {"collections": summary["collections"], "in_frame": summary["in_frame"],
                "pause_ms": summary["total_pause_ms"]}

    def _gc_window(self) -> dict[str, Any]:
        """The process's collections since the last window (shared by its displays)."""
        now = self._gc_counts()
        window = {key: now[key] - self._gc_before[key] for key in now}
        self._gc_before = now
        return {"collections": int(window["collections"]), "in_frame": int(window["in_frame"]),
                "pause_ms": round(window["pause_ms"], 3)}

    def _report(self, displays: list[DisplayHealth]) -> None:
        with self._report_lock:
            gc_window = self._gc_window()
            for display in displays:
                figures = self._window(display, gc_window)
                if figures is None:
                    continue
                self.windows += 1
                log.info("%s", format_window(figures))
                if self._json is not None:
                    self._json.write(json.dumps(figures) + "\n")

    def _window(self, display: DisplayHealth, gc_window: dict[str, Any]) -> dict[str, Any] | None:
        """The figures of the frames measured since the display's last window (None if none)."""
        start = display.next_row
        dt_s = display.stats.dt_s_since(start)
        if len(dt_s) == 0:
            return None
        display.next_row = start + len(dt_s)
        missed_now, planned_now = display.stats.missed_vsyncs, display.stats.planned_repeats
        missed, planned = missed_now - display.missed_before, planned_now - display.planned_before
        display.missed_before, display.planned_before = missed_now, planned_now
        slowest_row = start + int(np.argmax(dt_s))
        p50, p99 = np.percentile(dt_s * 1e3, [50, 99])
        counts = display.counts()
        scaled = counts.frames_scaled - display.scaled_before
        reduced = counts.frames_reduced_cadence - display.reduced_before
        display.scaled_before = counts.frames_scaled
        display.reduced_before = counts.frames_reduced_cadence
        return {
            "t": round(self._now() - self._started_s, 3),
            "display": display.name or "window",
            "fps": round(len(dt_s) / float(dt_s.sum()), 2),
            "frames": len(dt_s),
            "dt_ms": {"p50": round(float(p50), 3), "p99": round(float(p99), 3),
                      "max": round(float(dt_s.max()) * 1e3, 3)},
            "missed_vsyncs": missed,
            "planned_repeats": planned,
            "governor": {"frames_scaled": scaled, "frames_reduced_cadence": reduced,
                         "scale": round(counts.scale, 3), "cadence": counts.cadence},
            "gc": gc_window,
            "slowest_phase": slowest_phase(display.phases.frame_s(slowest_row),
                                           display.stats.period_s),
            "photos": {"shown": counts.photos_shown, "late": counts.late_photos,
                       "failed": counts.failed},
            "worker_restarts": counts.worker_restarts,
            "audio_age_ms": None if counts.audio_age_ms is None else round(counts.audio_age_ms, 1),
        }


def slowest_phase(phase_s: dict[str, float], period_s: float) -> str:
    """Where a frame's time went. "present" holds the wait for the vsync (or the pacer's
    deadline), so it is the longest phase of nearly every frame: it is named only when it
    took more than a period (a swap that itself came late); otherwise the longest phase
    of the frame's own work."""
    if phase_s.get("present", 0.0) > period_s:
        return "present"
    work = {name: s for name, s in phase_s.items() if name != "present"}
    return max(work, key=work.__getitem__) if work else "present"


def format_window(figures: dict[str, Any]) -> str:
    """One line a person reads at a glance."""
    dt, gc, photos = figures["dt_ms"], figures["gc"], figures["photos"]
    audio = ("" if figures["audio_age_ms"] is None
             else f", audio {figures['audio_age_ms']:.0f} ms old")
    governor = figures["governor"]
    governed = ("" if not (figures["planned_repeats"] or governor["frames_scaled"]) else
                f" ({figures['planned_repeats']} planned repeats; {governor['frames_scaled']} "
                f"frames scaled, {governor['frames_reduced_cadence']} at a reduced cadence)")
    return (f"perf {figures['display']}: {figures['fps']:.1f} fps, dt p50 {dt['p50']:.2f} "
            f"p99 {dt['p99']:.2f} max {dt['max']:.2f} ms, {figures['missed_vsyncs']} missed vsyncs"
            f"{governed}, "
            f"gc {gc['collections']} ({gc['in_frame']} in frames, {gc['pause_ms']:.1f} ms), "
            f"slowest frame in {figures['slowest_phase']}, photos {photos['shown']} shown "
            f"{photos['late']} late {photos['failed']} failed, "
            f"{figures['worker_restarts']} worker restarts{audio}")
