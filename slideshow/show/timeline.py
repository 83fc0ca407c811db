"""The slideshow's state over time: which photo is held, when the next transition starts,
how far it has run; and the overlay (the audio visualizer) stepped and drawn with it.

Time here is counted in fixed steps of one refresh period (the loop calls `step` once per
vsync that passed), so a transition of 1.5 s at 60 Hz is exactly 90 frames long whatever the
machine does. A photo that is not decoded when its turn comes keeps the current one on
screen a little longer; nothing ever waits for it.

The viewer steers it through three calls (slideshow/show/controls.py maps keys to them): `skip`
ends a hold early, `replace_next` gives up the photo on its way in for one asked for, and
`paused` stops the hold (and the Ken Burns motion) from counting.
"""

from __future__ import annotations

import enum
import os
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from slideshow.pacing import FrameBudget
from slideshow.pacing.governor import COMPOSE_STEP, STILL, UPLOAD_STEP
from slideshow.show.ken_burns import IDENTITY, KenBurnsMotion, View, plan_motion
from slideshow.show.layer_guard import LayerGuard


class ReadyPhoto(Protocol):
    pixels: np.ndarray  # (height, width, 4) uint8, read-only view of a ring slot
    path: str
    focus: tuple[float, float]  # where its detail is, 0..1 from the top-left

    def release(self) -> None: ...


class PhotoSource(Protocol):
    def take_ready(self) -> ReadyPhoto | None: ...


class PhotoDrawer(Protocol):
    display_size: tuple[int, int]

    def set_views(self, front: View, back: View) -> None: ...
    def set_audio_energy(self, energy: float) -> None: ...
    def begin_upload(self, pixels: np.ndarray, copy_budget_s: float) -> bool: ...
    def pump_upload(self, budget_s: float) -> tuple[bool, bool]: ...
    def compose_step(self, strips: int | None = None) -> bool: ...
    def begin_transition(self) -> float | None: ...
    @property
    def transition_name(self) -> str: ...
    def prepare_in_slack(self, slack_s: float) -> str | None: ...
    def swap_photos(self) -> None: ...
    def draw(self, progress: float) -> None: ...


class Overlay(Protocol):
    """Drawn over the photos: the audio visualizer (slideshow/show/audio_overlay.py)."""

    kicks: int  # kicks counted so far: a change is a kick
    beat: float  # 0..1, 1 at a kick, decaying
    bass: float  # 0..1, low-band energy

    def drain(self) -> None: ...
    def step(self, dt_s: float) -> None: ...
    def draw(self) -> None: ...


KEN_BURNS = "ken-burns"  # the governor's name for a held photo's motion
EVENTS_KEPT = 1024
# Sums of fixed steps land a hair below the decimal they stand for (6 x 1/60 s is
# 0.09999999999999999 s): compared with this slack, a 0.1 s hold at 60 Hz is 6 frames, not 7.
_STEP_SLACK_S = 1e-9
SKIPS_KEPT = 20  # next-key presses remembered ahead of the photos they end the hold of


@dataclass(frozen=True)
class KenBurnsSettings:
    """The `[ken_burns]` config, for the fit modes it is on for."""

    zoom_min: float = 1.0
    zoom_max: float = 1.15
    zoom_per_s: float = 0.015
    seed: int | None = None


@dataclass(frozen=True)
class AudioMotionSettings:
    """The `[audio_motion]` config: the music may move the show (never its frame pacing)."""

    beat_zoom: float = 0.0  # a kick zooms in by this much, easing back (Ken Burns on)
    beat_transitions: bool = False  # after the hold, the next transition waits for a kick ...
    beat_wait_s: float = 2.0  # ... at most this long
    energy: bool = False  # transitions get the bass energy as `audio_energy`


class NextPhoto(enum.Enum):
    """Where the next photo is on its way to the screen."""

    NONE = enum.auto()       # nothing taken yet
    TAKEN = enum.auto()      # taken from its ring; waits for a free upload buffer
    UPLOADING = enum.auto()  # being copied into a PBO and sent to the staging texture
    COMPOSING = enum.auto()  # complete on the GPU; composed into the back frame a strip a frame
    COMPOSED = enum.auto()   # composed; drawable from the next frame
    READY = enum.auto()      # in the back frame: the next transition may start


