"""The GPU warm-up before a transition: for the last `gpu_warm_s` of a hold the coming
transition is drawn unseen each frame (so a GPU has raised its clocks when it starts), it
is the very transition that then runs, nothing shows on screen, and software renderers
never do it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from slideshow.config import load_config
from slideshow.display import gpu_warm_seconds
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.gpu.transition_deck import TransitionDeck
from slideshow.pacing import FrameBudget
from slideshow.show import Show


class Photo:
    def __init__(self, rgb) -> None:
        self.pixels = np.empty((32, 64, 4), np.uint8)
        self.pixels[...] = (*rgb, 255)
        self.path, self.focus = f"{rgb}.png", (0.5, 0.5)

    def release(self) -> None: ...


class Photos:
    def __init__(self) -> None:
        self.waiting = [Photo((200, 0, 0)), Photo((0, 0, 200))]

    def take_ready(self):
        return self.waiting.pop(0) if self.waiting else None


class WarmCounting(PhotoPass):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.warm_frames: list[int] = []
        self.frame = 0
        self.warmed: set[str] = set()

    def warm_gpu(self) -> None:
        super().warm_gpu()
        self.warm_frames.append(self.frame)
        self.warmed.add(self._upcoming.transition.name)


def test_the_coming_transition_is_drawn_unseen_in_the_last_part_of_the_hold(egl_surface, tmp_path):
    ctx = egl_surface.ctx
    deck = TransitionDeck(ctx, ("wipe-left", "wipe-right", "slide-up"), "linear", str(tmp_path))
    photo_pass = WarmCounting(ctx, egl_surface.size, deck=deck, gpu_warm_target=True)
    show = Show(Photos(), photo_pass, None, hold_s=0.5, transition_s=0.1, upload_budget_s=1.0,
                gpu_warm_s=0.1)
    budget = FrameBudget()
    budget.start(0.0, 1e9)
    began = []
    try:
        photo_pass.warm_up()
        for frame in range(90):
            photo_pass.frame = frame
            show.drain(budget)
            show.upload(budget)
            active = show.transition_active
            show.step(1 / 60)
            if show.transition_active and not active:
                began.append((frame, photo_pass.transition_name))
            egl_surface.use()
            show.draw()
            egl_surface.finish()
            shown = np.frombuffer(egl_surface.read_pixels(), np.uint8).reshape(32, 64, 4)
            if show.photos_shown == 1 and not show.transition_active:
                assert (shown[..., :3] == (200, 0, 0)).all()  # the warm-up draws are unseen
        (_, first), (second_frame, second) = began
        # the first photo's fade-in is not warmed (nothing was held before it); the second
        # transition is, for the hold's last 0.1 s (6 frames), right before it begins
        assert photo_pass.warm_frames == list(range(second_frame - 6, second_frame))
        assert photo_pass.warmed == {second}
        assert ctx.error == "GL_NO_ERROR"
    finally:
        photo_pass.release()
        deck.release()


def test_never_on_a_software_renderer():
    config = load_config(Path(__file__).with_name("empty.toml"))
    assert gpu_warm_seconds(config, "llvmpipe (LLVM 15.0.6, 256 bits)") == 0.0
    assert gpu_warm_seconds(config, "NVIDIA H100 80GB HBM3/PCIe/SSE2") == 0.25
