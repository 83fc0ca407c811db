"""The slowest frames of a run, each explained: its phase times, the time that passed
outside every phase (between the previous swap and this frame's start: the collector, the
scheduler, anything the phases do not see), and what the show did around it.

A histogram says that frames were late; this says which and why, so a max of 133 ms on a
machine where every phase's max is under 20 ms points at once to the time between frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slideshow.pacing.budget import PhaseTimer
from slideshow.pacing.stats import FrameStats

SLOWEST_SHOWN = 5
EVENT_WINDOW_FRAMES = 3  # events this many frames before (and one after) a slow frame


def slowest_frames(stats: FrameStats, phases: PhaseTimer, events: Iterable[tuple[int, str]],
                   count: int = SLOWEST_SHOWN) -> list[dict[str, Any]]:
    """The `count` longest frame intervals, longest first: {frame, at_s, dt_ms,
    phase_ms {name: ms}, outside_ms, events [[frame, text]]}; ms and s to 3 decimals."""
    events = list(events)
    slowest = []
    for row, frame, dt_s, at_s in stats.slowest(count):
        phase_s = phases.frame_s(row)
        nearby = [[at, text] for at, text in events
                  if frame - EVENT_WINDOW_FRAMES <= at <= frame + 1]
        slowest.append({
            "frame": frame,
            "at_s": round(at_s, 3),
            "dt_ms": round(dt_s * 1e3, 3),
            "phase_ms": {name: round(s * 1e3, 3) for name, s in phase_s.items()},
            "outside_ms": round(max(0.0, dt_s - sum(phase_s.values())) * 1e3, 3),
            "events": nearby,
        })
    return slowest


def format_slowest(slowest: list[dict[str, Any]]) -> str:
    """Two or three lines per frame: when and how long, where the time went, what the
    show was doing."""
    lines = ["slowest frames (phase ms; 'outside': before the frame's first phase)"]
    for entry in slowest:
        phase_ms = entry["phase_ms"]
        spent = " ".join(f"{name} {ms:.2f}" for name, ms in phase_ms.items())
        lines.append(f"  frame {entry['frame']} at {entry['at_s']:.3f} s: dt {entry['dt_ms']:.3f} ms")
        lines.append(f"    {spent}  outside {entry['outside_ms']:.2f}")
        if entry["events"]:
            happened = "; ".join(f"{text} (frame {at})" for at, text in entry["events"])
            lines.append(f"    show: {happened}")
    return "\n".join(lines)
