"""Audio-reactive motion (off by default): the next transition waits for a kick after the
hold (at most beat_wait_s), a kick nudges the Ken Burns zoom inward (never outside the
photo), and transitions get the bass energy. The show never waits for any of it: every
frame still steps and draws."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.gpu.photo_pass import PhotoPass
from slideshow.pacing import FrameBudget
from slideshow.show.timeline import AudioMotionSettings, KenBurnsSettings, Show

PERIOD_S = 1 / 60


class FakeBeatOverlay:
    """Stands in for the audio overlay with music whose kicks and bass the test sets."""

    def __init__(self) -> None:
        self.kicks, self.beat, self.bass = 0, 0.0, 0.0
        self.steps = 0

    def drain(self) -> None: ...

    def step(self, dt_s: float) -> None:
        self.steps += 1

    def draw(self) -> None: ...


class FakePhoto:
    """A decoded photo as the pipeline hands it out: one flat colour."""

    def __init__(self, rgb) -> None:
        self.pixels = np.empty((32, 64, 4), np.uint8)
        self.pixels[...] = (*rgb, 255)
        self.path, self.focus = f"{rgb}.png", (0.5, 0.5)

    def release(self) -> None: ...


class FakePipeline:
    """Stands in for the image pipeline: `count` photos, ready at once."""

    def __init__(self, count: int) -> None:
        self.waiting = [FakePhoto((40 * i, 80, 200 - 40 * i)) for i in range(count)]

    def take_ready(self):
        return self.waiting.pop(0) if self.waiting else None


def run_frames(show: Show, surface, frames: int, on_frame=None) -> list[int]:
    """Runs frames; returns the frame numbers at which a transition began."""
    budget = FrameBudget()
    budget.start(0.0, 1e9)
    began, was_active = [], False
    for frame in range(frames):
        if on_frame is not None:
            on_frame(frame)
        show.drain(budget)
        show.upload(budget)
        show.step(PERIOD_S)
        surface.use()
        show.draw()
        if show.transition_active and not was_active:
            began.append(frame)
        was_active = show.transition_active
    surface.finish()
    return began


@pytest.fixture
def photo_pass(egl_surface):
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size)
    yield photo_pass
    photo_pass.release()


def test_the_next_transition_starts_on_a_kick_after_the_hold(egl_surface, photo_pass):
    beats = FakeBeatOverlay()
    show = Show(FakePipeline(2), photo_pass, beats, hold_s=0.1, transition_s=0.1, upload_budget_s=1.0,
                audio_motion=AudioMotionSettings(beat_transitions=True, beat_wait_s=5.0))

    def kick_at_frame_60(frame: int) -> None:
        if frame == 60:
            beats.kicks += 1

    began = run_frames(show, egl_surface, 90, kick_at_frame_60)
    # The first photo fades in as soon as it is ready (its upload's fence decides which
    # frame that is: a busy machine takes a few dozen), without waiting for a kick; the
    # second waits for the kick, long after its 0.1 s hold ended.
    assert len(began) == 2 and began[0] < 60 and began[1] == 60
    assert beats.steps == 90  # every frame stepped: nothing waited


def test_without_a_kick_the_transition_starts_once_the_wait_is_over(egl_surface, photo_pass):
    show = Show(FakePipeline(2), photo_pass, FakeBeatOverlay(), hold_s=0.1, transition_s=0.1,
                upload_budget_s=1.0, audio_motion=AudioMotionSettings(beat_transitions=True,
                                                                      beat_wait_s=0.5))
    began = run_frames(show, egl_surface, 120)
    assert len(began) == 2
    held_frames = began[1] - (began[0] + round(0.1 * 60))  # from the end of the first fade in
    assert held_frames == round((0.1 + 0.5) * 60)


def test_a_kick_zooms_in_within_the_photo_and_the_bass_reaches_transitions(egl_surface):
    class RecordingPass(PhotoPass):
        def set_views(self, front, back) -> None:
            self.views = (front, back)
            super().set_views(front, back)

        def set_audio_energy(self, energy: float) -> None:
            self.energy = energy
            super().set_audio_energy(energy)

    photo_pass = RecordingPass(egl_surface.ctx, egl_surface.size)
    try:
        beats = FakeBeatOverlay()
        show = Show(FakePipeline(1), photo_pass, beats, hold_s=5.0, transition_s=0.1,
                    upload_budget_s=1.0,
                    ken_burns=KenBurnsSettings(1.0, 1.1, 0.01, seed=1),
                    audio_motion=AudioMotionSettings(beat_zoom=0.2, energy=True))
        run_frames(show, egl_surface, 20)
        calm = photo_pass.views[0]
        beats.beat, beats.bass = 1.0, 0.7
        run_frames(show, egl_surface, 1)
        x, y, width, height = photo_pass.views[0]
        assert width == pytest.approx(calm[2] / 1.2, rel=0.02)  # zoomed in by the kick
        assert x >= 0 and y >= 0 and x + width <= 1 and y + height <= 1
        assert (x + width / 2, y + height / 2) == pytest.approx(
            (calm[0] + calm[2] / 2, calm[1] + calm[3] / 2), abs=0.01)  # about the same centre
        assert photo_pass.energy == 0.7
    finally:
        photo_pass.release()
