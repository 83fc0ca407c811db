"""The show's keys, applied on the display's render thread.

The main thread (slideshow/run/windowed.py) hears the keys and appends their names to each
display's deque; `ShowControls` is the scene the frame loop runs: each frame it takes the
keys pressed since the last one (popleft, never a wait), applies them, then runs the show
and draws the captions over it. `KEY_ACTIONS` names what each key does; its keys are the
ones `slideshow.screensaver.input_exit.SHOW_KEYS` lets through without ending a screensaver.

Nothing here logs or touches files: the render thread's frame path does no I/O. What a
key did goes into the show's `events`, and on screen as a notice (slideshow/show/captions.py);
the main thread logs the key.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from slideshow.pacing import FrameBudget
from slideshow.show.history import PhotoHistory
from slideshow.show.layer_guard import LayerGuard
from slideshow.show.timeline import Show

KEY_ACTIONS: dict[str, str] = {
    "right": "next photo",
    "left": "previous photo",
    "space": "pause / resume",
    "t": "next transition",
    "v": "next visualizer mode",
    "i": "photo caption",
    "p": "frame-time graph (HUD)",
}


class PhotoOrder(Protocol):
    """Where the photos come from, steerable: the ImagePipeline."""

    def request_first(self, paths: Sequence[str], *, drop_older: bool = False) -> None: ...
    def mark_shown(self, path: str) -> None: ...


class Deck(Protocol):
    def pin_next(self) -> str | None: ...


class Modes(Protocol):
    def next_mode(self) -> str: ...


class Texts(Protocol):
    """The captions layer (slideshow/show/captions.py)."""

    def caption(self, path: str) -> None: ...
    def notice(self, text: str, hold_s: float | None = None) -> None: ...
    def drain(self) -> None: ...
    def step(self, dt_s: float) -> None: ...
    def draw(self) -> None: ...


class HudToggle(Protocol):
    """The HUD (slideshow/health/hud.py), an optional layer drawn over everything."""

    def toggle(self) -> bool: ...
    def begin_frame(self) -> None: ...
    def draw(self) -> None: ...


class Scaler(Protocol):
    """Draws at a scale of the display's size and upscales (slideshow/gpu/scaled_target.py)."""

    def draw(self, scale: float, draw: Callable[[], None]) -> None: ...


