"""The transitions a show draws from: the configured pool, made ready one at a time while
the show runs, and the random pick (never the same twice in a row) at each photo change
among the ready ones, unless the viewer pinned one (the show's t key steps the pin through
the ready ones, then back to random).

Nothing of the pool is drawn before the first frame. Drivers compile for real at a
program's first draw: llvmpipe's JIT took 100-820 ms per transition on a cold shader cache
here (2.4-3.9 s for the 38), and the old warm-up draws at full size 9-28 ms each even on a
warm one (0.6 s), all of it before the first photo. Now each transition becomes ready in a
`prepare_step`: compiled, then drawn once into an 8x8 corner of the bound framebuffer (the
surface's, so the driver builds the variant the show will use; a geometry transition's
own target is allocated at the frames' size), with `ctx.finish()` so nothing of it spills
into the next frame. The show calls it from the frame loop's slack while a photo is held,
never during a transition (slideshow/show/timeline.py), and the pick sees a transition
only once it is ready: until then a photo change uses the photo pass's built-in crossfade.

A step is taken only when its predicted cost fits the slack it is given: an exponential
average of this display's measured steps (compile, warm draw, finish and the `on_ready`
hook), one for plain transitions and one for geometry ones (their own target is allocated
and copied back whole: 13-42 ms a step here against 2-3 ms), each seeded at `SEED_STEP_S`.
A step that fits no slack (a geometry one on llvmpipe; any on a cold shader cache:
hundreds of ms) is still taken once `FORCE_AFTER_S` have passed without a step: it holds
one frame of a held photo that long, which `forced` counts (`overran` counts every step
that took longer than the slack it was given, forced or mispredicted). With a `warmer`
(slideshow/gpu/shader_warmer.py, a low-priority process filling the driver's shader
cache), the transitions it has finished go first, and while it runs none it has not
finished is compiled here at all: the slow first compile happens in that process, not on
the render thread.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import moderngl

from slideshow.errors import ConfigError
from slideshow.gpu.transitions import TransitionPass, check_compiles
from slideshow.transitions.files import (
    Transition,
    TransitionError,
    TransitionLibrary,
    choose,
    default_user_folder,
    split_setting,
)

log = logging.getLogger(__name__)

# A step on a warm shader cache cost 2-4 ms here (llvmpipe, 1280x720): a seed above that
# lets the first steps wait for a roomy slack instead of overrunning a tight one.
SEED_STEP_S = 0.010
STEP_EMA_WEIGHT = 0.3  # weight of the newest measured step in the prediction
# A step predicted not to fit any slack waits at most this long; it then holds one frame
# of a held photo (counted in `forced`). Every 2 s keeps such stalls rare and still fills
# a pool of 38 within a minute and a half on a cold cache without the warmer.
FORCE_AFTER_S = 2.0
WARM_VIEWPORT = (0, 0, 8, 8)  # where a warm-up draw lands: the next frame covers it


class Warmer(Protocol):
    """What the deck asks of a shader-cache warmer (slideshow/gpu/shader_warmer.py)."""

    def start(self) -> None:
        """Starts it, once: the deck calls it at every step."""

    @property
    def running(self) -> bool:
        """Whether it may still finish transitions (False once it ended, however)."""

    def finished(self) -> set[str]:
        """The transitions it has drawn so far; never waits."""


def apply_settings(transitions: list[Transition], settings: tuple[str, ...],
                   known: list[str]) -> list[Transition]:
    """`transitions` with the `transitions.params` settings (NAME.PARAMETER=VALUE, NAME a
    transition or a file's name, PARAMETER a uniform or duration_s) applied; a setting that
    names nothing, or a bad value, is a ConfigError naming the setting."""
    result = list(transitions)
    for setting in settings:
        try:  # config.py checked the form when it loaded; a caller here may not have
            name, parameter, value = split_setting(setting)
        except ValueError as exc:
            raise ConfigError(f"config key transitions.params: {exc}") from None
        matches = [i for i, t in enumerate(result) if name in (t.name, t.family)]
        if not matches:
            raise ConfigError(f"config key transitions.params: {setting!r} names no transition "
                              f"in the pool; known transitions: {', '.join(known)}")
        for i in matches:
            try:
                if parameter == "duration_s":
                    result[i] = result[i].with_overrides(duration_s=float(value))
                else:
                    result[i] = result[i].with_overrides({parameter: value})
            except (TransitionError, ValueError) as exc:
                raise ConfigError(f"config key transitions.params: {setting!r}: {exc}") from None
    return result


def load_pool(pool: tuple[str, ...], folder: str = "", params: tuple[str, ...] = (),
              compile_check: Callable[[Transition], None] | None = None) -> list[Transition]:
    """The configured pool, parsed, with its settings applied. With `compile_check`
    (gpu/transitions.py's `check_compiles`), one transition of each of the user's files is
    compiled first, so a file that does not compile is left out with one log line, as
    before anything starts; a pool left with nothing is a ConfigError. The built-in files
    are compiled by the tests on every change, and checking them cost 30-90 ms here on the
    way to the first photo: one that a driver cannot compile is left out with its log line
    when its turn to be made ready comes (`TransitionDeck.prepare_step`)."""
    library = TransitionLibrary(Path(folder).expanduser() if folder else default_user_folder())
    if compile_check is not None:
        library.validate(compile_check, builtin=False)
    specs = library.names if "all" in pool else list(pool)
    try:
        transitions = library.select(specs)
    except TransitionError as exc:
        raise ConfigError(f"config key transitions.pool = {list(pool)!r}: {exc}") from None
    if not transitions:
        raise ConfigError("config key transitions.pool names no transition that compiles; "
                          f"available: {', '.join(library.names)}")
    return apply_settings(transitions, params, library.names)


class TransitionDeck:
    def __init__(self, ctx: moderngl.Context, pool: tuple[str, ...], easing: str,
                 folder: str = "", rng: random.Random | None = None,
                 params: tuple[str, ...] = (), *, now: Callable[[], float] = time.perf_counter,
                 on_ready: Callable[[str, TransitionPass], None] | None = None) -> None:
        """`on_ready(name, pass)`: called on the render thread as each transition becomes
        ready (its cost counts as the step's); may be set later."""
        self.ctx = ctx
        self.transitions = load_pool(pool, folder, params, check_compiles(ctx))
        self._easing = easing
        self._rng = rng or random.Random()
        self._now = now
        self.on_ready = on_ready
        self.warmer: Warmer | None = None
        self._waiting = list(self.transitions)  # not ready yet, in pool order
        self.passes: list[TransitionPass] = []  # ready, in pool order
        self._left_out: list[TransitionPass] = []  # dropped once ready; may still be drawing
        #: Transitions left out of the pool, and why.
        self.dropped: dict[str, str] = {}
        self._current: TransitionPass | None = None
        self._pinned: str | None = None  # the name every change uses; None: random
        self._predicted_s = {False: SEED_STEP_S, True: SEED_STEP_S}  # by "has geometry"
        self._last_step_s: float | None = None  # when a step last ran (or was first asked for)
        #: Steps taken, those taken only because they had waited FORCE_AFTER_S, those that
        #: took longer than their slack (each held a frame that much), and the measured cost
        #: of each, in seconds.
        self.steps = 0
        self.forced = 0
        self.overran = 0
        self.step_s: list[float] = []

    @property
    def names(self) -> list[str]:
        """The pool's transitions, ready or not, less those dropped."""
        return [t.name for t in self.transitions if t.name not in self.dropped]

    @property
    def ready(self) -> list[str]:
        """The transitions a photo change may use now, in pool order."""
        return [p.transition.name for p in self.passes]

    @property
    def pinned(self) -> str | None:
        """The name of the transition every change uses now, or None (random)."""
        return self._pinned

    def pin_next(self) -> str | None:
        """Pins the next ready transition in pool order (the first one after random), and
        after the last one goes back to random; returns what `pinned` says now."""
        ready = self.ready
        following = ready.index(self._pinned) + 1 if self._pinned in ready else 0
        self._pinned = ready[following] if following < len(ready) else None
        return self._pinned

    def next(self) -> TransitionPass | None:
        """The pass for the next photo change: the pinned one, else a random ready one and
        not the previous one again; None while none is ready (the photo pass then draws
        its built-in crossfade)."""
        pinned = [p for p in self.passes if p.transition.name == self._pinned]
        if pinned:
            self._current = pinned[0]
        elif self.passes:
            self._current = choose(self._rng, self.passes, self._current)
        else:
            self._current = None
        return self._current

    def drop(self, name: str, why: str = "") -> None:
        """Leaves `name` out of the pool for the rest of the run: never picked or pinned
        again (a running transition finishes). Unknown or dropped names change nothing."""
        if name in self.dropped or name not in {t.name for t in self.transitions}:
            return
        self.dropped[name] = why
        self._waiting = [t for t in self._waiting if t.name != name]
        self._left_out += [p for p in self.passes if p.transition.name == name]
        self.passes = [p for p in self.passes if p.transition.name != name]
        if self._pinned == name:
            self._pinned = None

    def prepare_step(self, slack_s: float, from_tex: moderngl.Texture,
                     to_tex: moderngl.Texture) -> str | None:
        """Makes the first waiting transition whose predicted cost fits `slack_s` seconds
        ready (or the first one of all, once a step has waited FORCE_AFTER_S); returns its
        name, or None when nothing was done. Draws into the bound framebuffer's corner,
        between the two frame textures."""
        candidates = self._candidates()
        now = self._now()
        if not candidates:
            self._last_step_s = None
            return None
        if self._last_step_s is None:
            self._last_step_s = now
        forced = now - self._last_step_s >= FORCE_AFTER_S
        fitting = [t for t in candidates if self._predicted_s[t.vertex is not None] <= slack_s]
        if not fitting and not forced:
            return None
        transition = fitting[0] if fitting else candidates[0]
        forced = not fitting
        self._waiting.remove(transition)
        try:
            transition_pass = TransitionPass(self.ctx, transition, easing=self._easing)
        except TransitionError as exc:
            # Its file compiled at start-up (load_pool); a variant may still not. Left out,
            # as start-up leaves out a file that does not compile.
            self.dropped[transition.name] = "does not compile"
            log.warning("transition %s left out: %s", transition.name, exc)
            return None
        transition_pass.warm_up(from_tex, to_tex, WARM_VIEWPORT)
        self.ctx.finish()
        self._insert_ready(transition_pass)
        if self.on_ready is not None:
            self.on_ready(transition.name, transition_pass)
        done_s = self._now()
        self._learn(transition.vertex is not None, done_s - now)
        self._last_step_s = done_s
        self.forced += int(forced)
        self.overran += int(done_s - now > slack_s)
        return transition.name

    def _candidates(self) -> list[Transition]:
        """What may be prepared now, in pool order: the warmer's finished transitions, and
        while it runs only those."""
        warmer = self.warmer
        if warmer is None or not self._waiting:
            return list(self._waiting)
        warmer.start()
        finished = warmer.finished()
        warmed = [t for t in self._waiting if t.name in finished]
        return warmed if warmed or warmer.running else list(self._waiting)

    def _insert_ready(self, transition_pass: TransitionPass) -> None:
        order = {t.name: i for i, t in enumerate(self.transitions)}
        self.passes.append(transition_pass)
        self.passes.sort(key=lambda p: order[p.transition.name])

    def _learn(self, geometry: bool, step_s: float) -> None:
        self.steps += 1
        self.step_s.append(step_s)
        self._predicted_s[geometry] += STEP_EMA_WEIGHT * (step_s - self._predicted_s[geometry])

    def summary(self) -> dict[str, Any]:
        """What the preparation did, for the run's report: steps, forced ones, their cost."""
        costs_ms = sorted(s * 1e3 for s in self.step_s)
        return {"ready": len(self.passes), "pool": len(self.names), "steps": self.steps,
                "forced": self.forced, "overran": self.overran, "dropped": dict(self.dropped),
                "warmed": len(self.warmer.finished()) if self.warmer is not None else None,
                "step_ms": {"p50": round(costs_ms[len(costs_ms) // 2], 3) if costs_ms else None,
                            "max": round(costs_ms[-1], 3) if costs_ms else None}}

    def release(self) -> None:
        for transition_pass in (*self.passes, *self._left_out):
            transition_pass.release()
        self.passes, self._left_out, self._waiting = [], [], []