class Show:
    """A photo held for `hold_s`, then a transition of `transition_s` to the next one."""

    def __init__(self, photos: PhotoSource, drawer: PhotoDrawer, overlay: Overlay | None,
                 hold_s: float, transition_s: float, upload_budget_s: float = 0.001,
                 stagger_s: float = 0.0, first_frame: int = 0,
                 ken_burns: KenBurnsSettings | None = None,
                 audio_motion: AudioMotionSettings | None = None,
                 on_shown: Callable[[str], None] | None = None, display: str = "") -> None:
        """`stagger_s`: the first photo is held this much longer, so that displays showing
        side by side change photos in turn. `first_frame`: the loop's frame number of the
        first frame, for `events`. `ken_burns`: a slow zoom and pan over each photo, from
        its transition in to the end of its transition out (None: still photos).
        `audio_motion`: beats and bass from the overlay move the show (None: they don't).
        `on_shown(path)`: called as each photo's transition in begins (may be set later).
        `display`: its name, for the log lines of a failing optional layer: the
        visualizer and Ken Burns are each switched off after a few errors
        (slideshow/show/layer_guard.py); the photos go on without them."""
        self._photos = photos
        self._drawer = drawer
        self._overlay = overlay
        self.hold_s = hold_s
        self.transition_s = transition_s
        self.upload_budget_s = upload_budget_s   # upload work allowed per frame
        self._taken: ReadyPhoto | None = None   # holds its ring slot until copied out
        self._next = NextPhoto.NONE
        self._next_path = ""                     # the photo on its way in
        self._discarding = False                 # it uploads to the end, then is dropped
        self._skips = 0                          # holds to end early (next key)
        #: While True the hold does not count and Ken Burns motion stands still; a
        #: transition already running finishes.
        self.paused = False
        self.on_shown = on_shown
        self._held_s = hold_s                    # the first photo fades in as soon as it is ready
        self._progress: float | None = None      # None while holding; 0..1 during a transition
        self._duration_s = transition_s           # of the transition running
        #: Photos shown so far, and times a photo was not ready when its turn came.
        self.photos_shown = 0
        self.late_photos = 0
        self.paths_shown: list[str] = []
        #: The loop's number of the first frame that showed a photo (its fade-in with
        #: progress above 0, or held), and when that frame was presented (the loop's clock,
        #: learnt from the budget of the frame after it); None until then.
        self.first_photo_frame: int | None = None
        self.first_photo_present_s: float | None = None
        #: What happened at which frame (the loop's frame number), for `slideshow bench` to
        #: show next to its slowest frames; a few entries per photo, the last ones kept.
        self.events: deque[tuple[int, str]] = deque(maxlen=EVENTS_KEPT)
        self._frame = first_frame - 1  # the loop's frame number: drain runs once at the start of each
        self._stagger_s = stagger_s
        self._step = STILL  # the next photo's step this frame took (for `motion`), or none
        self._ken_burns = ken_burns
        self._audio_motion = audio_motion if overlay is not None else None
        self._kicks_seen: int | None = None
        self._kick_now = False  # a kick arrived this step
        self._random = random.Random(ken_burns.seed if ken_burns else None)
        # Each frame's motion and the photo's age in seconds: the one in front (shown at
        # progress 0), the one coming in, and the one taken that waits for its turn.
        self._front_motion: KenBurnsMotion | None = None
        self._back_motion: KenBurnsMotion | None = None
        self._next_motion: KenBurnsMotion | None = None
        self._front_age_s = self._back_age_s = 0.0
        self.visualizer_guard = LayerGuard("visualizer", display, on_off=self._visualizer_off)
        self.ken_burns_guard = LayerGuard("Ken Burns motion", display, on_off=self._ken_burns_off)

    def _visualizer_off(self) -> None:
        self._overlay = None
        self._audio_motion = None  # the beats and the bass came from it

    def _ken_burns_off(self) -> None:
        self._ken_burns = None
        self._front_motion = self._back_motion = self._next_motion = None
        self._drawer.set_views(IDENTITY, IDENTITY)

    def note(self, text: str) -> None:
        """Records what happened at this frame (`events`)."""
        self.events.append((self._frame, text))

    @property
    def skips(self) -> int:
        """Holds still to be ended early."""
        return self._skips

    def skip(self) -> None:
        """Ends the hold now: the next transition begins as soon as its photo is ready,
        without waiting for the hold, a beat or the end of a pause. Pressed during a
        transition, it ends the hold of the photo coming in; presses add up."""
        self._skips = min(self._skips + 1, SKIPS_KEPT)

    def replace_next(self) -> None:
        """Gives up the photo on its way in (not one a running transition brings in), for
        one the viewer asked for; that one comes in as soon as it is ready."""
        self._skips = 1  # earlier presses were about photos that will not come now
        if self._progress is not None or self._next is NextPhoto.NONE:
            return
        if self._next is NextPhoto.UPLOADING:
            self._discarding = True  # its pixels must stay valid until copied out
        else:
            self._release_taken()
            self._next = NextPhoto.NONE
        self._next_motion = None
        self.note("next photo given up")

    @property
    def transition_active(self) -> bool:
        return self._progress is not None

    @property
    def progress(self) -> float | None:
        return self._progress

    @property
    def motion(self) -> str:
        """What moves in the frame drawn next, for the frame-cost governor: the running
        transition's name, KEN_BURNS for a held photo under Ken Burns motion, or a still
        photo (always drawn at full size): STILL, or the step of the next photo's way in
        this frame took (UPLOAD_STEP, COMPOSE_STEP; slideshow/pacing/governor.py)."""
        if self._progress is not None:
            return self._drawer.transition_name
        if self._ken_burns is not None and self._front_motion is not None:
            return KEN_BURNS
        return self._step

    def drain(self, budget: FrameBudget) -> None:
        self._frame += 1
        self._step = STILL
        if self.first_photo_frame == self._frame - 1 and self.first_photo_present_s is None:
            self.first_photo_present_s = budget.started_s  # the previous frame's present
        if self._overlay is not None:
            try:
                self._overlay.drain()
            except Exception as exc:
                self.visualizer_guard.failed(exc)
        if self._next is NextPhoto.NONE:
            self._taken = self._photos.take_ready()
            if self._taken is not None:
                self._next = NextPhoto.TAKEN
                self._next_path = self._taken.path
                self.note(f"photo taken: {os.path.basename(self._taken.path)}")
                if self._ken_burns is not None:
                    try:
                        self._next_motion = self._plan(self._taken)
                    except Exception as exc:
                        self.ken_burns_guard.failed(exc)

    def upload(self, budget: FrameBudget) -> None:
        # A new photo reaches the screen in steps, each in its own frame(s): the upload
        # (PBO copy and strips within `upload_budget_s` a frame), the compose (a strip a
        # frame), then the first transition frame. On a software renderer a whole compose
        # costs about half a frame at 1280x720, and two such steps together missed vsyncs.
        # The first photo, with nothing on screen yet, takes the shortest way instead: the
        # whole copy in its first frame, the whole compose in the frame the texture is
        # complete, and its fade-in from that frame (6 frames sooner). Those frames cost
        # more, and the governor hears of it (the loop's `spent_ms`): the black screen
        # before them is held a vsync longer, by plan.
        first = self.photos_shown == 0 and self._progress is None and not self._discarding
        state = self._next
        if state is NextPhoto.TAKEN:
            assert self._taken is not None
            if self._drawer.begin_upload(self._taken.pixels, self._budget_s(budget, first)):
                self._next, self._step = NextPhoto.UPLOADING, UPLOAD_STEP
                self.note("upload begins")
        elif state is NextPhoto.UPLOADING:
            self._step = UPLOAD_STEP
            copied, ready = self._drawer.pump_upload(self._budget_s(budget, first))
            if copied and self._taken is not None:
                self._release_taken()
                self.note("upload copied out of the ring")
            if ready and self._discarding:
                self._next, self._discarding = NextPhoto.NONE, False
                self.note("upload complete; given up")
            elif ready:
                self.note("upload complete on the GPU")
                if first:
                    self._drawer.compose_step(strips=1)
                    self.note("composed")
                self._next = NextPhoto.READY if first else NextPhoto.COMPOSING
        elif state is NextPhoto.COMPOSING:
            self._step = COMPOSE_STEP
            if self._drawer.compose_step():
                self._next = NextPhoto.COMPOSED
                self.note("composed")
        elif state is NextPhoto.COMPOSED:
            self._next = NextPhoto.READY

    def _nudged(self, view: View) -> View:
        """`view` zoomed in around its centre by the beat (a smaller view at the same
        centre stays inside the frame)."""
        motion = self._audio_motion
        if motion is None or motion.beat_zoom <= 0.0 or self._overlay is None:
            return view
        shrink = 1.0 / (1.0 + motion.beat_zoom * self._overlay.beat)
        x, y, width, height = view
        return (x + width * (1 - shrink) / 2, y + height * (1 - shrink) / 2,
                width * shrink, height * shrink)

    def _plan(self, photo: ReadyPhoto) -> KenBurnsMotion | None:
        settings = self._ken_burns
        assert settings is not None
        # The focus, from the photo's pixels to the display frame it is composed into
        # (centred), in GL's bottom-up texture coordinates.
        width, height = photo.pixels.shape[1], photo.pixels.shape[0]
        display_w, display_h = self._drawer.display_size
        focus = (0.5 + (photo.focus[0] - 0.5) * width / display_w,
                 0.5 - (photo.focus[1] - 0.5) * height / display_h)
        on_screen_s = self.hold_s + 2 * self.transition_s
        if self.photos_shown == 0:
            on_screen_s += self._stagger_s
        return plan_motion(self._random, focus, on_screen_s, settings.zoom_min,
                           settings.zoom_max, settings.zoom_per_s)

    def _budget_s(self, budget: FrameBudget, first: bool = False) -> float:
        """The upload work this frame may do: `upload_budget_s`, or for the first photo
        what is left of the frame's period."""
        remaining = budget.remaining_s()
        if first:
            return max(remaining, self.upload_budget_s)
        return min(self.upload_budget_s, remaining)

    def _release_taken(self) -> None:
        if self._taken is not None:
            self._taken.release()  # the worker may decode the next photo into this slot now
            self._taken = None

    def step(self, dt_s: float) -> None:
        if self._overlay is not None:
            try:
                self._overlay.step(dt_s)
            except Exception as exc:
                self.visualizer_guard.failed(exc)
        if not self.paused:
            self._front_age_s += dt_s
            if self._progress is not None:
                self._back_age_s += dt_s
        self._watch_kicks()
        if self._progress is None:
            counting = not self.paused or self.photos_shown == 0  # the first photo always fades in
            if counting:
                self._held_s += dt_s
            held = self._held_s >= self.hold_s - _STEP_SLACK_S
            if self._next is NextPhoto.READY and (
                    self._skips or (counting and held and self._on_the_beat())):
                self._begin_transition()
            elif counting and held and self._held_s - dt_s < self.hold_s - _STEP_SLACK_S \
                    and self.photos_shown:
                self.late_photos += 1
                self.note("next photo late: holding this one")
        else:
            self._progress += dt_s / self._duration_s if self._duration_s > 0 else 1.0
            if self._progress >= 1.0 - _STEP_SLACK_S:
                self._drawer.swap_photos()
                self._front_motion, self._back_motion = self._back_motion, None
                self._front_age_s = self._back_age_s
                self._progress = None
                self._next = NextPhoto.NONE
                self.photos_shown += 1
                self._held_s = -self._stagger_s if self.photos_shown == 1 else 0.0
                self.note("transition ends")

    def _begin_transition(self) -> None:
        self._progress = 0.0
        self._skips = max(0, self._skips - 1)
        self._duration_s = self._drawer.begin_transition() or self.transition_s
        self.note(f"transition begins: {self._drawer.transition_name}")
        self._back_motion, self._next_motion = self._next_motion, None
        self._back_age_s = 0.0
        self.paths_shown.append(self._next_path)
        if self.on_shown is not None:
            self.on_shown(self._next_path)

    def prepare_in_slack(self, slack_s: float) -> None:
        """Lets the drawer make a transition ready in `slack_s` seconds after a present,
        only while a photo is held: never during a transition, and not before the first
        photo is on screen, so that no compile can hold it (the first fade-in is the
        built-in crossfade)."""
        if self._progress is not None or self.photos_shown == 0:
            return
        name = self._drawer.prepare_in_slack(slack_s)
        if name is not None:
            self.note(f"transition ready: {name}")

    def _watch_kicks(self) -> None:
        if self._audio_motion is None or self._overlay is None:
            return
        kicks = self._overlay.kicks
        self._kick_now = self._kicks_seen is not None and kicks != self._kicks_seen
        self._kicks_seen = kicks

    def _on_the_beat(self) -> bool:
        """Whether the transition may start now: always, or with beat transitions on, at
        a kick (or once the hold has waited `beat_wait_s` for one)."""
        motion = self._audio_motion
        if motion is None or not motion.beat_transitions or self.photos_shown == 0:
            return True  # (the first photo fades in as soon as it is ready)
        return self._kick_now or self._held_s >= self.hold_s + motion.beat_wait_s - _STEP_SLACK_S

    def draw(self) -> None:
        if self._ken_burns is not None:
            try:
                self._set_views()
            except Exception as exc:
                self.ken_burns_guard.failed(exc)
        if self._audio_motion is not None and self._audio_motion.energy and self._overlay is not None:
            self._drawer.set_audio_energy(self._overlay.bass)
        progress = self._progress if self._progress is not None else 0.0
        if self.first_photo_frame is None and (progress > 0.0 or self.photos_shown > 0):
            self.first_photo_frame = self._frame
        self._drawer.draw(progress)
        if self._overlay is not None:
            try:
                self._overlay.draw()
            except Exception as exc:
                self.visualizer_guard.failed(exc)

    def _set_views(self) -> None:
        """Ken Burns: this frame's views of the photo in front and the one coming in."""
        front, back = self._front_motion, self._back_motion
        self._drawer.set_views(
            self._nudged(front.view_at(self._front_age_s) if front else IDENTITY),
            self._nudged(back.view_at(self._back_age_s) if back else IDENTITY))
