"""The frame's error policy (slideshow/loop.py's docstring) on a real headless show: an
exception from the core ends the run with one message naming the display, the frame and the
phase, chained to the original; an exception from an optional layer (the visualizer, the
captions, Ken Burns) is logged, counted and switches that layer off while the photos go on.

The faults are injected into the real parts (monkeypatched methods); everything else is
real: decode workers, shared memory, EGL on llvmpipe."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.cli import main
from slideshow.config import Config, load_config
from slideshow.errors import FrameError
from slideshow.loop import PHASES, FrameLoop
from slideshow.pacing import FrameStats, GcControl, PhaseTimer, VsyncClock
from slideshow.pacing.fake_time import FakeTime
from slideshow.pacing.presenter import Presenter
from slideshow.run.app import run_show
from tests.support import EMPTY_TOML, run_in_fresh_process

RED = (220, 30, 40)
MAX_ERRORS = 5  # slideshow.show.layer_guard.MAX_LAYER_ERRORS


@pytest.fixture
def red_photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(2):
        Image.new("RGB", (320, 180), RED).save(folder / f"red-{index}.png")
    return folder


def show_config(folder: Path, **overrides: object) -> Config:
    settings = {"show.paths": [str(folder)], "display.size": "160x90", "show.interval_s": 0.5,
                "show.transition_s": 0.1, "workers.image_workers": 1, "audio.source": "synthetic",
                "transitions.pool": "crossfade"}
    settings.update(overrides)
    return load_config(EMPTY_TOML, settings)


class UploadLost(RuntimeError):
    pass


def break_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    from slideshow.gpu.photo_pass import PhotoPass

    def pump_upload(self, budget_s: float) -> tuple[bool, bool]:
        raise UploadLost("the staging buffer is gone")

    monkeypatch.setattr(PhotoPass, "pump_upload", pump_upload)


def test_an_exception_in_the_core_ends_the_run_naming_display_frame_and_phase(red_photos, monkeypatch):
    break_uploads(monkeypatch)
    with pytest.raises(FrameError) as caught:
        run_show(show_config(red_photos), headless=True, frames=3000)
    message = str(caught.value)
    assert message.startswith("display window: frame ")
    assert message.endswith("failed in its upload phase: UploadLost: the staging buffer is gone")
    frame = int(message.split("frame ")[1].split()[0])
    assert frame > 0  # the first upload comes once a photo is decoded, frames after the start
    assert isinstance(caught.value.__cause__, UploadLost)
    assert multiprocessing.active_children() == []  # the run closed its workers on the way out


def test_the_cli_reports_a_core_failure_as_one_line_and_exit_2(red_photos, monkeypatch, capsys):
    break_uploads(monkeypatch)
    status = main(["bench", str(red_photos), "--headless", "--size", "160x90", "--frames", "3000",
                   "--config", str(EMPTY_TOML), "--interval", "0.5", "--transition", "0.1",
                   "--set", "workers.image_workers=1"])
    err = capsys.readouterr().err
    assert status == 2
    lines = [line for line in err.splitlines() if line.startswith("slideshow: error:")]
    assert len(lines) == 1 and "in its upload phase: UploadLost" in lines[0]
    assert "Traceback" not in err


class FakeRaisingScene:
    """A scene whose draw raises at a chosen frame (counted from 0)."""

    transition_active = False
    motion = ""

    def __init__(self, fail_at_frame: int) -> None:
        self.fail_at_frame, self.frames = fail_at_frame, 0

    def drain(self, budget) -> None: ...
    def upload(self, budget) -> None: ...
    def prepare_in_slack(self, slack_s: float) -> None: ...
    def step(self, dt_s: float) -> None: ...

    def draw(self, scale: float = 1.0) -> None:
        if self.frames == self.fail_at_frame:
            raise ZeroDivisionError("the scene divided by zero")
        self.frames += 1


class FakeInstantSurface:
    """Stands in for a surface in a loop test that needs no pixels."""

    swap_never_blocks = True

    def __init__(self, time: FakeTime) -> None:
        self.time = time

    def poll(self) -> None: ...
    def use(self) -> None: ...
    def finish(self) -> None: ...
    def should_close(self) -> bool:
        return False

    def swap(self) -> None:
        self.time.advance(0.0005)


def test_the_loop_names_the_frame_and_phase_and_leaves_the_frame_closed_for_the_collector():
    time = FakeTime(start_s=10.0, read_cost_s=1e-6)  # the pacer spins on reads of the clock
    surface = FakeInstantSurface(time)
    period_s = 1 / 60
    gc_control = GcControl("frame", now=time.now)
    loop = FrameLoop(surface, FakeRaisingScene(fail_at_frame=7),
                     Presenter(surface, period_s, "paced", now=time.now, sleep=time.sleep),
                     VsyncClock(period_s), FrameStats(period_s, 64), PhaseTimer(PHASES, 64),
                     gc_control, now=time.now, display="DP-2")
    try:
        with pytest.raises(FrameError, match=r"^display DP-2: frame 7 failed in its draw phase: "
                                             r"ZeroDivisionError: the scene divided by zero$"):
            loop.run(lambda: True)
        assert loop.frames == 7
        assert gc_control._frames_open == 0  # a young collection may run after the failure
    finally:
        gc_control.close()


def layer_failures(caplog: pytest.LogCaptureFixture, layer: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "slideshow.show.layer_guard"
            and f"the {layer} " in r.getMessage()]


def test_failing_optional_layers_are_switched_off_and_the_photos_go_on(red_photos, monkeypatch, caplog):
    from slideshow.show.audio_overlay import AudioOverlay
    from slideshow.show.captions import Captions
    from slideshow.show.ken_burns import KenBurnsMotion

    calls = {"visualizer": 0, "captions": 0, "Ken Burns motion": 0}

    def failing(layer: str, exc: Exception):
        def method(self, *args: object) -> None:
            calls[layer] += 1
            raise exc
        return method

    # In frames (a failure while the parts are built is a start-up failure, not this policy).
    monkeypatch.setattr(AudioOverlay, "draw", failing("visualizer", IndexError("band 99")))
    monkeypatch.setattr(Captions, "draw", failing("captions", OSError("font file vanished")))
    monkeypatch.setattr(KenBurnsMotion, "view_at", failing("Ken Burns motion", ValueError("zoom nan")))
    with caplog.at_level(logging.INFO):
        [report] = run_show(show_config(red_photos, **{"ken_burns.enabled": "on"}), headless=True,
                            frames=600, capture_last_frame=True).displays
    for layer, expected in (("visualizer", "IndexError: band 99"),
                            ("captions", "OSError: font file vanished"),
                            ("Ken Burns motion", "ValueError: zoom nan")):
        records = layer_failures(caplog, layer)
        messages = [r.getMessage() for r in records]
        assert len(records) == MAX_ERRORS + 1, messages  # first, 4 counted, the switch-off line
        assert records[0].exc_info is not None and expected.split(": ")[1] in str(records[0].exc_info[1])
        assert messages[1] == f"display window: the {layer} failed again (2 of 5): {expected}"
        assert messages[-1] == f"display window: the {layer} is off for the rest of the run; the show goes on"
        assert calls[layer] == MAX_ERRORS  # never called again once off
    # The show went on: photos came, every frame was drawn, the last one shows the photo.
    assert report.frames["frames"] == 600
    assert report.show["photos_shown"] >= 1
    centre = report.last_frame[45, 80, :3].astype(int)
    assert np.abs(centre - RED).max() <= 2, f"centre pixel {centre} is not the photo's red"


def windowed_core_failure(folder: Path) -> tuple[str, str]:
    """In a fresh process (a GLX context cannot share a process with the tests' EGL one):
    the same core fault in a windowed show, whose display renders on its own thread."""
    from slideshow.gpu.photo_pass import PhotoPass

    def pump_upload(self, budget_s: float) -> tuple[bool, bool]:
        raise UploadLost("the staging buffer is gone")

    PhotoPass.pump_upload = pump_upload
    try:
        run_show(show_config(folder, **{"display.fullscreen": False}), frames=3000)
    except FrameError as exc:
        return str(exc), type(exc.__cause__).__name__
    return "", ""


@pytest.mark.window
def test_a_core_exception_on_a_render_thread_ends_a_windowed_show_the_same_way(red_photos, x_display):
    message, cause = run_in_fresh_process(windowed_core_failure, red_photos)
    assert message.startswith("display window: frame ")
    assert message.endswith("failed in its upload phase: UploadLost: the staging buffer is gone")
    assert cause == "UploadLost"
