"""Pictures and comparisons for the GL tests: a frame whose every pixel differs (so a
shifted or flipped frame cannot pass), the largest difference between two frames, and the
share of pixels that changed (how a transition's middle is told from its ends)."""

from __future__ import annotations

import numpy as np


def gradient(width: int, height: int, mirrored: bool = False) -> np.ndarray:
    """Every pixel different, so a shifted or flipped frame cannot pass."""
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., 0] = x * 255 // (width - 1)
    pixels[..., 1] = y * 255 // (height - 1)
    pixels[..., 2] = (x * 7 + y * 13) % 256
    pixels[..., 3] = 255
    if mirrored:
        pixels[..., :3] = 255 - pixels[:, ::-1, :3]
    return pixels


def max_diff(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(int) - b.astype(int)).max())


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel: whether it differs by more than 8 levels in some channel."""
    return np.abs(a[..., :3].astype(int) - b[..., :3].astype(int)).max(axis=2) > 8


def changed_share(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    """The share of pixels that differ by more than 8 levels in some channel; of the pixels
    in the mask `where` when given (those that differ between two photos: where letterbox
    bars are black in both, no transition has anything to change)."""
    differ = changed(a, b)
    return float(differ[where].mean() if where is not None else differ.mean())


def solid(width: int, height: int, rgb: tuple[int, int, int]) -> np.ndarray:
    """One opaque colour."""
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[...] = (*rgb, 255)
    return pixels


def shown(surface) -> np.ndarray:
    """What the surface shows, (h, w, 4), top row first."""
    surface.finish()
    width, height = surface.size
    return np.frombuffer(surface.read_pixels(), np.uint8).reshape(height, width, 4)[::-1]
