"""The show's timing rules with the real photo pass on llvmpipe: a transition starts only
once the next photo's texture is complete on the GPU (its fence has signalled) and composed,
a photo that is late keeps the current one on screen, and a slot is given back as soon as
its pixels are copied out. llvmpipe signals every fence at once, so the GPU's lag is played
by a fence that stays unsignalled until the test opens it."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.gpu.photo_pass import PhotoPass
from slideshow.pacing import FrameBudget
from slideshow.show.timeline import Show

PERIOD_S = 1 / 60


class FakeFenceUnsignalledUntilOpened:
    """Stands in for a GPU still busy with an upload: signalled only once `opened`."""

    opened = False

    def signalled(self) -> bool:
        return FakeFenceUnsignalledUntilOpened.opened

    def delete(self) -> None: ...


class FakePhoto:
    """A decoded photo as the pipeline hands it out: one flat colour."""

    def __init__(self, rgb: tuple[int, int, int], size=(64, 32)) -> None:
        self.pixels = np.empty((size[1], size[0], 4), np.uint8)
        self.pixels[...] = (*rgb, 255)
        self.path = f"{rgb}.png"
        self.released = False

    def release(self) -> None:
        self.released = True


class FakePipeline:
    """Stands in for the image pipeline: hands out the photos it is given, and nothing
    while its list is empty."""

    def __init__(self) -> None:
        self.waiting: list[FakePhoto] = []

    def take_ready(self) -> FakePhoto | None:
        return self.waiting.pop(0) if self.waiting else None


@pytest.fixture
def rig(egl_surface):
    FakeFenceUnsignalledUntilOpened.opened = False
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, fence_factory=FakeFenceUnsignalledUntilOpened)
    source = FakePipeline()
    show = Show(source, photo_pass, None, hold_s=0.1, transition_s=0.1, upload_budget_s=0.01)
    yield show, source, photo_pass, egl_surface
    photo_pass.release()


def frame(show: Show, surface, budget: FrameBudget | None = None) -> np.ndarray:
    if budget is None:
        budget = FrameBudget()
        budget.start(0.0, 1e9)  # plenty of time: these tests are about order, not speed
    show.drain(budget)
    show.upload(budget)
    show.step(PERIOD_S)
    surface.use()
    show.draw()
    surface.finish()
    return np.frombuffer(surface.read_pixels(), np.uint8).reshape(32, 64, 4)[::-1]


def test_no_transition_before_the_fence_signals_and_the_slot_is_freed_once_copied(rig):
    show, source, _, surface = rig
    red, green = FakePhoto((255, 0, 0)), FakePhoto((0, 255, 0))
    source.waiting.append(red)
    for _ in range(30):  # half a second: far past the hold time
        shown = frame(show, surface)
        assert not show.transition_active
        assert (shown[..., :3] == 0).all()  # still the black start frame
    assert red.released, "the ring slot waits for nothing once the pixels are in the PBO"
    FakeFenceUnsignalledUntilOpened.opened = True
    frame(show, surface)
    # The first photo, nothing on screen yet: composed whole and fading in at once.
    assert show.transition_active
    for _ in range(10):
        shown = frame(show, surface)
    assert tuple(shown[16, 32, :3]) == (255, 0, 0) and show.photos_shown == 1
    FakeFenceUnsignalledUntilOpened.opened = False
    source.waiting.append(green)
    for _ in range(30):
        shown = frame(show, surface)
        assert not show.transition_active and tuple(shown[16, 32, :3]) == (255, 0, 0)
    assert green.released
    FakeFenceUnsignalledUntilOpened.opened = True
    frames_until_transition = 0
    while not show.transition_active:
        frame(show, surface)
        frames_until_transition += 1
        assert frames_until_transition < 20
    # Any later photo: pump sees the fence, compose takes 4 strips (one a frame), then
    # one more frame.
    assert frames_until_transition >= 5
    for _ in range(10):
        shown = frame(show, surface)
    assert tuple(shown[16, 32, :3]) == (0, 255, 0) and show.photos_shown == 2


def test_a_late_photo_keeps_the_current_one_on_screen(rig):
    show, source, _, surface = rig
    FakeFenceUnsignalledUntilOpened.opened = True
    source.waiting.append(FakePhoto((0, 0, 255)))
    for _ in range(20):
        frame(show, surface)
    assert show.photos_shown == 1
    for _ in range(60):  # a second with nothing decoded: hold 0.1 s is long gone
        shown = frame(show, surface)
        assert not show.transition_active
        assert tuple(shown[16, 32, :3]) == (0, 0, 255)
    assert show.late_photos == 1  # counted once per late photo, not once per frame
    source.waiting.append(FakePhoto((0, 255, 0)))
    for _ in range(20):
        shown = frame(show, surface)
    assert show.photos_shown == 2 and tuple(shown[16, 32, :3]) == (0, 255, 0)


def test_events_tell_a_photo_change_in_order_with_frame_numbers(rig):
    show, source, _, surface = rig
    FakeFenceUnsignalledUntilOpened.opened = True
    source.waiting.append(FakePhoto((0, 0, 255)))
    for _ in range(30):  # the first photo's change, then 0.1 s of hold with nothing decoded
        frame(show, surface)
    source.waiting.append(FakePhoto((0, 255, 0)))
    for _ in range(30):  # the second's
        frame(show, surface)
    texts = [text for _, text in show.events]
    change = ["upload begins", "upload copied out of the ring", "upload complete on the GPU",
              "composed"]
    assert texts == ["photo taken: (0, 0, 255).png", *change, "transition begins: crossfade",
                     "transition ends", "next photo late: holding this one",
                     "photo taken: (0, 255, 0).png", *change, "transition begins: crossfade",
                     "transition ends", "next photo late: holding this one"]
    frames = [at for at, _ in show.events]
    assert frames == sorted(frames) and frames[0] == 0
    # The first photo: taken and its upload begun in one frame; in the next, copied whole,
    # complete (llvmpipe's fences signal at once), composed whole and fading in.
    assert frames[:6] == [0, 0, 1, 1, 1, 1]
    assert frames[6] - frames[5] == round(0.1 * 60) and frames[7] - frames[6] == round(0.1 * 60)
    # A later one: compose takes a strip a frame, from the frame after the texture is
    # complete; the transition starts the frame after it is composed.
    second = frames[8:]
    assert second[4] == second[3] + 4 and second[5] == second[4] + 1


def test_transitions_are_made_ready_only_while_a_photo_is_held_and_the_first_fades_in_by_the_crossfade(
        egl_surface, tmp_path):
    from slideshow.gpu.transition_deck import TransitionDeck

    FakeFenceUnsignalledUntilOpened.opened = True
    deck = TransitionDeck(egl_surface.ctx, ("wipe-left", "wipe-right", "wipe-up"), "linear",
                          str(tmp_path))
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, deck=deck)
    source = FakePipeline()
    source.waiting += [FakePhoto((255, 0, 0)), FakePhoto((0, 255, 0)), FakePhoto((0, 0, 255))]
    show = Show(source, photo_pass, None, hold_s=0.1, transition_s=0.1, upload_budget_s=0.01)
    when_ready = []
    deck.on_ready = lambda name, _: when_ready.append((show.photos_shown, show.transition_active))
    try:
        for _ in range(60):
            frame(show, egl_surface)
            show.prepare_in_slack(1.0)  # asked every frame: the show says when it may
        assert show.photos_shown == 3
        assert deck.ready == deck.names
        assert all(shown >= 1 and not active for shown, active in when_ready), when_ready
        begun = [text for _, text in show.events if text.startswith("transition begins")]
        assert begun[0] == "transition begins: crossfade"  # nothing was ready for the first
        assert all(text.split(": ")[1] in deck.names for text in begun[1:]), begun
    finally:
        photo_pass.release()
        deck.release()


@pytest.mark.parametrize("transition_s", [0.1, 0.0])
def test_the_first_photo_frame_is_the_first_showing_it_and_its_present_time_is_kept(rig, transition_s):
    show, source, _, surface = rig
    show.transition_s = transition_s
    FakeFenceUnsignalledUntilOpened.opened = True
    source.waiting.append(FakePhoto((255, 0, 0)))
    budget = FrameBudget()
    budget.start(0.0, 1e9)
    shown_at = None
    for index in range(40):
        pixels = frame(show, surface, budget)
        if shown_at is None and pixels[16, 32, 0] > 0:
            shown_at = index
        budget.start(100.0 + index, 1e9)  # this frame's present, as the loop starts the next
    assert shown_at is not None and show.first_photo_frame == shown_at
    assert show.first_photo_present_s == 100.0 + shown_at


def test_motion_names_the_upload_and_compose_steps_of_a_photos_way_in_for_the_governor(rig):
    from slideshow.pacing.governor import COMPOSE_STEP, STILL, UPLOAD_STEP

    show, source, _, surface = rig
    FakeFenceUnsignalledUntilOpened.opened = True
    source.waiting.append(FakePhoto((0, 0, 255)))
    for _ in range(30):  # the first photo, then a hold with nothing decoded
        frame(show, surface)
    source.waiting.append(FakePhoto((0, 255, 0)))
    budget = FrameBudget()
    budget.start(0.0, 1e9)
    motions = []
    for _ in range(12):
        show.drain(budget)
        show.upload(budget)
        show.step(PERIOD_S)
        motions.append(show.motion)  # what the loop hands the governor, before the draw
        surface.use()
        show.draw()
    # taken and begun, copied and complete, 4 compose strips, then the transition (its
    # name) from the frame the photo is ready in.
    assert motions[:7] == [UPLOAD_STEP, UPLOAD_STEP] + [COMPOSE_STEP] * 4 + ["crossfade"]
    assert STILL not in motions[:7]
