"""Where the interesting part of a photo is, cheaply: the centroid of edge energy on a
thumbnail about 64 pixels wide, taken from the decoded pixels by striding (no resize).

Ken Burns uses it to drift toward faces, subjects and detail rather than toward sky or
a blank wall. Measured here: about 0.2 ms for a 1920x1080 slot, in the worker.
"""

from __future__ import annotations

import numpy as np

THUMBNAIL_WIDTH = 64
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# The centroid is pulled this far back toward the centre: one busy corner should attract
# the camera, not pin it to the edge of the photo.
_PULL_TO_CENTRE = 0.35


def focus_point(pixels: np.ndarray) -> tuple[float, float]:
    """(x, y) in 0..1 of a (h, w, 3 or 4) uint8 image, from its top-left corner; the
    centre for a flat image."""
    height, width = pixels.shape[:2]
    if height < 3 or width < 3:
        return 0.5, 0.5
    step = max(1, width // THUMBNAIL_WIDTH)
    thumb = pixels[::step, ::step, :3].astype(np.float32) @ _LUMA
    energy = np.abs(np.diff(thumb, axis=1))[:-1, :] + np.abs(np.diff(thumb, axis=0))[:, :-1]
    total = float(energy.sum())
    if total <= energy.size * 0.5:  # under half a level of change per pixel: flat
        return 0.5, 0.5
    rows, cols = energy.shape
    x = float(energy.sum(axis=0) @ ((np.arange(cols) + 1.0) / (cols + 1))) / total
    y = float(energy.sum(axis=1) @ ((np.arange(rows) + 1.0) / (rows + 1))) / total
    return (0.5 + (x - 0.5) * (1 - _PULL_TO_CENTRE), 0.5 + (y - 0.5) * (1 - _PULL_TO_CENTRE))
