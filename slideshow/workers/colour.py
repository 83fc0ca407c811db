"""Colour normalisation: whatever pixel mode a photo comes in, 8-bit sRGB out.

Two steps around the resize, so the expensive part runs on the fewest pixels:

- `resample_ready` (before the resize, on the decoded image): modes Pillow cannot resample
  well or that carry more than 8 bits become L, LA, RGB, RGBA or CMYK. Palette images are
  expanded (Pillow resizes "P" with NEAREST only), transparency becomes an alpha channel,
  16-bit and float samples are scaled down to 8 bits (Pillow's own I;16 -> L conversion
  clips everything above 255 to white).
- `to_srgb` (after the resize, on the output-sized image): an embedded ICC profile is
  converted to sRGB with LittleCMS; CMYK without a usable profile gets Pillow's plain
  conversion. Profiles that already are sRGB are detected once and skipped.
"""

from __future__ import annotations

import functools
import io
import logging

import numpy as np
from PIL import Image, ImageCms

log = logging.getLogger(__name__)

# Modes that leave `resample_ready` (CMYK only until `to_srgb`).
RESAMPLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")
# ICC colour spaces (as LittleCMS names them, padded to four) each mode needs.
_PROFILE_SPACE = {"RGB": "RGB ", "RGBA": "RGB ", "CMYK": "CMYK", "L": "GRAY"}
# What each mode becomes in sRGB.
_SRGB_MODE = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB", "L": "RGB"}
# A profile whose transform to sRGB moves no test colour further than this (in 8-bit
# levels) is treated as sRGB: the many "sRGB IEC61966-2.1" variants differ by rounding.
_SRGB_TOLERANCE = 2


def resample_ready(image: Image.Image) -> Image.Image:
    """`image` in one of RESAMPLE_MODES, pixel values kept (8-bit, straight alpha)."""
    mode = image.mode
    if mode in ("P", "PA", "RGB", "L", "1") and _has_transparency(image):
        return image.convert("LA" if mode in ("L", "1") else "RGBA")
    if mode in RESAMPLE_MODES:
        return image
    if mode in ("P", "RGBX", "YCbCr", "HSV"):
        return image.convert("RGB")
    if mode in ("PA", "RGBa"):
        return image.convert("RGBA")
    if mode == "La":
        return image.convert("LA")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I") or mode == "F":
        return _to_8bit(image)
    if mode == "LAB":
        return _lab_to_srgb(image)
    return image.convert("RGBA" if "A" in mode else "RGB")


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """`image` (one of RESAMPLE_MODES) converted to sRGB as L, LA, RGB or RGBA."""
    if icc_profile and image.mode in _PROFILE_SPACE:
        transform = _transform_to_srgb(bytes(icc_profile), image.mode)
        if transform is not None:
            image = transform.apply(image)
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode == "PA" or image.info.get("transparency") is not None:
        return True
    return image.mode == "P" and image.palette is not None and image.palette.mode == "RGBA"


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit or 32-bit integer samples (0..65535) and float samples (0..1, or 0..255
    when larger) to 8-bit L. (A 16-bit grey PNG's rare tRNS colour key is not kept.)"""
    samples = np.asarray(image)
    if image.mode == "F":
        values = np.nan_to_num(samples.astype(np.float32))
        if values.size and values.max() <= 1.0:
            values = values * 255.0
        return Image.fromarray(np.clip(values + 0.5, 0, 255).astype(np.uint8))
    wide = np.clip(samples.astype(np.int64), 0, 65535)
    return Image.fromarray(((wide * 255 + 32767) // 65535).astype(np.uint8))


def _lab_to_srgb(image: Image.Image) -> Image.Image:
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB")
    return transform.apply(image)


@functools.lru_cache(maxsize=16)
def _transform_to_srgb(icc_profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The transform from `icc_profile` to sRGB for `mode`, or None when there is nothing
    to do (the profile is sRGB) or nothing that can be done (a broken profile, or one for
    another colour space than the pixels'): those photos are shown as if sRGB."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        space = profile.profile.xcolor_space
        if space != _PROFILE_SPACE[mode]:
            log.debug("ICC profile for %r ignored on %s pixels", space, mode)
            return None
        transform = ImageCms.buildTransform(
            profile, _srgb_profile(), mode, _SRGB_MODE[mode],
            renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (OSError, ImageCms.PyCMSError, ValueError, TypeError) as exc:
        log.debug("ICC profile ignored: %s", exc)
        return None
    if mode in ("RGB", "RGBA") and _is_identity(transform):
        return None
    return transform


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _is_identity(transform: ImageCms.ImageCmsTransform) -> bool:
    levels = np.linspace(0, 255, 17).round().astype(np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 17, 3)
    before = Image.fromarray(grid)
    if transform.input_mode == "RGBA":
        before = before.convert("RGBA")
    after = np.asarray(transform.apply(before).convert("RGB"), dtype=np.int16)
    return int(np.abs(after - grid).max()) <= _SRGB_TOLERANCE

