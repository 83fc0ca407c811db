"""The frame-cost governor: before a frame is drawn, what it will cost, and how to draw it
so that it is presented on its vsync.

Each display has one. The loop asks it for a `FramePlan` after the update and before the
draw (`plan`), and hands it what each frame really cost once that is known (`observe`,
possibly a frame or two later: GPU timer queries are read without waiting). What it
decides, in this order (issue 13):

1. **Scale.** A moving frame (a transition, Ken Burns motion: the `motion` the scene
   names) may be drawn into an offscreen target at `scale` of the display's width and
   height, then upscaled. A still photo (`STILL`) is always drawn at full size. The scale
   is the largest that makes the predicted frame fit its budget (the share HEADROOM of the
   vsyncs it has, or less where frames have come further above their predictions: the
   learned spread, SPREAD_KEPT); it drops at once when the
   cost says so and rises at most MAX_RISE a frame, so a transition whose cost is not known
   yet (no calibration, few samples: the model is unsure) starts low and rises.
2. **Cadence.** When not even `min_scale` fits one period, the motion runs at a steady
   half (or third) rate: each frame presented `cadence` vsyncs after the previous one and
   the animation stepped by as many periods. It is chosen when a motion begins and kept
   until it ends (steady: no frame-to-frame flapping), raised only where the prediction
   at `min_scale` (its estimate, or the learned spread, grew mid-motion) or the frames
   themselves keep overrunning their budget; never lowered within the motion.
3. **Limits.** A motion that does not fit even at a third of the rate and `min_scale`
   (DROP_AFTER checks in a row; against HEADROOM alone, not the learned spread: what it
   costs decides, not how busy the machine is now) is reported through `on_drop` (once per
   name): the deck leaves that transition out of its pool (`pacing.governor_drop`).
4. **Planned holds.** A still frame whose budget went to work in the slack after the last
   swap, one carrying a step of the next photo's way in (STILL_STEPS: learned apart), and
   a motion's first frame (first draws cost more: learned apart), are presented up to
   MAX_HOLD vsyncs later when they would not fit: the still photo before them stays on
   screen longer by plan instead of a vsync being missed by surprise.

The cost model (`CostModel`), per display and per size, in milliseconds:

    moving frame at scale s = still + upscale (when s < 1) + s^2 * motion[name]

`still` is what a still frame costs (everything but the moving pass: input, uploads, the
held photo, the overlays), learned from still frames; `motion[name]` the moving pass at
full size, learned from the moving frames by subtracting the rest, and seeded by a
calibration draw when a transition becomes ready (slideshow/gpu/transition_deck.py);
`upscale` the filtered upscale, timed once at start and then learned with the rest. The
estimates rise fast and fall slowly (an asymmetric average that sits near a high
percentile of the samples; one sample counts for at most OUTLIER times its prediction): a
frame under-predicted is a missed vsync, one over-predicted only a little less sharpness. The
model is saved per renderer and size in the cache folder (slideshow/pacing/cost_cache.py),
so the next start's first transition is drawn at the right scale at once.

Pure logic with injected time, no GL: the cost sources are slideshow/pacing/frame_cost.py
(a frame's measured finish time) and slideshow/gpu/frame_timer.py (GL timer queries); the
scaled drawing is slideshow/gpu/scaled_target.py.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: `pacing.governor`: auto predicts and adapts moving frames; off draws everything full.
GOVERNOR_MODES = ("auto", "off")
#: `pacing.cadence`: auto may run a transition at a half or third rate; full never does.
CADENCE_MODES = ("auto", "full")
STILL = ""  # the motion of a frame that shows a still photo: never scaled
# A still photo's frame that also carries a step of the next photo's way in: its texture
# upload (copied out of the PBO by the GPU, on llvmpipe 6-10 ms at 1280x720 in that
# frame's finish) or a strip of its compose. Never scaled either; each learned apart, as
# the extra it costs over a still frame, so its frame is held a vsync longer by plan
# where that extra will not fit (a plain still's estimate missed 7 vsyncs a minute so).
UPLOAD_STEP = "still:upload"
COMPOSE_STEP = "still:compose"
STILL_STEPS = (UPLOAD_STEP, COMPOSE_STEP)
MAX_CADENCE = 3
# A still photo held on screen by plan (its frame, or the one before a motion's first, will
# not fit a period): up to this many vsyncs. A transition made ready in a held frame once
# took 57 ms of a 60 Hz budget here: held 3 vsyncs, it still missed one.
MAX_HOLD = 6
SCALE_STEP = 1.0 / 32.0  # scales are multiples of this: geometry targets reallocate rarely
# The share of a budget a predicted frame may fill: the model's error, the pacer's spin
# and the swap itself live in the rest.
HEADROOM = 0.85
RESERVE_MS = 1.0  # besides HEADROOM: the swap and the pacer's spin
UNSURE_SAMPLES = 4  # a motion with fewer samples (a calibration counts as one) is unsure ...
UNSURE_FACTOR = 1.5  # ... and predicted this much dearer: its first frames start low and rise
RISE = 0.5  # an estimate moves this far towards a sample above it ...
FALL = 0.03  # ... and this far towards one below it: it sits near the 95th percentile
MAX_RISE = 0.125  # a motion's scale rises at most this much a frame (it drops at once)
STILL_RISE = 0.2  # the still frames' estimate rises less readily than a motion's (an upload
STILL_FALL = 0.02  # strip or a compose step is a spike, not the norm) and falls as slowly
OUTLIER = 2.0  # a sample above this many times its prediction counts as this many
DROP_AFTER = 6  # checks in a row that find a motion fitting no way before it is dropped
OVERRUNS_TO_SLOW = 3  # frames over their budget in a row (at min_scale) before the cadence rises
PLANS_KEPT = 16  # plans remembered for samples that come back late (timer queries)
# How far above its prediction a moving frame may come, learned: the largest cost /
# prediction of the last SPREAD_KEPT moving frames (worked out again every SPREAD_EVERY),
# from SPREAD_MIN_SAMPLES on, within [1 / HEADROOM, OUTLIER]; a ratio above OUTLIER is a
# stall (the X server, a page fault storm), not the spread. A frame's budget leaves that
# much room, and the model keeps it for the next start, where it counts beside the window's
# ratios, fading out over the first SPREAD_SEED_KEPT new ones (kept whole, it ratcheted up
# run after run to 2.0 at 1920x1080, whose short runs held fewer). On a quiet GPU it stays
# at 1 / HEADROOM; on this 2-core machine under llvmpipe, with the image decodes and the X
# server on the other core, a frame came up to 1.4 times its prediction once in a hundred
# and 1.6 once in a thousand: with a fixed HEADROOM those made 5-9 unplanned misses a
# minute, with the 99.5th percentile still 5-7 (a thousand moving frames a minute). The
# largest of N ratios is passed by about one of the next N: over 512 that was still 1-3
# misses a minute; over SPREAD_KEPT, about two minutes of moving frames, one in two minutes.
SPREAD_KEPT = 2048
SPREAD_SEED_KEPT = 512
SPREAD_EVERY = 32
SPREAD_MIN_SAMPLES = 64
ERRORS_KEPT = 4096  # prediction errors kept for the report (the newest)
# The show's first seconds are the busiest the machine will be: workers importing and
# decoding, the shader warmer compiling, the X server making windows. Frames then came up
# to 1.9 times their predictions here, every start. For this long from its first plan the
# display's governor (start_s) leaves the most room, OUTLIER, in every budget (still photos
# held a vsync longer, the first fade drawn smaller or at half rate), and learns no spread.
START_S = 3.0


def is_still(motion: str) -> bool:
    """Whether a frame of `motion` shows a still photo (with or without a step of the next
    photo's way in): drawn at full size, its cadence chosen frame by frame."""
    return motion == STILL or motion in STILL_STEPS


@dataclass(frozen=True)
class GovernorSettings:
    """The `[pacing]` governor settings (slideshow/config.py says what each does)."""

    enabled: bool = True
    min_scale: float = 0.5
    steady_cadence: bool = True
    drop: bool = True


@dataclass(frozen=True, slots=True)
class FramePlan:
    """How to draw one frame: at `scale` (1: full size), presented `cadence` vsyncs after
    the previous frame; `predicted_ms` is what the model expects it to cost."""

    frame: int
    motion: str
    scale: float
    cadence: int
    predicted_ms: float
    #: The first frame of a motion (its cost is learned apart: first draws cost more).
    first: bool = False
    #: Of the budget, what was gone before the frame began (work in the slack after the
    #: previous swap: a collection, a transition made ready).
    spent_ms: float = 0.0
    #: Whether the prediction came from a motion known well enough (UNSURE_SAMPLES).
    sure: bool = True
    #: Planned in the show's first seconds (start_s): with the most room, no spread learnt.
    starting: bool = False


FULL_PLAN = FramePlan(-1, STILL, 1.0, 1, 0.0)


@dataclass
class MotionCost:
    """One moving pass: its cost at full size, and how many samples made it."""

    full_ms: float
    samples: int = 0


@dataclass
class CostModel:
    """What frames cost on one display (see the module docstring); milliseconds."""

    still_ms: float | None = None
    upscale_ms: float = 0.0
    motions: dict[str, MotionCost] = field(default_factory=dict)
    #: What an unknown motion is guessed to cost at full size when none is known.
    period_ms: float = 1000.0 / 60.0
    #: What a motion's first frame costs beyond its others (seen on llvmpipe: 1.3-1.8 x).
    first_extra_ms: float = 0.0
    #: How far above their predictions moving frames come (the governor's SPREAD_KEPT).
    spread: float = 1.0 / HEADROOM

    def predict(self, motion: str, scale: float) -> tuple[float, bool]:
        """(predicted ms, sure) for a frame of `motion` at `scale`."""
        still = self.still_ms or 0.0
        if motion == STILL:
            return still, self.still_ms is not None
        known = self.motions.get(motion)
        if known is None:
            # Never seen: as dear as the dearest known one (else a whole period's work at
            # full size), and unsure.
            full_ms = max((m.full_ms for m in self.motions.values()), default=self.period_ms)
            sure = False
        else:
            full_ms, sure = known.full_ms, known.samples >= UNSURE_SAMPLES
        if not sure:
            full_ms *= UNSURE_FACTOR
        upscale = self.upscale_ms if scale < 1.0 else 0.0
        return still + upscale + scale * scale * full_ms, sure

    def learn(self, motion: str, scale: float, cost_ms: float) -> None:
        """Takes one measured frame. A sample counts for at most OUTLIER times the
        prediction: one stall (the X server, a page fault storm) is not what the pass
        costs, while a GPU that really got slower doubles the estimate a frame or two."""
        predicted, _ = self.predict(motion, scale)
        if self.still_ms is not None and math.isfinite(predicted) and predicted > 0:
            cost_ms = min(cost_ms, OUTLIER * predicted)
        if motion == STILL:
            # Near a high percentile too: under Xvfb a still frame's copy to the X server
            # made it cost 12-33 ms here, and a mean planned too many of them into a miss.
            if self.still_ms is None:
                self.still_ms = cost_ms
            else:
                rate = STILL_RISE if cost_ms > self.still_ms else STILL_FALL
                self.still_ms += rate * (cost_ms - self.still_ms)
            return
        moving_ms = max(0.0, cost_ms - (self.still_ms or 0.0))
        upscale = self.upscale_ms if scale < 1.0 else 0.0
        known = self.motions.get(motion)
        if known is None or known.samples == 0:
            self.motions[motion] = MotionCost(max(0.0, moving_ms - upscale) / (scale * scale), 1)
            return
        # The error is shared between the pass and the upscale in proportion to what each
        # was predicted to cost: the upscale, the same for every motion, is learned from
        # all of them (a figure timed at start, on a busy machine, was twice the truth).
        pass_ms = scale * scale * known.full_ms
        error = moving_ms - upscale - pass_ms
        rate = RISE if error > 0 else FALL
        upscale_share = upscale / (upscale + pass_ms) if upscale + pass_ms > 0 else 0.0
        self.upscale_ms = max(0.0, self.upscale_ms + rate * error * upscale_share)
        known.full_ms = max(0.0, known.full_ms + rate * error * (1.0 - upscale_share)
                            / (scale * scale))
        known.samples += 1

    def learn_first(self, motion: str, scale: float, cost_ms: float) -> None:
        """Takes a motion's first frame: what it cost beyond the motion's other frames."""
        extra = max(0.0, cost_ms - self.predict(motion, scale)[0])
        rate = RISE if extra > self.first_extra_ms else FALL
        self.first_extra_ms += rate * (extra - self.first_extra_ms)

    def seed(self, motion: str, scale: float, cost_ms: float) -> None:
        """A calibration draw of the moving pass alone at `scale` took `cost_ms`: the
        motion's first sample (a measured one, when it has some, is kept)."""
        known = self.motions.get(motion)
        if known is None or known.samples == 0:
            self.motions[motion] = MotionCost(cost_ms / (scale * scale), 1)

    def to_dict(self) -> dict[str, Any]:
        return {"still_ms": self.still_ms, "upscale_ms": self.upscale_ms,
                "first_extra_ms": self.first_extra_ms, "spread": round(self.spread, 4),
                "motions": {name: [round(m.full_ms, 4), m.samples]
                            for name, m in sorted(self.motions.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CostModel:
        """The model saved by `to_dict`; raises ValueError (KeyError, TypeError) on a bad one."""
        still = data["still_ms"]
        model = cls(None if still is None else float(still), float(data["upscale_ms"]))
        model.first_extra_ms = max(0.0, float(data.get("first_extra_ms", 0.0)))
        spread = float(data.get("spread", model.spread))
        if not 1.0 / HEADROOM - 1e-3 <= spread <= OUTLIER:
            raise ValueError(f"bad spread {spread!r}")
        model.spread = max(1.0 / HEADROOM, spread)
        for name, (full_ms, samples) in data["motions"].items():
            if not (math.isfinite(float(full_ms)) and int(samples) >= 0):
                raise ValueError(f"bad cost for {name!r}")
            # Trusted as it was: a GPU slower today shows in the first frames, whose costs
            # move the estimate up at once (RISE), and in overruns (the cadence rises).
            model.motions[str(name)] = MotionCost(float(full_ms), int(samples))
        return model


class FrameGovernor:
    """Plans each frame of one display from the cost model (see the module docstring).

    `on_drop(name, cost_ms, scale)`: a motion fits neither way (called once per name, with
    `settings.drop` on or off: the caller leaves it out of the pool, or logs that it stays).
    `start_s`: how long from the first plan budgets leave the most room (START_S for a
    show's display). `now`: the clock the governor's own cost is measured with."""

    def __init__(self, period_s: float, settings: GovernorSettings = GovernorSettings(),
                 model: CostModel | None = None, size: tuple[int, int] = (0, 0),
                 on_drop: Callable[[str, float, float], None] | None = None,
                 start_s: float = 0.0, now: Callable[[], float] = time.perf_counter) -> None:
        if not 0.0 < settings.min_scale <= 1.0:
            raise ValueError(f"min_scale must be in (0, 1], got {settings.min_scale!r}")
        self.period_ms = period_s * 1e3
        self.settings = settings
        self.model = model or CostModel()
        self.model.period_ms = period_s * 1e3
        self.size = size
        self._on_drop = on_drop
        self._now = now
        self._min_scale = _quantised(settings.min_scale)
        self._motion = STILL  # the motion of the last plan
        self._cadence = 1  # the cadence of the motion running
        self._cadence_sure = True  # whether it was chosen from a sure prediction
        self._scale = 1.0  # the last moving frame's scale
        self._overruns = 0
        self._plans: dict[int, FramePlan] = {}
        #: The last plan's scale and cadence, for the HUD and the perf lines (read from
        #: their threads: a float and an int, written once a frame).
        self.last_scale, self.last_cadence = 1.0, 1
        #: Motions that fit no way (each reported once through on_drop), and those of them
        #: dropped (pacing.governor_drop): name -> (cost ms, scale).
        self.too_slow: set[str] = set()
        self._no_way: dict[str, int] = {}  # checks in a row that found the motion fitting no way
        self.dropped: dict[str, tuple[float, float]] = {}
        # Figures for the report.
        self.frames_scaled = 0
        self.frames_reduced_cadence = 0
        self._scales = _Samples(ERRORS_KEPT)
        self._errors_ms = _Samples(ERRORS_KEPT)
        self._own_s = _Samples(ERRORS_KEPT)
        self._ratios = _Samples(SPREAD_KEPT)  # cost / prediction of the recent moving frames
        self._spread_seed = self.model.spread  # the last run's: fades over SPREAD_SEED_KEPT
        self._planned = 0  # plans made so far
        self._start_plans = round(start_s / period_s)  # plans with the most room

    # -- the frame -------------------------------------------------------------------------

    def budget_ms(self, cadence: int) -> float:
        """What a frame presented `cadence` vsyncs after the previous one may be predicted
        to cost: its share HEADROOM, less what the frames' learned spread needs."""
        return self._budget_ms(cadence, OUTLIER if self.starting else self.model.spread)

    def _budget_ms(self, cadence: int, room: float) -> float:
        slot_ms = cadence * self.period_ms
        return min(slot_ms * HEADROOM - RESERVE_MS, (slot_ms - RESERVE_MS) / room)

    @property
    def starting(self) -> bool:
        """Whether the show's first seconds (`start_s`) still run: the most room."""
        return self._planned < self._start_plans

    def plan(self, frame: int, motion: str, spent_ms: float = 0.0) -> FramePlan:
        """How to draw frame `frame` (the loop's number) showing `motion` (STILL, or the
        moving pass's name), when `spent_ms` of its budget went before it began.

        A still frame, or a motion's first one, that will not fit one period with what was
        spent is presented a vsync or two later: the photo before it (a still one, both
        times) stays on screen longer by plan, which nobody can see, instead of missing a
        vsync by surprise."""
        started = self._now()
        if not self.settings.enabled:
            plan = FramePlan(frame, motion, 1.0, 1, 0.0)
        elif is_still(motion):
            predicted = self.model.predict(motion, 1.0)[0] + spent_ms
            cadence = self._cadence_for(predicted, MAX_HOLD)
            plan = FramePlan(frame, motion, 1.0, cadence, predicted, spent_ms=spent_ms,
                             starting=self.starting)
        else:
            first = motion != self._motion
            if first:
                self._cadence, self._cadence_sure = self._choose_cadence(motion)
                self._scale = self._min_scale  # a new motion rises from the bottom
            elif not self._cadence_sure:
                # Chosen from a guess: chosen again with every sample until the motion is
                # known, then kept (steady).
                self._cadence, self._cadence_sure = self._choose_cadence(motion)
            scale = self._rising_scale(motion)
            predicted, sure = self.model.predict(motion, scale)
            if (not first and sure and scale <= self._min_scale and self._cadence < MAX_CADENCE
                    and self.settings.steady_cadence and predicted > self.budget_ms(self._cadence)):
                # The estimate or the room grew mid-motion past what the cadence holds even
                # at min_scale: the frame would be late by surprise (a vsync missed, the same
                # wait unplanned); slower from here on, by plan (it never speeds up again).
                self._cadence = self._cadence_for(predicted)
                scale = self._rising_scale(motion)
                predicted, sure = self.model.predict(motion, scale)
            self._scale = scale
            predicted += spent_ms
            cadence = self._cadence
            if first:
                predicted += self.model.first_extra_ms
                cadence = max(cadence, self._cadence_for(predicted, MAX_HOLD))
            plan = FramePlan(frame, motion, scale, cadence, predicted, first, spent_ms, sure,
                             self.starting)
            self.frames_scaled += scale < 1.0
            self.frames_reduced_cadence += self._cadence > 1
            self._scales.add(scale)
        if is_still(motion):
            self._cadence, self._cadence_sure, self._overruns = 1, True, 0
            motion = STILL  # a step is no motion: the one after it is not a first frame
        self._motion = motion
        self._planned += 1
        self.last_scale, self.last_cadence = plan.scale, plan.cadence
        self._remember(plan)
        self._own_s.add(self._now() - started)
        return plan

    def observe(self, frame: int, cost_ms: float) -> None:
        """What frame `frame` cost (its GPU time, or the time from its start to the GPU
        being done); a frame not planned recently is ignored."""
        started = self._now()
        plan = self._plans.pop(frame, None)
        if plan is not None and self.settings.enabled and math.isfinite(cost_ms):
            if not is_still(plan.motion) and plan.predicted_ms > 0:
                self._errors_ms.add(cost_ms + plan.spent_ms - plan.predicted_ms)
                # (A guess's error is no spread; the first seconds have their own room.)
                if plan.sure and not (plan.first or plan.starting):
                    self._learn_spread((cost_ms + plan.spent_ms) / plan.predicted_ms)
            if plan.first and self.model.predict(plan.motion, plan.scale)[1]:
                # A known motion's first frame: what first frames cost beyond the others.
                # (An unknown one's teaches the motion itself: it has nothing else yet.)
                self.model.learn_first(plan.motion, plan.scale, cost_ms)
            else:
                self.model.learn(plan.motion, plan.scale, cost_ms)
                self._watch_overruns(plan, cost_ms)
            if not is_still(plan.motion):
                self._check_fits(plan.motion)
        self._own_s.add(self._now() - started)

    def seed(self, motion: str, scale: float, cost_ms: float) -> None:
        """A calibration draw (see CostModel.seed); may drop the motion at once."""
        self.model.seed(motion, scale, cost_ms)
        self._check_fits(motion)

    # -- decisions ------------------------------------------------------------------------

    def _rising_scale(self, motion: str) -> float:
        """The scale for the motion's next frame at the cadence in force: the fitting one,
        down at once, up by MAX_RISE steps (to 1 only in one go)."""
        scale = self._fitting_scale(motion, self._cadence)
        if self._scale < scale < 1.0:
            scale = min(scale, _quantised(self._scale + MAX_RISE))
        return scale

    def _fitting_scale(self, motion: str, cadence: int) -> float:
        """The largest scale in [min_scale, 1] whose prediction fits the budget; min_scale
        when none does."""
        budget = self.budget_ms(cadence)
        top, _ = self.model.predict(motion, 1.0)
        if top <= budget:
            return 1.0
        low, _ = self.model.predict(motion, 0.0)  # still + upscale: what scaling cannot save
        per_area = max(1e-9, top - (self.model.still_ms or 0.0))  # the pass at full size
        if budget <= low:
            return self._min_scale
        scale = math.sqrt((budget - low) / per_area)
        return max(self._min_scale, min(1.0 - SCALE_STEP, math.floor(scale / SCALE_STEP) * SCALE_STEP))

    def _cadence_for(self, predicted_ms: float, most: int = MAX_CADENCE) -> int:
        """The fewest vsyncs (up to `most`) whose budget holds `predicted_ms`."""
        for cadence in range(1, most):
            if predicted_ms <= self.budget_ms(cadence):
                return cadence
        return most

    def _choose_cadence(self, motion: str) -> tuple[int, bool]:
        """The cadence the motion needs at min_scale (1 with `pacing.cadence = full`), and
        whether the prediction was sure."""
        predicted, sure = self.model.predict(motion, self._min_scale)
        return (self._cadence_for(predicted) if self.settings.steady_cadence else 1), sure

    def _watch_overruns(self, plan: FramePlan, cost_ms: float) -> None:
        """Frames at min_scale over their budget again and again: the cadence was chosen
        from too low a cost (the GPU's clock fell, the machine got busy); slow down once."""
        if is_still(plan.motion) or plan.motion != self._motion:
            return
        over = plan.scale <= self._min_scale and cost_ms > self.budget_ms(plan.cadence)
        self._overruns = self._overruns + 1 if over else 0
        if (self._overruns >= OVERRUNS_TO_SLOW and self.settings.steady_cadence
                and self._cadence < MAX_CADENCE and plan.cadence == self._cadence):
            self._cadence += 1
            self._overruns = 0

    def _learn_spread(self, ratio: float) -> None:
        ratios = self._ratios
        if ratio > OUTLIER:
            return
        ratios.add(ratio)
        if ratios.count >= SPREAD_MIN_SAMPLES and ratios.count % SPREAD_EVERY == 0:
            floor = 1.0 / HEADROOM
            fading = max(0.0, 1.0 - ratios.count / SPREAD_SEED_KEPT)
            seed = floor + (self._spread_seed - floor) * fading
            self.model.spread = max(floor, seed, float(ratios.values().max()))

    def _check_fits(self, motion: str) -> None:
        """Reports a motion that is known (sure) not to fit even at the slowest cadence."""
        if not self.settings.enabled:
            return
        predicted, sure = self.model.predict(motion, self._min_scale)
        slowest = MAX_CADENCE if self.settings.steady_cadence else 1
        # Against the budget's own HEADROOM: what the motion costs decides, not how busy
        # the machine is now (the learned spread, or the first seconds' room: with those,
        # 19-26 of the 38 were left out at 1920x1080 here, the crossfade among them).
        budget = self._budget_ms(slowest, 1.0 / HEADROOM)
        if not sure or predicted <= budget or motion in self.too_slow:
            self._no_way.pop(motion, None)
            return
        # Not on one spike (the estimate rises half way to any sample above it): a few
        # checks in a row (a crossfade was once dropped after a stall of the X server).
        self._no_way[motion] = self._no_way.get(motion, 0) + 1
        if self._no_way[motion] < DROP_AFTER:
            return
        self.too_slow.add(motion)
        if self.settings.drop:
            self.dropped[motion] = (predicted, self._min_scale)
        if self._on_drop is not None:
            self._on_drop(motion, predicted, self._min_scale)

    def _remember(self, plan: FramePlan) -> None:
        self._plans[plan.frame] = plan
        if len(self._plans) > PLANS_KEPT:
            del self._plans[next(iter(self._plans))]  # the oldest (dicts keep their order)

    # -- figures ---------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """The bench's `governor` figures (issue 13, point 5); milliseconds."""
        scales = self._scales.values()
        errors = np.abs(self._errors_ms.values())
        own_ms = self._own_s.values() * 1e3
        return {
            "mode": "auto" if self.settings.enabled else "off",
            "frames_scaled": self.frames_scaled,
            "frames_reduced_cadence": self.frames_reduced_cadence,
            "scale": {"p50": _rounded(np.percentile(scales, 50)) if len(scales) else 1.0,
                      "min": _rounded(scales.min()) if len(scales) else 1.0},
            "dropped_transitions": sorted(self.dropped),
            "prediction_error_ms": {
                "p50": _rounded(np.percentile(errors, 50)) if len(errors) else 0.0,
                "p99": _rounded(np.percentile(errors, 99)) if len(errors) else 0.0},
            "cost_spread": _rounded(self.model.spread),
            "own_ms": {"p50": _rounded(np.percentile(own_ms, 50)) if len(own_ms) else 0.0,
                       "p99": _rounded(np.percentile(own_ms, 99)) if len(own_ms) else 0.0},
        }

    def describe_drops(self) -> Iterator[str]:
        """One line per dropped motion, for reports."""
        for name, (cost_ms, scale) in sorted(self.dropped.items()):
            yield f"{name} ({cost_ms:.1f} ms at scale {scale:.2f}, {self.size[0]}x{self.size[1]})"


class _Samples:
    """The newest `capacity` floats, preallocated (a frame appends without allocating)."""

    def __init__(self, capacity: int) -> None:
        self._values = np.zeros(capacity)
        self._count = 0

    def add(self, value: float) -> None:
        self._values[self._count % len(self._values)] = value
        self._count += 1

    @property
    def count(self) -> int:
        """Values added so far (the newest `capacity` of them are kept)."""
        return self._count

    def values(self) -> np.ndarray:
        return self._values[: min(self._count, len(self._values))].copy()


def _quantised(scale: float) -> float:
    return min(1.0, max(SCALE_STEP, round(scale / SCALE_STEP) * SCALE_STEP))


def _rounded(value: float) -> float:
    return round(float(value), 3)
