"""The transitions a show draws from: one compiled, warmed-up pass per transition in the
configured pool, and the random pick (never the same twice in a row) at each photo change,
unless the viewer pinned one (the show's t key steps the pin through the pool, then back
to random).

Every program is built and drawn once before the first frame: drivers compile for real at
the first draw (llvmpipe's JIT takes tens of ms), which must not land in a transition.
"""

from __future__ import annotations

import random
from pathlib import Path

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


class TransitionDeck:
    def __init__(self, ctx: moderngl.Context, pool: tuple[str, ...], easing: str,
                 folder: str = "", rng: random.Random | None = None,
                 params: tuple[str, ...] = ()) -> None:
        library = TransitionLibrary(Path(folder).expanduser() if folder else default_user_folder())
        library.validate(check_compiles(ctx))
        specs = library.names if "all" in pool else list(pool)
        try:
            transitions = library.select(specs)
        except TransitionError as exc:
            raise ConfigError(f"config key transitions.pool = {list(pool)!r}: {exc}") from None
        if not transitions:
            raise ConfigError("config key transitions.pool names no transition that compiles; "
                              f"available: {', '.join(library.names)}")
        transitions = apply_settings(transitions, params, library.names)
        self.passes = [TransitionPass(ctx, t, easing=easing) for t in transitions]
        self._rng = rng or random.Random()
        self._current: TransitionPass | None = None
        self._pinned: int | None = None  # index into `passes`; None: random
        self._dropped: list[TransitionPass] = []  # left out by the governor, released at the end

    @property
    def names(self) -> list[str]:
        return [p.transition.name for p in self.passes]

    @property
    def pinned(self) -> str | None:
        """The name of the transition every change uses now, or None (random)."""
        return self.passes[self._pinned].transition.name if self._pinned is not None else None

    def pin_next(self) -> str | None:
        """Pins the next transition of the pool in order (the first one after random),
        and after the last one goes back to random; returns what `pinned` says now."""
        following = 0 if self._pinned is None else self._pinned + 1
        self._pinned = following if following < len(self.passes) else None
        return self.pinned

    def warm_up(self, from_tex: moderngl.Texture, to_tex: moderngl.Texture) -> None:
        """Draws every pass once into the bound framebuffer (see the module docstring)."""
        for transition_pass in self.passes:
            transition_pass.draw(from_tex, to_tex, 0.5)

    def drop(self, name: str) -> None:
        """Leaves the transition `name` out of the pool (the frame-cost governor found it
        fits this display no way); a pin on it goes back to random."""
        for index, transition_pass in enumerate(self.passes):
            if transition_pass.transition.name == name:
                self._dropped.append(self.passes.pop(index))
                if self._pinned is not None:
                    self._pinned = (None if self._pinned == index
                                    else self._pinned - (self._pinned > index))
                return

    def next(self) -> TransitionPass | None:
        """The pass for the next photo change: the pinned one, else random and not the
        previous one again; None when the pool is empty (the photo pass's crossfade)."""
        if not self.passes:
            return None
        if self._pinned is not None:
            self._current = self.passes[self._pinned]
            return self._current
        self._current = choose(self._rng, self.passes, self._current)
        return self._current

    def release(self) -> None:
        for transition_pass in (*self.passes, *self._dropped):
            transition_pass.release()
        self.passes, self._dropped = [], []
