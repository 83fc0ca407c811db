"""The show's keys on the real photo pass (llvmpipe): next ends the hold at once, previous
brings an earlier photo's pixels back through the real pipeline and right steps forward
again, space pauses the hold (and Ken Burns), t pins the deck's transitions, v steps the
visualizer's modes, i shows the photo's caption made on another thread. The render thread
never waits: keys are taken from a deque, text comes from a worker."""

from __future__ import annotations

import random
import threading
import time
from collections import deque

import numpy as np
import pytest

from slideshow.gpu.caption_layer import CaptionLayer
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.pacing import FrameBudget
from slideshow.screensaver.input_exit import SHOW_KEYS
from slideshow.show.captions import (
    CAPTION_HOLD_S,
    FADE_S,
    Captions,
    TextLayout,
    TextWorker,
    caption_lines,
    rasterise,
)
from slideshow.show.controls import KEY_ACTIONS, ShowControls
from slideshow.show.history import PhotoHistory
from slideshow.show.timeline import KenBurnsSettings, Show
from tests.workers.hooks import solid_decoder, source, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

PERIOD_S = 1 / 60
SIZE = (64, 32)


class FakePhoto:
    """A decoded photo as the pipeline hands it out: one flat colour, its release noted."""

    def __init__(self, rgb: tuple[int, int, int], path: str = "") -> None:
        self.pixels = np.empty((SIZE[1], SIZE[0], 4), np.uint8)
        self.pixels[...] = (*rgb, 255)
        self.path, self.focus = path or f"{rgb}.png", (0.5, 0.5)
        self.released = False

    def release(self) -> None:
        self.released = True


class FakePipeline:
    """Stands in for the image pipeline: hands out the photos it is given; records what
    the controls tell a pipeline."""

    def __init__(self, *photos: FakePhoto) -> None:
        self.waiting = list(photos)
        self.shown: list[str] = []
        self.orders: list[tuple] = []

    def take_ready(self) -> FakePhoto | None:
        return self.waiting.pop(0) if self.waiting else None

    def mark_shown(self, path: str) -> None:
        self.shown.append(path)

    def request_first(self, paths, *, drop_older: bool = False) -> None:
        self.orders.append((tuple(paths), drop_older))


class Rig:
    """A show with its controls on the EGL surface; `frame()` runs one loop iteration."""

    def __init__(self, surface, photos, *, hold_s=0.1, transition_s=0.1, deck=None, modes=None,
                 overlay=None, texts=None, ken_burns=None, photo_pass=None, hud=None) -> None:
        self.surface = surface
        self.photo_pass = photo_pass or PhotoPass(surface.ctx, SIZE, deck=deck)
        self.show = Show(photos, self.photo_pass, overlay, hold_s=hold_s,
                         transition_s=transition_s, upload_budget_s=1.0, ken_burns=ken_burns)
        self.keys: deque[str] = deque()
        self.controls = ShowControls(self.show, self.keys, photos, PhotoHistory(), deck=deck,
                                     modes=modes, texts=texts, hud=hud)
        self.show.on_shown = self.controls.photo_shown
        self.budget = FrameBudget()
        self.budget.start(0.0, 1e9)
        self.began: list[int] = []  # frame numbers at which a transition began
        self.frames = 0

    def frame(self) -> np.ndarray:
        was_active = self.show.transition_active
        self.controls.drain(self.budget)
        self.controls.upload(self.budget)
        self.controls.step(PERIOD_S)
        self.surface.use()
        self.controls.draw()
        if self.show.transition_active and not was_active:
            self.began.append(self.frames)
        self.frames += 1
        self.surface.finish()
        shown = np.frombuffer(self.surface.read_pixels(), np.uint8).reshape(SIZE[1], SIZE[0], 4)[::-1]
        if not self.show.transition_active:  # as the loop does after the present
            self.controls.prepare_in_slack(1.0)
        return shown

    def run(self, frames: int) -> np.ndarray:
        shown = None
        for _ in range(frames):
            shown = self.frame()
        return shown

    def run_until(self, condition, limit: int = 600, pause_s: float = 0.0) -> np.ndarray:
        for _ in range(limit):
            shown = self.frame()
            if condition():
                return shown
            if pause_s:
                time.sleep(pause_s)
        raise AssertionError(f"not reached in {limit} frames; events: {list(self.show.events)[-12:]}")

    def release(self) -> None:
        self.photo_pass.release()


