"""What a run reports: one `RunReport` per display, gathered in a `ShowReport` with the
reason the show ended. `slideshow bench` prints and writes them; `slideshow show` prints a
line per display. Plain data: nothing here measures or draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunReport:
    """What one display's run measured; `slideshow bench` prints and writes it."""

    seconds: float
    refresh_hz: float
    vsync: str
    size: tuple[int, int]
    surface: str
    renderer: str
    frames: dict[str, Any]
    histogram: list[tuple[float, float, int]]
    chart: str
    phase_ms: dict[str, dict[str, float]]
    gc: dict[str, Any]
    show: dict[str, Any] = field(default_factory=dict)
    audio: dict[str, Any] = field(default_factory=dict)
    #: What the frame-cost governor did (slideshow/pacing/governor.py's `summary`).
    governor: dict[str, Any] = field(default_factory=dict)
    #: The slowest frames, explained (slideshow/pacing/slow_frames.py).
    slowest: list[dict[str, Any]] = field(default_factory=list)
    #: The last frame drawn, (height, width, 4) uint8 top row first, when asked for.
    last_frame: Any = None
    #: Which display: its monitor's name ("" for a plain window or headless).
    display: str = ""
    #: Every measured frame: {"frame": [the loop's frame index...], "dt_ms": [...]}.
    timeline: dict[str, list[Any]] = field(default_factory=dict)
    #: What the show did, as [frame index, text] (photo taken, transition begins, ...);
    #: the most recent ones of each build (slideshow/show/timeline.py keeps a bounded log).
    events: list[tuple[int, str]] = field(default_factory=list)
    #: Seconds from the process's launch (slideshow/pacing/launch.py) to the present of the
    #: first frame that showed a photo, and that frame's index; None when no photo was
    #: shown (or, for the seconds, where the launch is unknown).
    first_photo_s: float | None = None
    first_photo_frame: int | None = None


@dataclass
class ShowReport:
    """What a run did: one report per display, and why it ended."""

    displays: list[RunReport] = field(default_factory=list)
    #: "done" (seconds or frames), "key", "input", "window closed", "parent gone",
    #: "no monitor", "interrupted" or "terminated".
    exit_reason: str = "done"
    #: Seconds from the input that ended the show to every display closed (or None).
    exit_s: float | None = None
