"""How a finished frame reaches the screen, and the timestamp that becomes the clock.

Two orders, one result (docs/architecture.md, timing rule 2):
- blocking vsync: swap, then finish. Drivers that queue frames ahead let a swap return
  before its vsync; waiting for the GPU right after the swap keeps the timestamp on the
  vsync and the queue one frame deep.
- paced (swap does not block: Xvfb, headless, drivers that force vsync off): finish first
  (Mesa's llvmpipe rasterises lazily, inside the swap), wait for the deadline, then swap.
  Waiting *before* the swap makes the timestamps match what an outside observer timing
  the swaps sees; waiting after it hid 26 ms gaps behind a clean-looking p99 in a probe.
The timestamp is taken when the swap returns: that is when the frame is presented.

In "auto" mode the first frames are presented the blocking way while a detector watches
how the frames come; a verdict of "paced" switches to the deadline pacer. Where the surface
says up front that its swap will not wait (`vsync_prior`: glfw reports 0 Hz, as for Xvfb),
the first frame is already paced. Either way the detector keeps watching all run long
and switches the mode when the swaps say otherwise (slideshow/pacing/detect.py says when),
one log line per switch: a wrong verdict at a busy start-up no longer lasts the whole run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from slideshow.pacing.budget import PhaseTimer
from slideshow.pacing.detect import SwapBlockDetector
from slideshow.pacing.pacer import DeadlinePacer

log = logging.getLogger(__name__)

#: `display.vsync`: auto detects whether swap blocks; blocking and paced force one order.
VSYNC_MODES = ("auto", "blocking", "paced")


class Presentable(Protocol):
    """What presenting needs of a surface (slideshow/gpu/surface.py's `Surface` is one)."""

    #: True when swap() can never block (no display at all): detection can be skipped.
    swap_never_blocks: bool
    #: Why the display is expected not to block ("" when nothing says so): the first
    #: verdict is then "paced" at once, and only checked afterwards.
    vsync_prior: str

    def finish(self) -> None:
        """Waits until the GPU has executed every command issued so far."""

    def swap(self) -> None:
        """Presents the frame drawn since the last swap."""

    def set_swap_interval(self, vsyncs: int) -> None:
        """Makes each swap wait for `vsyncs` vsyncs (where the swap blocks at all)."""


class Presenter:
    """Presents frames on a surface and returns each frame's presentation time in seconds."""

    def __init__(self, surface: Presentable, period_s: float, vsync: str = "auto", spin_s: float = 0.001,
                 now: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._surface = surface
        self._now = now
        self._period_s = period_s
        self._spin_s, self._sleep = spin_s, sleep
        self._pacer = DeadlinePacer(period_s, spin_s=spin_s, now=now, sleep=sleep)
        self._detector: SwapBlockDetector | None = None
        if vsync == "auto" and surface.swap_never_blocks:
            vsync = "paced"
        prior = surface.vsync_prior if vsync == "auto" else ""
        if prior:
            self._detector = SwapBlockDetector(period_s, prior="paced")
            self.mode = "paced"
            log.info("%s: presenting paced at %.2f Hz from the first frame, still watching the "
                     "swaps", prior, 1.0 / period_s)
        elif vsync == "auto":
            self._detector = SwapBlockDetector(period_s)
            self.mode = "blocking"
        else:
            self.mode = vsync
            log.info("presenting %s at %.2f Hz (%s)", "on vsync" if vsync == "blocking" else "paced",
                     1.0 / period_s, "nothing to wait for" if surface.swap_never_blocks
                     else "display.vsync")
        self._last_present_s: float | None = None
        self._swap_interval = 1
        #: Seconds spent inside swap (+ finish) in the last frame; paced waits are not included.
        self.last_swap_s = 0.0
        #: Seconds the last frame's finish took (the GPU completing its commands).
        self.last_finish_s = 0.0

    @property
    def settled(self) -> bool:
        """True once the first verdict is in (or the mode was forced, or given by a prior);
        the mode may still switch later, one log line each time."""
        return self._detector is None or self._detector.verdict is not None

    @property
    def swap_cost_s(self) -> float:
        """What the last swap itself took of the next frame's time: paced, the swap (Xvfb
        copies the frame to the X server inside it); 0 where the swap waits for a vsync."""
        return self.last_swap_s if self.mode == "paced" else 0.0

    @property
    def switches(self) -> int:
        """Times the mode changed after the first verdict."""
        return 0 if self._detector is None else self._detector.switches

    def present(self, phases: PhaseTimer | None = None, vsyncs: int = 1) -> float:
        """Presents the frame `vsyncs` vsyncs after the previous one (more than 1: the
        governor's planned reduced cadence); marks the phases "finish" (the GPU completing
        the frame) and "present" (waiting for the vsync or deadline, and the swap) when given."""
        surface, now = self._surface, self._now
        if self.mode == "paced":
            finish_from = now()
            surface.finish()
            self.last_finish_s = now() - finish_from
            if phases is not None:
                phases.mark("finish")
            self._pacer.wait_for_deadline(vsyncs)
            started = now()
            surface.swap()
            present_s = now()
            if phases is not None:
                phases.mark("present")
        else:
            if vsyncs != self._swap_interval:
                surface.set_swap_interval(vsyncs)
                self._swap_interval = vsyncs
            started = now()
            surface.swap()
            if phases is not None:
                phases.mark("present")
            finish_from = now()
            surface.finish()
            present_s = now()
            self.last_finish_s = present_s - finish_from
            if phases is not None:
                phases.mark("finish")
        self.last_swap_s = present_s - started
        if self._detector is not None:
            self._observe(present_s)
        self._last_present_s = present_s
        return present_s

    def _observe(self, present_s: float) -> None:
        detector = self._detector
        assert detector is not None
        before = detector.verdict
        if self._last_present_s is not None:
            detector.observe(self.last_swap_s, present_s - self._last_present_s)
        verdict = detector.verdict
        if verdict is None or verdict == before:
            return
        self.mode = verdict
        how = ("swap blocks on vsync; presenting on vsync" if verdict == "blocking"
               else "swap does not block; presenting paced")
        if before is None:
            log.info("%s at %.2f Hz", how, 1.0 / self._period_s)
            return
        if verdict == "paced":
            # A fresh grid: the old one's deadlines passed while the swap was trusted.
            self._pacer = DeadlinePacer(self._period_s, spin_s=self._spin_s, now=self._now,
                                        sleep=self._sleep)
        log.warning("presentation switched (%s): %s at %.2f Hz", detector.measured(), how,
                    1.0 / self._period_s)
