"""When this process was launched, on the clock the frame loop reads (`time.perf_counter`),
for `first_photo_s`: launch to the present of the first frame showing a photo.

The launch is the process's start time as Linux keeps it, field 22 of /proc/self/stat: set
when the process was forked (an exec keeps it, so a launcher script that execs Python is
timed from its own fork, as a screensaver host forks it), counted in clock ticks since
boot on CLOCK_BOOTTIME. It is the earliest moment that is the program's own and the only
one a process can read about itself; it comes in ticks (10 ms at USER_HZ 100), rounded
down, so a figure measured from it is up to one tick longer than the truth, never shorter.
It is moved onto the loop's clock by reading CLOCK_BOOTTIME and that clock back to back:
they differ only by time suspended, which start-up does not span.

Where there is no /proc (macOS, Windows) the launch is unknown and `launch_time_s` says None.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

STAT_PATH = Path("/proc/self/stat")
_START_TIME_FIELD = 22  # 1-based, as proc(5) counts; the fields after the ")" of comm start at 3


def _boottime_s() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def start_ticks(stat_text: str) -> int:
    """The start time field of a /proc/PID/stat line, in clock ticks since boot. The
    command name (field 2) may hold spaces and parentheses: fields are counted after its
    last ")"."""
    after_comm = stat_text.rsplit(")", 1)[1].split()
    return int(after_comm[_START_TIME_FIELD - 3])


def launch_time_s(now: Callable[[], float] = time.perf_counter,
                  boottime: Callable[[], float] | None = None,
                  stat_path: Path = STAT_PATH) -> float | None:
    """The launch of this process on the `now` clock, or None where the OS does not say.
    Reads a file: call it at start-up, never in a frame."""
    if boottime is None:
        if not hasattr(time, "CLOCK_BOOTTIME"):
            return None
        boottime = _boottime_s
    try:
        ticks = start_ticks(stat_path.read_text())
    except (OSError, IndexError, ValueError):
        return None
    age_s = boottime() - ticks / os.sysconf("SC_CLK_TCK")
    return now() - age_s