def centre(shown: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(v) for v in shown[SIZE[1] // 2, SIZE[0] // 2, :3])


RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def test_every_show_key_has_an_action_and_no_other():
    assert set(KEY_ACTIONS) == set(SHOW_KEYS)


def test_next_ends_the_hold_in_the_frame_that_takes_the_key(egl_surface):
    rig = Rig(egl_surface, FakePipeline(FakePhoto(RED), FakePhoto(GREEN)), hold_s=60.0)
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        rig.run(30)  # green is decoded, uploaded and composed meanwhile; the hold is a minute
        assert rig.began == [rig.began[0]] and centre(rig.frame()) == RED
        rig.keys.append("right")
        key_frame = rig.frames
        rig.frame()
        assert rig.began[-1] == key_frame, "the transition began in the frame that took the key"
        shown = rig.run_until(lambda: not rig.show.transition_active)
        assert centre(shown) == GREEN and rig.show.photos_shown == 2
    finally:
        rig.release()


def test_next_before_the_photo_is_ready_starts_the_transition_once_it_is(egl_surface):
    photos = FakePipeline(FakePhoto(RED))
    rig = Rig(egl_surface, photos, hold_s=60.0)
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        rig.keys.append("right")
        rig.run(20)
        assert len(rig.began) == 1  # nothing to show yet: the skip waits for a photo...
        photos.waiting.append(FakePhoto(BLUE))
        arrived = rig.frames
        rig.run_until(lambda: len(rig.began) == 2, limit=20)
        # ...and takes it as soon as it is ready: upload, 4 compose strips, then the start.
        assert rig.began[1] - arrived <= 7
        assert centre(rig.run_until(lambda: not rig.show.transition_active)) == BLUE
    finally:
        rig.release()


def test_pause_holds_past_the_hold_and_freezes_ken_burns_and_resume_continues(egl_surface):
    class RecordingPass(PhotoPass):
        def set_views(self, front, back) -> None:
            self.views = (front, back)
            super().set_views(front, back)

    photo_pass = RecordingPass(egl_surface.ctx, SIZE)
    rig = Rig(egl_surface, FakePipeline(FakePhoto(RED), FakePhoto(GREEN)), hold_s=0.1,
              photo_pass=photo_pass, ken_burns=KenBurnsSettings(1.0, 1.2, 0.05, seed=3))
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)  # red's hold began: 6 frames
        rig.run(2)
        rig.keys.append("space")
        rig.frame()
        views = photo_pass.views
        for _ in range(120):  # two seconds, twenty holds
            shown = rig.frame()
            assert not rig.show.transition_active and centre(shown) == RED
            assert photo_pass.views == views, "Ken Burns motion stands still while paused"
        rig.keys.append("space")
        resumed = rig.frames
        rig.run_until(lambda: len(rig.began) == 2, limit=20)
        # 2 frames of the hold before the pause, the pause frame itself counted none.
        assert rig.began[1] - resumed + 1 == 6 - 2
        assert photo_pass.views != views
    finally:
        rig.release()


def test_a_transition_running_when_paused_finishes(egl_surface):
    rig = Rig(egl_surface, FakePipeline(FakePhoto(RED), FakePhoto(GREEN)), hold_s=0.1, transition_s=0.2)
    try:
        rig.run_until(lambda: len(rig.began) == 2)
        rig.keys.append("space")
        shown = rig.run_until(lambda: not rig.show.transition_active, limit=13)
        assert centre(shown) == GREEN and rig.show.paused
    finally:
        rig.release()


def test_previous_brings_the_earlier_photos_back_and_right_steps_forward_again(egl_surface, tmp_path):
    from slideshow.workers.pipeline import ImagePipeline

    colours = [(30 * i, 200 - 20 * i, 100 + 15 * i) for i in range(8)]
    paths = [write_solid(tmp_path / f"p{i}.txt", rgb) for i, rgb in enumerate(colours)]
    pipeline = ImagePipeline(source(paths), SIZE, workers=1, ring_slots=3, decoder=solid_decoder)
    rig = Rig(egl_surface, pipeline, hold_s=0.2, transition_s=0.05)
    history = rig.controls.history

    def settle() -> tuple[int, int, int]:
        """Runs until the photo asked for is on screen, still; returns its colour."""
        shown = rig.run_until(lambda: not rig.show.transition_active and rig.show.skips == 0
                              and rig.show.photos_shown > settled[0], pause_s=0.002)
        settled[0] = rig.show.photos_shown
        return centre(shown)

    try:
        settled = [0]
        rig.run_until(lambda: history.current == paths[2] and not rig.show.transition_active,
                      pause_s=0.002)
        rig.keys.append("space")  # paused: from now on only the keys change photos
        rig.run(30)  # p3 is decoded and composed, waiting behind the pause
        settled[0] = rig.show.photos_shown
        assert centre(rig.frame()) == colours[2]
        steps = []
        for key in ("left", "left", "right", "right", "right", "right"):
            rig.keys.append(key)
            steps.append(settle())
        assert steps == [colours[1], colours[0], colours[1], colours[2], colours[3], colours[4]]
        # p3 and p4 were decoded ahead and dropped by the first left: they came back, in order.
        assert history.paths[:5] == tuple(paths[:5]) and history.current == paths[4]
    finally:
        rig.release()
        pipeline.close()


def test_left_at_the_first_photo_changes_nothing(egl_surface):
    photos = FakePipeline(FakePhoto(RED), FakePhoto(GREEN))
    rig = Rig(egl_surface, photos, hold_s=60.0)
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        rig.keys.append("left")
        shown = rig.run(30)
        assert centre(shown) == RED and photos.orders == [] and len(rig.began) == 1
    finally:
        rig.release()


def test_t_pins_each_transition_of_the_pool_in_turn_then_random_again(egl_surface, tmp_path):
    from slideshow.gpu.transition_deck import TransitionDeck

    deck = TransitionDeck(egl_surface.ctx, ("wipe-left", "wipe-right", "crossfade"), "linear",
                          str(tmp_path), rng=random.Random(1))
    photos = FakePipeline(*[FakePhoto((i * 20, 0, 0)) for i in range(12)])
    rig = Rig(egl_surface, photos, hold_s=0.05, transition_s=0.05, deck=deck)
    try:
        rig.run_until(lambda: deck.ready == deck.names)  # made ready while the photos are held
        picked = []
        for _ in range(len(deck.names)):
            rig.keys.append("t")
            for _ in range(2):  # two photo changes with the pin
                count = len(rig.began)
                rig.run_until(lambda: len(rig.began) > count)
                picked.append(rig.photo_pass.transition_name)
        assert picked == [name for name in deck.names for _ in range(2)]
        rig.keys.append("t")
        rig.frame()
        assert deck.pinned is None
        notes = [text for _, text in rig.show.events if text.startswith("key t")]
        assert notes == [f"key t: transition: {name}" for name in deck.names] + [
            "key t: transitions: random"]
    finally:
        rig.release()
        deck.release()


def test_v_steps_the_visualizer_through_its_modes_and_off_draws_nothing(egl_surface):
    from slideshow.gpu.visualizer import Visualizer

    class FakeLoudBlock:
        bands = np.full(16, 0.9, np.float32)
        waveform = np.sin(np.linspace(0, 12, 256)).astype(np.float32)
        kicks = snares = 0
        silent = False

    class FakeLoudOverlay:  # the audio overlay's part the show uses, fed a loud steady signal
        kicks, beat, bass = 0, 0.0, 0.0

        def drain(self) -> None: ...

        def step(self, dt_s: float) -> None:
            visualizer.update(FakeLoudBlock(), dt_s)

        def draw(self) -> None:
            visualizer.draw()

    visualizer = Visualizer(egl_surface.ctx, area=(0.0, 0.0, 1.0, 0.5), bands=16)
    rig = Rig(egl_surface, FakePipeline(FakePhoto(BLUE)), hold_s=60.0, modes=visualizer,
              overlay=FakeLoudOverlay())
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        drawn = {}
        for expected in ("scope", "waves", "off", "bars"):
            rig.keys.append("v")
            shown = rig.run(2)
            assert visualizer.mode == expected
            drawn[expected] = int((shown[:, :, :3] != BLUE).any(axis=2).sum())
        assert drawn["off"] == 0, "off: nothing over the photo"
        assert all(drawn[mode] > 0 for mode in ("scope", "waves", "bars")), drawn
        assert visualizer.activity == 1.0  # the animation kept running while off
    finally:
        rig.release()
        visualizer.release()


# -- captions ------------------------------------------------------------------------------


@pytest.fixture
def captions_on(egl_surface):
    """Real caption layers and a real worker whose rasteriser the test can hold up."""
    layout = TextLayout.for_display(SIZE)
    gate = {"started": threading.Event(), "go": threading.Event(), "threads": []}

    def held_raster(lines, font_px, max_size):
        gate["threads"].append(threading.get_ident())
        gate["started"].set()
        assert gate["go"].wait(10.0)
        return rasterise(lines, font_px, max_size)

    layers = {"caption": CaptionLayer(egl_surface.ctx, layout.caption_max, "top-left", layout.margin_px),
              "notice": CaptionLayer(egl_surface.ctx, layout.notice_max, "top-right", layout.margin_px)}
    captions = Captions(TextWorker(layout, "test", raster=held_raster), layers)
    yield captions, layout, gate
    gate["go"].set()
    captions.close()
    for layer in layers.values():
        layer.release()


def test_i_shows_the_caption_made_off_the_render_thread_and_it_fades(egl_surface, captions_on, tmp_path):
    captions, layout, gate = captions_on
    path = tmp_path / "beach.png"
    path.write_bytes(b"")  # a file to take the date from (its modification date)
    rig = Rig(egl_surface, FakePipeline(FakePhoto(GREEN, str(path))), hold_s=60.0, texts=captions)
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        before = rig.frame()
        rig.keys.append("i")
        rig.frame()
        assert gate["started"].wait(10.0), "the worker took the job"
        slowest_s = 0.0
        for _ in range(30):  # the worker is held up: frames keep coming, nothing changes
            started_s = time.perf_counter()
            shown = rig.frame()
            slowest_s = max(slowest_s, time.perf_counter() - started_s)
            assert np.array_equal(shown, before)
        assert slowest_s < 0.25
        gate["go"].set()
        deadline = time.monotonic() + 10
        while captions.shown["caption"] is None and time.monotonic() < deadline:
            shown = rig.frame()
        image = captions.shown["caption"]
        assert image is not None and image.text.startswith("beach.png | ")
        assert str(tmp_path.name) in image.text and "(file date)" in image.text
        assert gate["threads"] and threading.get_ident() not in gate["threads"]
        assert image.made_on != threading.get_ident()
        shown = rig.frame()
        # Top-left corner: the premultiplied text image over the green photo, pixel for pixel.
        height, width = image.pixels.shape[:2]
        top, left = layout.margin_px, layout.margin_px
        corner = shown[top:top + height, left:left + width, :3].astype(int)
        alpha = image.pixels[..., 3:].astype(int)
        expected = image.pixels[..., :3].astype(int) + (np.array(GREEN) * (255 - alpha) + 127) // 255
        assert np.abs(corner - expected).max() <= 2
        assert (corner != GREEN).any(axis=2).sum() > 0.5 * width * height
        assert (image.pixels[..., 0] > 200).any(), "light text on the dark panel"
        rig.run(round((CAPTION_HOLD_S + FADE_S) / PERIOD_S))
        assert np.array_equal(rig.frame(), before), "faded out"
    finally:
        rig.release()


def test_space_says_paused_until_resumed(egl_surface, captions_on):
    captions, layout, gate = captions_on
    gate["go"].set()
    rig = Rig(egl_surface, FakePipeline(FakePhoto(RED)), hold_s=60.0, texts=captions)
    try:
        rig.run_until(lambda: rig.show.photos_shown == 1)
        rig.keys.append("space")
        rig.run_until(lambda: captions.shown["notice"] is not None, pause_s=0.002)
        assert captions.shown["notice"].text == "paused"
        shown = rig.run(round(5 / PERIOD_S))  # five seconds later: still said
        assert (shown[:, SIZE[0] // 2:, :3] != RED).any()
        rig.keys.append("space")
        rig.run_until(lambda: captions.shown["notice"].text == "playing", pause_s=0.002)
        shown = rig.run(round(3 / PERIOD_S))
        assert (shown[..., :3] == RED).all(), "the notice faded"
    finally:
        rig.release()


def test_caption_lines_take_the_exif_date_and_fall_back_to_the_file_date(tmp_path):
    from PIL import Image

    image = Image.new("RGB", (8, 8), (10, 20, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2021:07:14 18:03:22"
    dated = tmp_path / "trip" / "dated.jpg"
    dated.parent.mkdir()
    image.save(dated, exif=exif)
    plain = tmp_path / "plain.png"
    image.save(plain)
    name, date, folder = caption_lines(str(dated))
    assert (name, date) == ("dated.jpg", "14 July 2021, 18:03") and folder.endswith("trip")
    assert caption_lines(str(plain))[1].endswith("(file date)")


def test_rasterised_text_depends_on_the_words_and_fits_its_box():
    first = rasterise(["beach.png"], 20, (400, 200))
    second = rasterise(["ocean.png"], 20, (400, 200))
    longer = rasterise(["a longer file name.png"], 20, (400, 200))
    assert first.shape[0] == second.shape[0] and not np.array_equal(first[:, :120], second[:, :120])
    assert longer.shape[1] > first.shape[1] + 100  # the panel is as wide as the words
    assert (first[..., :3] <= first[..., 3:]).all(), "premultiplied"
    long = rasterise(["a" * 500, "date", "/very/long/" * 40], 20, (300, 50))
    assert long.shape[0] <= 50 and long.shape[1] <= 300


class FakeHud:
    """Records the HUD calls the controls make; `broken` makes every call raise."""

    def __init__(self, broken: bool = False) -> None:
        self.visible, self.broken = False, broken
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.broken:
            raise RuntimeError("the HUD broke")

    def toggle(self) -> bool:
        self._call("toggle")
        self.visible = not self.visible
        return self.visible

    def begin_frame(self) -> None:
        self._call("begin")

    def draw(self) -> None:
        self._call("draw")


def test_p_toggles_the_hud_which_brackets_every_frame_drawn(egl_surface):
    hud = FakeHud()
    rig = Rig(egl_surface, FakePipeline(FakePhoto((200, 10, 10))), hud=hud)
    try:
        rig.frame()
        rig.keys.extend(["p"])
        rig.frame()
        rig.keys.extend(["p"])
        rig.frame()
    finally:
        rig.release()
    # Drawn in every frame (it draws nothing while off): the GPU timer starts before the
    # show draws, the HUD draws last, over everything.
    assert hud.calls == ["begin", "draw", "toggle", "begin", "draw", "toggle", "begin", "draw"]
    notes = [text for _, text in rig.show.events if text.startswith("key p")]
    assert notes == ["key p: frame graph on", "key p: frame graph off"]


def test_a_failing_hud_is_switched_off_and_the_show_goes_on(egl_surface):
    hud = FakeHud(broken=True)
    rig = Rig(egl_surface, FakePipeline(FakePhoto((200, 10, 10)), FakePhoto((10, 200, 10))),
              hud=hud)
    try:
        for _ in range(30):
            rig.frame()
        # begin and draw fail each frame: five failures switch it off within three frames.
        assert hud.calls == ["begin", "draw", "begin", "draw", "begin"]
        assert rig.controls.hud_guard.on is False
        rig.keys.extend(["p"])
        rig.frame()
    finally:
        rig.release()
    assert hud.calls[-1] == "begin" and "key p: no HUD" in [t for _, t in rig.show.events]
    assert rig.show.photos_shown >= 1
