"""The frame loop of one display: poll, drain, upload, update, draw, present, record.

Vsync is the only clock. Every frame ends in `Presenter.present()`, which blocks on the
vsync (or the deadline pacer standing in for it) and returns the presentation time; the
VsyncClock turns that into whole refresh periods, and the scene is stepped once per period
that passed (capped), so animation time is frame N x period and never replays stale time.
Nothing else here waits: inputs are drained from shared memory, uploads are budgeted, and
the garbage collector runs only in the slack after the swap.

Before the draw, the display's frame-cost governor (slideshow/pacing/governor.py) plans the
frame from what the scene shows (`Scene.motion`): the scale a moving frame is drawn at, and
how many vsyncs after the previous frame it is presented (a steady half or third rate where
nothing smaller fits). The presenter waits that many vsyncs, the clock counts them as
planned rather than missed, and the scene is stepped by as many periods; after the present
the governor learns what the frame cost (`CostSource`).

The error policy of a frame, in two parts:
- The core (this loop, the photo's upload and compose, the photo pass, presenting): an
  exception ends the run. `run` raises one `FrameError` naming the display, the frame
  number (counted from 0) and the phase it happened in, chained to the original; the CLI
  prints it as one line (the traceback is in the log at `--log-level debug`). A broken core
  cannot be drawn around: carrying on would show a frozen or corrupt picture.
- The optional layers (the visualizer, captions and notices, Ken Burns motion, and any
  later overlay) guard themselves with `slideshow/show/layer_guard.py`: the first failure
  is logged with its traceback, later ones as counted one-liners, and after a few the
  layer switches itself off while the photos go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from slideshow.errors import FrameError
from slideshow.pacing import FrameBudget, FrameStats, GcControl, PhaseTimer, VsyncClock
from slideshow.pacing.governor import FULL_PLAN, FrameGovernor, FramePlan
from slideshow.pacing.presenter import Presenter

if TYPE_CHECKING:  # the loop draws through the interface; importing it would load moderngl
    from slideshow.gpu.surface import Surface

# "finish": the GPU completing the frame's commands; "present": waiting for the vsync (or
# the pacer's deadline) and the swap. In blocking mode present comes before finish.
PHASES = ("poll", "drain", "upload", "update", "draw", "finish", "present")
SLACK_MARGIN_S = 0.001
# An ordinary frame's work before its draw (poll, drain, the upload's budget, the steps),
# which the governor's costs already hold; more than this is work it did not foresee.
PRE_DRAW_MODELLED_MS = 2.0
# Paced, the swap (Xvfb's copy of the frame) happens after the deadline, so it takes its
# time from the next frame's slot: each frame's cost holds a typical one (its own swap);
# what the last swap took beyond that typical time is gone from the next frame's budget.
# The typical swap: an average that moves this far towards each swap's time.
SWAP_TYPICAL_RATE = 0.05


class Scene(Protocol):
    """What the loop draws; the loop owns timing, the scene owns content."""

    @property
    def transition_active(self) -> bool: ...

    @property
    def motion(self) -> str:
        """What moves in the next frame: a transition's name, "ken-burns", or a still photo,
        which the governor never scales: "" (STILL), or the step of the next photo's way
        in that the frame carries (slideshow/pacing/governor.py's STILL_STEPS)."""

    def drain(self, budget: FrameBudget) -> None:
        """Takes inputs that are ready (decoded photos, audio values) without waiting."""

    def upload(self, budget: FrameBudget) -> None:
        """Moves pending pixels towards the GPU within the frame's remaining budget."""

    def step(self, dt_s: float) -> None:
        """Advances the simulation by one fixed step of one refresh period."""

    def draw(self, scale: float = 1.0) -> None:
        """Draws the current state; what moves at `scale` of the display's size, upscaled."""

    def prepare_in_slack(self, slack_s: float) -> None:
        """After the present, while no transition runs: prepares what later frames need
        (transitions compiled and warmed up), only what fits `slack_s` seconds."""


class CostSource(Protocol):
    """What frames cost, for the governor: slideshow/pacing/frame_cost.py's measured finish
    time, or slideshow/gpu/frame_timer.py's timer queries (read frames later)."""

    def begin(self, frame: int) -> None:
        """Before frame `frame`'s draw."""

    def end(self) -> None:
        """After its draw."""

    def samples(self, frame_ms: float) -> list[tuple[int, float]]:
        """(frame, cost ms) of frames whose cost is known now; `frame_ms` is the frame just
        presented's time from its start to the GPU finishing it."""


class FrameLoop:
    def __init__(self, surface: Surface, scene: Scene, presenter: Presenter, clock: VsyncClock,
                 stats: FrameStats, phases: PhaseTimer, gc: GcControl,
                 now: Callable[[], float] = time.perf_counter, display: str = "",
                 governor: FrameGovernor | None = None, cost: CostSource | None = None) -> None:
        self.surface, self.scene, self.presenter = surface, scene, presenter
        self.display = display or "window"
        self.clock, self.stats, self.phases, self.gc = clock, stats, phases, gc
        self.governor, self.cost = governor, cost
        self.budget = FrameBudget(now=now)
        self._now = now
        self._steps = 1
        self._work_s = 0.0  # the last frame's CPU-side work before present, in seconds
        self._present_s: float | None = None  # when the last frame was presented
        self._unforeseen_ms = 0.0  # the last frame's work before its draw, beyond the modelled
        self._swap_typical_ms: float | None = None  # paced: what a swap takes, typically
        self._swap_late_ms = 0.0  # paced: what the last swap took beyond that
        self._was_settled = False
        #: Frames presented, and frames measured (those after the presentation mode settled).
        self.frames = 0
        self.measured_frames = 0
        #: The phase the frame is in (one of PHASES, "record" after present): an error's
        #: message names it.
        self.phase = PHASES[0]

    def run(self, keep_going: Callable[[], bool]) -> None:
        """Runs frames until the surface wants to close or `keep_going()` says stop.
        An exception from a frame ends the run as a FrameError (the module says why)."""
        while keep_going() and not self.surface.should_close():
            try:
                self.run_frame()
            except Exception as exc:
                if self.phase != "record":  # the frame is still open for the collector
                    self.gc.leave_frame()
                raise FrameError(f"display {self.display}: frame {self.frames} failed in its "
                                 f"{self.phase} phase: {type(exc).__name__}: {exc}") from exc

    def run_frame(self) -> None:
        phases, scene = self.phases, self.scene
        self.gc.enter_frame()
        started_s = self._now()
        phases.begin_frame()
        self.phase = "poll"
        self.surface.poll()
        phases.mark("poll")
        self.phase = "drain"
        scene.drain(self.budget)
        phases.mark("drain")
        self.phase = "upload"
        scene.upload(self.budget)
        phases.mark("upload")
        self.phase = "update"
        for _ in range(self._steps):
            scene.step(self.clock.period_s)
        phases.mark("update")
        self.phase = "draw"
        # What the slack work after the last swap (a collection, a transition made ready)
        # and a slow swap (paced) took of this frame's budget, and this frame's own work so
        # far beyond an ordinary frame's (the first photo's whole upload and compose): the
        # governor plans around it.
        spent_ms = 0.0 if self._present_s is None else max(0.0, started_s - self._present_s) * 1e3
        spent_ms += self._swap_late_ms
        self._unforeseen_ms = max(0.0, (self._now() - started_s) * 1e3 - PRE_DRAW_MODELLED_MS)
        spent_ms += self._unforeseen_ms
        plan = (FULL_PLAN if self.governor is None
                else self.governor.plan(self.frames, scene.motion, spent_ms))
        self.surface.use()
        if self.cost is not None:
            self.cost.begin(self.frames)
        scene.draw(plan.scale)
        if self.cost is not None:
            self.cost.end()
        phases.mark("draw")
        self._work_s = self._now() - started_s
        self.phase = "present"  # the presenter marks finish and present itself
        present_s = self.presenter.present(phases, plan.cadence)
        self.gc.leave_frame()
        self.phase = "record"
        self._record(present_s, plan)

    def _record(self, present_s: float, plan: FramePlan = FULL_PLAN) -> None:
        self._present_s = present_s
        self._watch_swap(self.presenter.swap_cost_s * 1e3)
        tick = self.clock.tick(present_s, plan.cadence)
        if self.governor is not None and self.cost is not None:
            # What the frame took of its budget: its work, the GPU finishing it, and (paced)
            # the swap, after which the next frame starts; less the unforeseen work before
            # its draw, which its plan already counted as spent (and the model is not for).
            presenter = self.presenter
            frame_ms = ((self._work_s + presenter.last_finish_s + presenter.swap_cost_s) * 1e3
                        - self._unforeseen_ms)
            for frame, cost_ms in self.cost.samples(frame_ms):
                self.governor.observe(frame, cost_ms)
        self._steps = tick.steps
        self.frames += 1
        # Frames before the presentation mode is final (and the first one after, whose
        # interval spans the switch) are not measured; PhaseTimer redoes an unended frame.
        if self._was_settled:
            self.stats.record(tick)
            self.phases.end_frame()
            self.measured_frames += 1
        self._was_settled = self.presenter.settled
        self.clock.refining = self.presenter.mode == "blocking"
        period_s = self.clock.period_s
        self.budget.start(present_s, present_s + period_s)
        # The slack after the swap: what the next frame's work (guessed from this frame's,
        # the GPU's finishing included, with a margin) leaves of the period. Only that may
        # go to the garbage collector. (Without the finish, on llvmpipe, where finishing is
        # the frame's rasterising, a preparation step "fitting" the slack made the next
        # frame late in 8 of 38 steps.)
        next_frame_s = 1.5 * (self._work_s + self.presenter.last_finish_s)
        slack_s = period_s - next_frame_s - SLACK_MARGIN_S
        self.gc.collect_in_slack(slack_s, self.scene.transition_active)
        if not self.scene.transition_active:
            # What the collector left of the slack goes to the scene's preparation.
            self.scene.prepare_in_slack(self.budget.remaining_s() - next_frame_s - SLACK_MARGIN_S)

    def _watch_swap(self, swap_ms: float) -> None:
        """Learns what a paced swap typically takes (0 where the swap waits for a vsync),
        and how much the last one took beyond it."""
        typical = self._swap_typical_ms
        typical = swap_ms if typical is None else typical + SWAP_TYPICAL_RATE * (swap_ms - typical)
        self._swap_typical_ms = typical
        self._swap_late_ms = max(0.0, swap_ms - typical)
