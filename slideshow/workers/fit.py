"""Where a photo lands on a display: output sizes, crop boxes, EXIF orientation, and the
downscale plan (JPEG draft size, integer `reduce`, resampling filter).

All of it is arithmetic on sizes; nothing here touches pixels, so every rule is tested
with numbers alone. Boxes are `(left, top, right, bottom)` in source pixels, floats, the
way `Image.resize(box=...)` takes them.

Why the filter depends on the JPEG draft and on the scale factor left after it. PSNR
against a full-resolution LANCZOS resize of the undrafted photo, the lowest over the
shared camera photos (8-12 MP) and generated 24 and 45 MP JPEGs (noise, gradients, edges):

  factor left after the draft    1.05   1.2   1.4   1.6   1.95
  no draft   HAMMING             42.8  43.3  44.7  45.0  43.9
  1/2 draft  BICUBIC             42.8  43.6  44.3  44.4  44.5
  1/2 draft  HAMMING             38.8  40.2  41.3  41.4  41.1
  1/4 draft  LANCZOS             39.7  41.3  43.2  44.7  50.5   (the 1/4 draft alone: 40.8)
  1/4 draft  BICUBIC             38.2  39.1  40.3  41.1  43.0

A resize costs about its filter's support times the factor: for a 1080p output near
1.5x, HAMMING (support 1) ~45 ms, BICUBIC (2) ~70 ms, LANCZOS (3) ~100 ms on the 2-core
box, against ~135 ms for the 24 MP draft decode itself. So each band takes the cheapest
filter that kept 41 dB: on full pixels HAMMING everywhere; after a 1/2 draft BICUBIC
below 1.4x and HAMMING above; after 1/4 or 1/8 the draft has lost detail that only
LANCZOS puts back, up to 1.6x (below 1.2x even it measured 39.7-41.3 dB: such outputs,
a quarter of the photo's width or a little less, are the weakest case). Factors of 2 and
up (non-JPEG sources, or past the draft's 1/8) take BICUBIC, with `reduce()` (a box
average) first from 4x on, leaving 2-4x: 42.8 dB or more. Upscaling (photos smaller
than the display) takes BICUBIC: 46 dB or more against LANCZOS at 5/6 of its cost
(upscaling a 8 MP photo to fill 4K: 280 ms against 334 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

#: How a photo fits the display (`show.fit`); config.py and the CLI offer these.
FIT_MODES = ("fill", "fit", "shrink", "blur")

# Pillow's reducing_gap: from 2 * REDUCING_GAP on, reduce() by int(factor / gap) first.
REDUCING_GAP = 2.0

# EXIF orientation -> the transpose that shows the stored pixels upright (as in
# ImageOps.exif_transpose). 5-8 swap width and height.
TRANSPOSES: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

Box = tuple[float, float, float, float]


def check_request(target: tuple[int, int], fit: str) -> None:
    """Raises ValueError for a request no photo could satisfy (a caller's bug)."""
    if fit not in FIT_MODES:
        raise ValueError(f"fit must be one of {', '.join(FIT_MODES)}, got {fit!r}")
    if len(target) != 2 or min(target) < 1:
        raise ValueError(f"target must be (width, height) of at least 1x1, got {target!r}")


def output_size(source: tuple[int, int], target: tuple[int, int], fit: str) -> tuple[int, int]:
    """The size a `source`-sized photo (as shown, after orientation) is decoded to.

    fill: exactly `target` (covered, then centre-cropped); fit and blur: the largest size
    with the source's aspect that fits inside `target` (may upscale; the GPU letterboxes
    or blurs the rest); shrink: like fit but never larger than the source.
    """
    check_request(target, fit)
    (sw, sh), (tw, th) = source, target
    if sw < 1 or sh < 1:
        raise ValueError(f"source must be at least 1x1, got {source!r}")
    if fit == "fill":
        return tw, th
    if fit == "shrink" and sw <= tw and sh <= th:
        return sw, sh
    if sw * th >= sh * tw:  # relatively wider than the target: width limits
        return tw, max(1, min(th, _round_div(sh * tw, sw)))
    return max(1, min(tw, _round_div(sw * th, sh))), th


def source_box(source: tuple[int, int], target: tuple[int, int], fit: str) -> Box:
    """The part of the (oriented) source that is shown: a centred crop with the target's
    aspect for fill, the whole photo otherwise."""
    sw, sh = source
    if fit != "fill":
        return 0.0, 0.0, float(sw), float(sh)
    tw, th = target
    if sw * th > sh * tw:  # wider than the target: crop the sides
        crop_w = sh * tw / th
        return (sw - crop_w) / 2, 0.0, (sw + crop_w) / 2, float(sh)
    crop_h = sw * th / tw
    return 0.0, (sh - crop_h) / 2, float(sw), (sh + crop_h) / 2


def oriented_size(stored: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size as shown: orientations 5-8 are stored sideways."""
    return (stored[1], stored[0]) if orientation in (5, 6, 7, 8) else stored


def stored_box(box: Box, stored: tuple[int, int], orientation: int) -> Box:
    """Maps a box in the upright (shown) frame back into the stored frame."""
    w, h = stored
    x0, y0, x1, y1 = box
    corners = [_to_stored(x, y, w, h, orientation) for x, y in ((x0, y0), (x1, y1))]
    (ax, ay), (bx, by) = corners
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _to_stored(x: float, y: float, w: int, h: int, orientation: int) -> tuple[float, float]:
    # (x, y) in the shown frame; w, h the stored size. The inverse of each TRANSPOSES entry.
    if orientation == 2:
        return w - x, y
    if orientation == 3:
        return w - x, h - y
    if orientation == 4:
        return x, h - y
    if orientation == 5:
        return y, x
    if orientation == 6:
        return y, h - x
    if orientation == 7:
        return w - y, h - x
    if orientation == 8:
        return w - y, x
    return x, y


@dataclass(frozen=True, slots=True)
class Plan:
    """How to turn a stored photo into the output, all in the stored frame.

    `draft_size` is what to ask `Image.draft` for: the whole stored image scaled so that
    the shown box still has at least the output's pixels, so a draft never has to be
    upscaled. `box` is the shown part of the stored image and `size` the output's size in
    the stored frame (width and height swapped for orientations 5-8).
    """

    box: Box
    size: tuple[int, int]
    draft_size: tuple[int, int]
    transpose: Image.Transpose | None


def plan(stored: tuple[int, int], orientation: int, target: tuple[int, int],
         fit: str) -> tuple[Plan, tuple[int, int], tuple[int, int]]:
    """The plan, the shown source size and the output size for one photo."""
    shown = oriented_size(stored, orientation)
    out = output_size(shown, target, fit)
    box = source_box(shown, target, fit)
    scale = max(out[0] / (box[2] - box[0]), out[1] / (box[3] - box[1]))
    draft = (math.ceil(stored[0] * scale), math.ceil(stored[1] * scale))
    stored_out = oriented_size(out, orientation)
    return (Plan(stored_box(box, stored, orientation), stored_out, draft,
                 TRANSPOSES.get(orientation)), shown, out)


def resample_filter(box: Box, size: tuple[int, int],
                    drafted_by: int = 1) -> tuple[Image.Resampling, float | None]:
    """The filter and reducing gap for resizing `box` to `size`, after a JPEG draft that
    divided the photo by `drafted_by` (1: full-resolution pixels). See the docstring."""
    factor = max((box[2] - box[0]) / size[0], (box[3] - box[1]) / size[1])
    if factor <= 1:
        return Image.Resampling.BICUBIC, None
    if factor >= 2:
        return Image.Resampling.BICUBIC, REDUCING_GAP if factor >= 2 * REDUCING_GAP else None
    if drafted_by == 1:
        return Image.Resampling.HAMMING, None
    if drafted_by == 2:
        return (Image.Resampling.BICUBIC if factor < 1.4 else Image.Resampling.HAMMING), None
    return (Image.Resampling.LANCZOS if factor < 1.6 else Image.Resampling.BICUBIC), None


def _round_div(a: int, b: int) -> int:
    return (2 * a + b) // (2 * b)
