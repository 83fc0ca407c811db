"""Pacing: the vsync clock and everything measured against it.

Pure logic with time injected (no GL, no window): the clock that counts refresh periods
(`VsyncClock`), the detector that finds a swap that does not block and keeps checking
its verdict all run long (`SwapBlockDetector`)
and the pacer that stands in for vsync there (`DeadlinePacer`), the frame's time budget
and phase timings (`FrameBudget`, `PhaseTimer`), frame statistics (`FrameStats`) and
garbage collection kept out of frames (`GcControl`). Every part is tested by hand-stepping
`slideshow.pacing.fake_time.FakeTime`, which the loop's tests can use too.
"""

# numpy 2 imports numpy.ma the first time np.median runs: 15 ms here and 80 ms on a GPU
# machine's first run, and the clock's first refinement (frame 17) is inside the loop, in
# the time between two frames. Imported now, at start-up, it costs no frame anything.
import numpy.ma  # noqa: F401

from slideshow.pacing.budget import FrameBudget, PhaseTimer
from slideshow.pacing.clock import FrameTick, VsyncClock
from slideshow.pacing.detect import SwapBlockDetector
from slideshow.pacing.gc_control import GcControl
from slideshow.pacing.pacer import DeadlinePacer
from slideshow.pacing.stats import FrameStats

__all__ = [
    "DeadlinePacer",
    "FrameBudget",
    "FrameStats",
    "FrameTick",
    "GcControl",
    "PhaseTimer",
    "SwapBlockDetector",
    "VsyncClock",
]
