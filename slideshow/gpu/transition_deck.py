"""The transitions a show draws from: one compiled, warmed-up pass per transition in the
configured pool, and the random pick (never the same twice in a row) at each photo change.

Every program is built and drawn once before the first frame: drivers compile for real at
the first draw (llvmpipe's JIT takes tens of ms), which must not land in a transition.
"""

from __future__ import annotations

import random
from pathlib import Path

import moderngl

from slideshow.errors import ConfigError
from slideshow.gpu.transitions import (
    TransitionError, TransitionLibrary, TransitionPass, choose, default_user_folder)


class TransitionDeck:
    def __init__(self, ctx: moderngl.Context, pool: tuple[str, ...], easing: str,
                 folder: str = "", rng: random.Random | None = None) -> None:
        library = TransitionLibrary(Path(folder).expanduser() if folder else default_user_folder())
        library.validate(ctx)
        specs = library.names if "all" in pool else list(pool)
        try:
            transitions = library.select(specs)
        except TransitionError as exc:
            raise ConfigError(f"config key transitions.pool = {list(pool)!r}: {exc}") from None
        if not transitions:
            raise ConfigError("config key transitions.pool names no transition that compiles; "
                              f"available: {', '.join(library.names)}")
        self.passes = [TransitionPass(ctx, t, easing=easing) for t in transitions]
        self._rng = rng or random.Random()
        self._current: TransitionPass | None = None

    @property
    def names(self) -> list[str]:
        return [p.transition.name for p in self.passes]

    def warm_up(self, from_tex: moderngl.Texture, to_tex: moderngl.Texture) -> None:
        """Draws every pass once into the bound framebuffer (see the module docstring)."""
        for transition_pass in self.passes:
            transition_pass.draw(from_tex, to_tex, 0.5)

    def next(self) -> TransitionPass:
        """The pass for the next photo change: random, not the previous one again."""
        self._current = choose(self._rng, self.passes, self._current)
        return self._current

    def release(self) -> None:
        for transition_pass in self.passes:
            transition_pass.release()
        self.passes = []
