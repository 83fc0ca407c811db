"""The built-in demo set: procedurally painted landscapes, so `slideshow` with no folder
shows something beautiful on a machine with no photos, and something moves on screen while
none of the user's photos can be decoded (stand_in.py). Generated once into the user cache
folder (deterministic seeds) as JPEGs, so they take the same decode path as real photos."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs
from PIL import Image

DEMO_VERSION = 1
DEMO_COUNT = 8
DEMO_SIZE = (1920, 1080)


def demo_folder() -> Path:
    return Path(platformdirs.user_cache_dir("slideshow")) / f"demo-v{DEMO_VERSION}"


@dataclass(frozen=True)
class DemoSet:
    """The demo photos: `count` landscapes of `size` (width, height) in `folder` (None: the
    user cache folder). The show paints them when it first needs them: as its photos when
    no folder is given, or standing in for photos that cannot be decoded
    (library/stand_in.py); tests give a small set in a folder of their own."""

    folder: Path | None = None
    count: int = DEMO_COUNT
    size: tuple[int, int] = DEMO_SIZE

    def path(self, index: int) -> Path:
        return (self.folder or demo_folder()) / f"landscape-{index + 1:02d}.jpg"

    def paint(self, index: int) -> Path:
        """Photo `index`'s path, painting it first when it is missing (about half a second
        at 1920x1080). Raises OSError when the folder cannot be written."""
        path = self.path(index)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            Image.fromarray(paint_landscape(index, self.size)).save(partial, "JPEG", quality=90)
            partial.replace(path)  # never leave a half-written JPEG behind
        return path

    def ensure(self) -> list[Path]:
        """Every demo photo's path, painting any that are missing."""
        return [self.paint(index) for index in range(self.count)]


def ensure_demo_photos(folder: Path | None = None, count: int = DEMO_COUNT,
                       size: tuple[int, int] = DEMO_SIZE) -> list[Path]:
    """Returns the demo photos' paths, painting any that are missing."""
    return DemoSet(folder, count, size).ensure()


def paint_landscape(seed: int, size: tuple[int, int]) -> np.ndarray:
    """A sky gradient, a sun, and layered ridges fading into haze; (h, w, 3) uint8."""
    width, height = size
    rng = np.random.default_rng(seed)
    hue = rng.uniform(0.0, 1.0)
    top = np.array(colorsys.hsv_to_rgb(hue, 0.55, 0.35))
    horizon = np.array(colorsys.hsv_to_rgb((hue + 0.08) % 1.0, 0.45, 1.0))
    y = np.linspace(0.0, 1.0, height)[:, None, None]
    image = top * (1.0 - y) ** 1.4 + horizon * (1.0 - (1.0 - y) ** 1.4)
    image = np.broadcast_to(image, (height, width, 3)).copy()
    sun_x, sun_y = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.45) * height
    yy, xx = np.mgrid[0:height, 0:width]
    distance = np.hypot(xx - sun_x, yy - sun_y) / height
    image += (np.exp(-(distance / 0.06) ** 2) * 0.9 + np.exp(-distance / 0.25) * 0.25)[..., None] \
        * np.array([1.0, 0.92, 0.75])
    x = np.arange(width)
    for layer in range(5):
        roughness = 0.6 + layer * 0.5
        walk = np.cumsum(rng.normal(0.0, roughness, width // 8 + 2))
        ridge = np.interp(x / 8.0, np.arange(walk.size), walk)
        ridge = (ridge - ridge.mean()) / (np.ptp(ridge) + 1e-6)
        base = height * (0.45 + layer * 0.11)
        ridge_y = base + ridge * height * (0.08 + 0.02 * layer)
        shade = np.array(colorsys.hsv_to_rgb((hue + 0.5 + layer * 0.03) % 1.0, 0.5, 0.55 - layer * 0.1))
        haze = 0.75 - layer * 0.17
        colour = shade * (1.0 - haze) + horizon * haze
        mask = yy >= ridge_y[None, :]
        image[mask] = colour
    image += rng.normal(0.0, 0.012, image.shape)  # film grain: photos are never flat
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
