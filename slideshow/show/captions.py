"""Text over the show: the photo's caption (the i key: file name, date taken, folder) in
the top-left corner and short notices (paused, the transition or visualizer mode picked) in
the top-right one, each over a soft dark panel, fading out after a few seconds.

Why a worker thread: reading a photo's date opens the file (EXIF), and laying out and
rasterising a few lines with Pillow costs a millisecond or more; neither may run on the
render thread. So the render thread hands `TextWorker` a job (`SimpleQueue.put`, which
never waits) and, each frame, takes a finished image if there is one (`deque.popleft`,
no lock, no wait); it uploads that small image once into a texture allocated at start
(slideshow/gpu/caption_layer.py). Hold and fade are counted in the show's fixed steps.
One worker per display: Pillow's font objects are not shared between threads.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from slideshow.library.dates import date_taken

log = logging.getLogger(__name__)

CAPTION_HOLD_S = 5.0  # the i caption stays this long, then fades
NOTICE_HOLD_S = 1.5  # a notice (transition, visualizer mode, playing)
FADE_S = 0.6
PANEL_ALPHA = 0.6  # the dark panel behind the text, 0..1
SLOTS = ("caption", "notice")

Raster = Callable[[Sequence[str], int, tuple[int, int]], np.ndarray]


@dataclass(frozen=True)
class TextLayout:
    """Sizes for one display, in pixels."""

    font_px: int
    margin_px: int  # from the display's edges
    caption_max: tuple[int, int]  # (width, height) the caption image may take at most
    notice_max: tuple[int, int]

    @staticmethod
    def for_display(size: tuple[int, int]) -> TextLayout:
        width, height = size
        font_px = max(10, round(height / 36))  # 30 px at 1080 rows, 20 at 720
        margin = max(2, round(font_px * 0.6))
        room_h = max(1, min(height - 2 * margin, 5 * font_px))
        return TextLayout(font_px, margin, (max(1, int(width * 0.6) - margin), room_h),
                          (max(1, int(width * 0.35) - margin), room_h))


@dataclass(frozen=True)
class TextImage:
    slot: str  # one of SLOTS
    text: str  # the lines, joined by " | " (logs, tests)
    pixels: np.ndarray  # (height, width, 4) uint8 premultiplied RGBA, top row first
    hold_s: float  # shown this long before fading; math.inf: until replaced
    made_on: int  # the ident of the thread that rasterised it


def caption_lines(path: str) -> list[str]:
    """File name, date taken (EXIF, else the file's modification date), folder."""
    taken = date_taken(path)
    label = ""
    if taken is None:
        try:
            taken, label = os.stat(path).st_mtime, " (file date)"
        except OSError:
            pass
    when = datetime.fromtimestamp(taken) if taken is not None else None
    date = f"{when.day} {when:%B %Y, %H:%M}{label}" if when is not None else "date unknown"
    folder = os.path.dirname(os.path.abspath(path))
    home = os.path.expanduser("~")
    if home not in ("", "/") and (folder == home or folder.startswith(home + os.sep)):
        folder = "~" + folder[len(home):]
    return [os.path.basename(path), date, folder]


class FontBook:
    """DejaVu Sans where it is installed, else Pillow's own font, per pixel size."""

    def __init__(self) -> None:
        self._fonts: dict[int, object] = {}

    def font(self, px: int) -> object:
        if px not in self._fonts:
            try:
                self._fonts[px] = ImageFont.truetype("DejaVuSans.ttf", px)
            except OSError:
                try:
                    self._fonts[px] = ImageFont.load_default(size=px)  # Pillow >= 10.1
                except (TypeError, OSError):
                    self._fonts[px] = ImageFont.load_default()
        return self._fonts[px]


def rasterise(lines: Sequence[str], font_px: int, max_size: tuple[int, int],
              fonts: FontBook | None = None) -> np.ndarray:
    """`lines` in white (the first brightest) over a soft dark rounded panel, cut to fit
    `max_size` (a line too wide ends in "..."; a folder keeps its end): premultiplied RGBA,
    (height, width, 4) uint8, top row first."""
    font = (fonts or FontBook()).font(font_px)
    pad = max(2, round(font_px * 0.6))
    line_px = round(font_px * 1.3)
    max_w, max_h = max_size
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    fitted = [_fit(measure, line, font, max_w - 2 * pad, keep_end=index == 2)
              for index, line in enumerate(lines)]
    text_w = max((measure.textlength(line, font=font) for line in fitted), default=0)
    width = max(1, min(max_w, math.ceil(text_w) + 2 * pad))
    height = max(1, min(max_h, line_px * len(fitted) + 2 * pad - (line_px - font_px)))
    panel = Image.new("L", (width, height), 0)
    soft = max(1, pad // 3)
    ImageDraw.Draw(panel).rounded_rectangle(
        (soft, soft, width - 1 - soft, height - 1 - soft), radius=pad,
        fill=round(255 * PANEL_ALPHA))
    panel = panel.filter(ImageFilter.GaussianBlur(soft))
    ink = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(ink)
    for index, line in enumerate(fitted):
        draw.text((pad, pad + index * line_px), line, font=font, fill=255 if index == 0 else 215)
    # Text over panel, premultiplied: colour = ink, alpha = ink + panel * (1 - ink).
    ink_a = np.asarray(ink, np.float32) / 255.0
    panel_a = np.asarray(panel, np.float32) / 255.0
    alpha = ink_a + panel_a * (1.0 - ink_a)
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., :3] = np.rint(ink_a * 255.0)[..., None]
    pixels[..., 3] = np.rint(alpha * 255.0)
    return pixels


def _fit(measure: object, line: str, font: object, room_px: int, keep_end: bool) -> str:
    if measure.textlength(line, font=font) <= room_px:
        return line
    for cut in range(1, len(line)):
        shorter = "..." + line[cut:] if keep_end else line[:len(line) - cut] + "..."
        if measure.textlength(shorter, font=font) <= room_px:
            return shorter
    return "..."


class TextWorker:
    """A thread that rasterises captions and notices for one display.

    `ask_caption(path)` and `ask_notice(text, hold_s)` return at once; `take()` returns a
    finished `TextImage` or None, without waiting. `raster` is the rasterising function
    (tests wrap it to slow it down)."""

    def __init__(self, layout: TextLayout, name: str = "", raster: Raster | None = None) -> None:
        self.layout = layout
        self._raster = raster
        self._fonts = FontBook()
        # Pillow imports its format drivers at the first Image.open, here a caption's date
        # lookup while frames run, where an import holds the GIL for milliseconds: load them
        # now, while the display is built.
        Image.init()
        self._jobs: queue.SimpleQueue[tuple[str, str, float] | None] = queue.SimpleQueue()
        self._done: deque[TextImage] = deque()
        self._name = name or "window"
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"captions {self._name}")
        self._thread.start()

    def ask_caption(self, path: str) -> None:
        self._jobs.put(("caption", path, CAPTION_HOLD_S))

    def ask_notice(self, text: str, hold_s: float = NOTICE_HOLD_S) -> None:
        self._jobs.put(("notice", text, hold_s))

    def take(self) -> TextImage | None:
        try:
            return self._done.popleft()
        except IndexError:
            return None

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(5.0)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            slot, subject, hold_s = job
            try:
                lines = caption_lines(subject) if slot == "caption" else [subject]
                size = self.layout.caption_max if slot == "caption" else self.layout.notice_max
                if self._raster is not None:
                    pixels = self._raster(lines, self.layout.font_px, size)
                else:
                    pixels = rasterise(lines, self.layout.font_px, size, self._fonts)
            except Exception:  # a caption must never end the show
                log.exception("display %s: could not make the %s for %s", self._name, slot, subject)
                continue
            text = " | ".join(lines)
            log.info("display %s shows: %s", self._name, text)
            self._done.append(TextImage(slot, text, pixels, hold_s, threading.get_ident()))