class ShowControls:
    """The show with its keys: what the FrameLoop runs (slideshow/loop.py's Scene).

    `keys`: names appended by another thread. `photos`: the pipeline, told what to decode
    first for the previous key and which photos were shown. Without a `deck`, `modes`
    (the visualizer) or `texts`, their keys say so on screen or do nothing. The captions
    are an optional layer: after a few errors they are switched off (`captions_guard`)."""

    def __init__(self, show: Show, keys: deque[str], photos: PhotoOrder, history: PhotoHistory,
                 *, deck: Deck | None = None, modes: Modes | None = None,
                 texts: Texts | None = None, hud: HudToggle | None = None,
                 scaler: Scaler | None = None, display: str = "") -> None:
        self.show = show
        self._keys = keys
        self._photos = photos
        self.history = history
        self._deck, self._modes, self._texts, self._hud = deck, modes, texts, hud
        self._scaler = scaler
        self._actions = {"right": self.next_photo, "left": self.previous_photo,
                         "space": self.toggle_pause, "t": self.next_transition,
                         "v": self.next_visualizer_mode, "i": self.caption, "p": self.toggle_hud}
        self.captions_guard = LayerGuard("captions", display, on_off=self._captions_off)
        self.hud_guard = LayerGuard("HUD", display, on_off=self._hud_off)

    def _captions_off(self) -> None:
        self._texts = None

    def _hud_off(self) -> None:
        self._hud = None

    # -- the scene -------------------------------------------------------------------------

    @property
    def transition_active(self) -> bool:
        return self.show.transition_active

    @property
    def motion(self) -> str:
        return self.show.motion

    def drain(self, budget: FrameBudget) -> None:
        while self._keys:
            self.press(self._keys.popleft())
        self.show.drain(budget)
        if self._texts is not None:
            try:
                self._texts.drain()
            except Exception as exc:
                self.captions_guard.failed(exc)

    def upload(self, budget: FrameBudget) -> None:
        self.show.upload(budget)

    def prepare_in_slack(self, slack_s: float) -> None:
        self.show.prepare_in_slack(slack_s)

    def step(self, dt_s: float) -> None:
        self.show.step(dt_s)
        if self._texts is not None:
            try:
                self._texts.step(dt_s)
            except Exception as exc:
                self.captions_guard.failed(exc)

    def draw(self, scale: float = 1.0) -> None:
        """The show at `scale` (the governor's, for what moves), then the captions and
        the HUD over it at full size."""
        if self._hud is not None:
            try:
                self._hud.begin_frame()  # the GPU timer covers everything the frame draws
            except Exception as exc:
                self.hud_guard.failed(exc)
        if self._scaler is not None and scale < 1.0:
            self._scaler.draw(scale, self.show.draw)
        else:
            self.show.draw()
        if self._texts is not None:
            try:
                self._texts.draw()
            except Exception as exc:
                self.captions_guard.failed(exc)
        if self._hud is not None:
            try:
                self._hud.draw()
            except Exception as exc:
                self.hud_guard.failed(exc)

    def photo_shown(self, path: str) -> None:
        """The show's `on_shown`: a photo began to come on screen."""
        self.history.shown(path)
        self._photos.mark_shown(path)

    # -- the keys --------------------------------------------------------------------------

    def press(self, name: str) -> None:
        action = self._actions.get(name)
        if action is not None:
            action()

    def next_photo(self) -> None:
        self.show.skip()
        self.show.note("key right: next photo")

    def previous_photo(self) -> None:
        paths = self.history.back()
        if paths is None:
            self._notice("first photo")
            self.show.note("key left: no earlier photo")
            return
        # Everything decoded ahead for the old sequence is dropped in the same order, so
        # no such photo comes in before the replay.
        self._photos.request_first(paths, drop_older=True)
        self.show.replace_next()
        self.show.note(f"key left: back to {os.path.basename(paths[0])}")

    def toggle_pause(self) -> None:
        self.show.paused = not self.show.paused
        if self.show.paused:
            self._notice("paused", math.inf)  # until resumed
        else:
            self._notice("playing")
        self.show.note(f"key space: {'paused' if self.show.paused else 'playing'}")

    def next_transition(self) -> None:
        if self._deck is None:
            text = "transition: crossfade"
        else:
            pinned = self._deck.pin_next()
            text = f"transition: {pinned}" if pinned else "transitions: random"
        self._notice(text)
        self.show.note(f"key t: {text}")

    def next_visualizer_mode(self) -> None:
        text = ("visualizer: " + self._modes.next_mode() if self._modes is not None
                else "no visualizer (visualizer.mode is off)")
        self._notice(text)
        self.show.note(f"key v: {text}")

    def caption(self) -> None:
        path = self.history.current
        if path is None:
            self._notice("no photo yet")
        elif self._texts is not None:
            try:
                self._texts.caption(path)
            except Exception as exc:
                self.captions_guard.failed(exc)
        self.show.note(f"key i: caption of {os.path.basename(path or '')}")

    def toggle_hud(self) -> None:
        if self._hud is None:
            self._notice("no frame graph (it failed; see the log)")
            self.show.note("key p: no HUD")
            return
        try:
            shown = self._hud.toggle()
        except Exception as exc:
            self.hud_guard.failed(exc)
            return
        self.show.note(f"key p: frame graph {'on' if shown else 'off'}")

    def _notice(self, text: str, hold_s: float | None = None) -> None:
        if self._texts is not None:
            try:
                self._texts.notice(text, hold_s)
            except Exception as exc:
                self.captions_guard.failed(exc)