class TextLayer(Protocol):
    """One corner's texture on the GPU (slideshow/gpu/caption_layer.py)."""

    def upload(self, pixels: np.ndarray) -> None: ...
    def draw(self, opacity: float) -> None: ...
    def warm_up(self) -> None: ...


class Captions:
    """The render thread's side: asks the worker, uploads what it finished, times the
    fade, draws. `layers`: one TextLayer per slot ("caption", "notice")."""

    def __init__(self, worker: TextWorker, layers: dict[str, TextLayer]) -> None:
        self._worker = worker
        self._layers = layers
        self._age_s = dict.fromkeys(SLOTS, math.inf)  # since the slot's image arrived
        self._hold_s = dict.fromkeys(SLOTS, 0.0)
        self._caption_path = ""
        #: The last image each slot received (tests, logs).
        self.shown: dict[str, TextImage | None] = dict.fromkeys(SLOTS, None)

    def caption(self, path: str) -> None:
        if path == self._caption_path and self.opacity("caption") > 0:
            self._age_s["caption"] = 0.0  # the same caption again: no new image needed
            return
        self._caption_path = path
        self._worker.ask_caption(path)

    def notice(self, text: str, hold_s: float | None = None) -> None:
        self._worker.ask_notice(text, NOTICE_HOLD_S if hold_s is None else hold_s)

    def drain(self) -> None:
        """Uploads a finished image, if one came (one a frame: a key press is rare)."""
        image = self._worker.take()
        if image is None:
            return
        self._layers[image.slot].upload(image.pixels)
        self._age_s[image.slot] = 0.0
        self._hold_s[image.slot] = image.hold_s
        self.shown[image.slot] = image

    def step(self, dt_s: float) -> None:
        for slot in SLOTS:
            self._age_s[slot] += dt_s

    def opacity(self, slot: str) -> float:
        """1 while held, then down to 0 over FADE_S."""
        fading_s = self._age_s[slot] - self._hold_s[slot]
        if fading_s <= 0:
            return 1.0
        return max(0.0, 1.0 - fading_s / FADE_S)

    def draw(self) -> None:
        for slot in SLOTS:
            opacity = self.opacity(slot)
            if opacity > 0.0:
                self._layers[slot].draw(opacity)

    def warm_up(self) -> None:
        """Has each layer draw once, invisibly, so the driver compiles now, not in a frame."""
        for layer in self._layers.values():
            layer.warm_up()

    def close(self) -> None:
        self._worker.close()
