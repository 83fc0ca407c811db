"""Decoding photos for a display: this project's pipeline against its peers, same run.

    python3 benchmarks/decode.py [--repeat N] [--quick] [--cache DIR]

Photos: the largest camera JPEGs in ../shared/photos/camera/ (when the folder is there),
and photographic-like JPEGs generated once into a cache folder (noise, gradients, shapes
and lines; quality 90): 24 MP (6000x4000), 45 MP (8256x5504), and 2560x1440 (1080p only).
Targets: 1920x1080 and 3840x2160, fill (cover and centre-crop), the slideshow's default.

Columns (ms, median [min-max] over the repeats; rounds interleave the methods, rotating
their order, so a busy neighbour slows them alike):

- ours: `decode_into` into a preallocated slot: RGBA, sRGB, upright, fill-cropped.
- naive: Image.open, convert("RGB"), LANCZOS resize at full size (same crop box).
- thumbnail: Image.thumbnail with its defaults (contain, not crop: it keeps a 2x headroom
  that turns off most of the JPEG shrink-on-load).
- draft+BOX: the floor for Pillow: libjpeg-turbo's DCT-scaled decode, then the cheapest
  area resize; no orientation, colour or RGBA, and a poorer picture.
- pyvips: pyvips.Image.thumbnail(crop="centre") written to memory, when pyvips is
  installed (its operation cache off; it uses as many threads as there are cores).

Peers return RGB Pillow images or bytes; ours also converts to RGBA and writes the slot.
"x naive" is naive's median over ours; "/ fastest" is ours over the fastest peer's median.
PSNR compares our 1080p output with naive full-resolution LANCZOS on the same crop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slideshow.workers.decode import decode_into  # noqa: E402
from slideshow.workers.fit import source_box  # noqa: E402

SHARED_CAMERA = Path(__file__).resolve().parents[2] / "shared" / "photos" / "camera"
TARGETS = ((1920, 1080), (3840, 2160))
SYNTHETIC = {"24mp": (6000, 4000), "45mp": (8256, 5504), "1440p": (2560, 1440)}
GENERATOR_VERSION = 1

Method = Callable[[str, tuple[int, int]], object]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed runs per cell (default 5; 2 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="1080p only, two camera photos, no 45 MP photo (a smoke run)")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "slideshow-bench-decode",
                        help="where the generated photos are kept between runs")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat or (2 if args.quick else 5))
    started = time.perf_counter()

    photos = camera_photos(2 if args.quick else 3)
    for name in ("24mp", "1440p") if args.quick else ("24mp", "45mp", "1440p"):
        photos.append(synthetic_jpeg(args.cache, name, SYNTHETIC[name]))
    targets = TARGETS[:1] if args.quick else TARGETS
    cases = [(photo, target) for photo in photos for target in targets
             if "-1440p-" not in Path(photo).name or target == TARGETS[0]]  # 1440p: 1080p only
    methods = peer_methods()

    print(f"decode benchmark: {len(cases)} cases x {len(methods)} methods x {repeat} repeats; "
          f"{os.cpu_count()} cores; Pillow {Image.__version__}; "
          f"pyvips {'yes' if 'pyvips' in methods else 'not installed'}")
    times = measure(cases, methods, repeat)
    print_table(cases, methods, times)
    psnrs = {photo: psnr_vs_naive(photo, TARGETS[0]) for photo in photos}
    print_psnr(psnrs)
    print_goals(cases, methods, times, psnrs)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


# --- the methods -------------------------------------------------------------------

def peer_methods() -> dict[str, Method]:
    slot = np.empty(TARGETS[-1][0] * TARGETS[-1][1] * 4, np.uint8)

    def ours(path: str, target: tuple[int, int]) -> object:
        return decode_into(path, target, "fill", slot)

    def naive(path: str, target: tuple[int, int]) -> object:
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        return rgb.resize(target, Image.Resampling.LANCZOS, box=source_box(rgb.size, target, "fill"))

    def thumbnail(path: str, target: tuple[int, int]) -> object:
        with Image.open(path) as image:
            image.thumbnail(target)
            return image

    def draft_box(path: str, target: tuple[int, int]) -> object:
        with Image.open(path) as image:
            size = image.size
            cover = max(target[0] / size[0], target[1] / size[1])
            drafted = image.draft("RGB", (round(size[0] * cover), round(size[1] * cover)))
            scale = drafted[1][2] / size[0] if drafted else 1.0
            box = tuple(v * scale for v in source_box(size, target, "fill"))
            return image.resize(target, Image.Resampling.BOX, box=box)

    methods: dict[str, Method] = {"ours": ours, "naive": naive, "thumbnail": thumbnail,
                                  "draft+BOX": draft_box}
    try:
        import pyvips
    except (ImportError, OSError):
        return methods
    pyvips.cache_set_max(0)

    def vips(path: str, target: tuple[int, int]) -> object:
        return pyvips.Image.thumbnail(path, target[0], height=target[1], crop="centre").write_to_memory()

    methods["pyvips"] = vips
    return methods


def measure(cases, methods: dict[str, Method], repeat: int) -> dict[tuple, list[float]]:
    names = list(methods)
    for photo, target in cases[:1]:  # imports, first calls
        for name in names:
            methods[name](photo, target)
    for photo, _ in cases:  # into the page cache
        Path(photo).read_bytes()
    times: dict[tuple, list[float]] = {}
    for round_ in range(repeat):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for photo, target in cases:
            for name in order:
                start = time.perf_counter()
                methods[name](photo, target)
                times.setdefault((photo, target, name), []).append((time.perf_counter() - start) * 1e3)
        print(f"  round {round_ + 1}/{repeat} done", file=sys.stderr)
    return times


# --- the photos --------------------------------------------------------------------

def camera_photos(count: int) -> list[str]:
    if not SHARED_CAMERA.is_dir():
        print(f"({SHARED_CAMERA} is not here: generated photos only)")
        return []
    by_pixels = []
    for path in SHARED_CAMERA.glob("*.jpg"):
        with Image.open(path) as image:
            by_pixels.append((image.size[0] * image.size[1], str(path)))
    return [path for _, path in sorted(by_pixels, reverse=True)[:count]]


def synthetic_jpeg(cache: Path, name: str, size: tuple[int, int]) -> str:
    """A photographic-like JPEG (made once): smooth colour fields, hard-edged shapes and
    lines, grain at two scales; about 1 byte per pixel at quality 90, like a camera's."""
    path = cache / f"synthetic-v{GENERATOR_VERSION}-{name}-{size[0]}x{size[1]}-q90.jpg"
    if path.exists():
        return str(path)
    print(f"  generating {path.name} ...", file=sys.stderr)
    width, height = size
    rng = np.random.default_rng(GENERATOR_VERSION)
    field = rng.integers(0, 256, (height // 200 + 2, width // 200 + 2, 3), dtype=np.uint8)
    base = Image.fromarray(field).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(base)
    for _ in range(60):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(width // 60, width // 8))
        fill = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            draw.rectangle((x, y, x + 2 * r, y + r), fill=fill)
    for _ in range(200):
        points = [(int(rng.integers(0, width)), int(rng.integers(0, height))) for _ in range(2)]
        draw.line(points, fill=tuple(int(c) for c in rng.integers(0, 256, 3)),
                  width=int(rng.integers(1, 6)))
    pixels = np.asarray(base.filter(ImageFilter.GaussianBlur(1.2))).astype(np.int16)
    grain = rng.normal(0, 10, (height // 4 + 1, width // 4 + 1)).astype(np.float32)
    pixels += np.asarray(Image.fromarray(grain, "F").resize(size, Image.Resampling.BILINEAR)
                         ).astype(np.int16)[..., None]
    pixels += rng.integers(-6, 7, (height, width, 3), dtype=np.int16)
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(partial, "JPEG", quality=90)
    partial.replace(path)
    return str(path)


# --- quality -----------------------------------------------------------------------

def psnr_vs_naive(photo: str, target: tuple[int, int]) -> float:
    slot = np.empty(target[0] * target[1] * 4, np.uint8)
    info = decode_into(photo, target, "fill", slot)
    ours = slot[: info.out_height * info.stride].reshape(info.out_height, info.out_width, 4)[..., :3]
    with Image.open(photo) as image:
        full = ImageOps.exif_transpose(image).convert("RGB")
    naive = np.asarray(full.resize(target, Image.Resampling.LANCZOS,
                                   box=source_box(full.size, target, "fill")))
    mse = np.mean((ours.astype(np.float64) - naive) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


# --- reporting ---------------------------------------------------------------------

def label(photo: str) -> str:
    with Image.open(photo) as image:
        w, h = image.size
    return f"{Path(photo).stem.removeprefix(f'synthetic-v{GENERATOR_VERSION}-')[:22]} ({w * h / 1e6:.0f} MP)"


def cell(samples: list[float]) -> str:
    return f"{statistics.median(samples):6.0f} [{min(samples):.0f}-{max(samples):.0f}]"


def print_table(cases, methods, times) -> None:
    names = list(methods)
    header = f"| {'photo':34} | {'target':9} | " + " | ".join(f"{n:>16}" for n in names)
    print("\n" + header + " | x naive | / fastest |")
    print("|" + "-" * (len(header) - 1) + "|---------|-----------|")
    for photo, target in cases:
        medians = {n: statistics.median(times[(photo, target, n)]) for n in names}
        fastest = min(v for n, v in medians.items() if n != "ours")
        row = " | ".join(f"{cell(times[(photo, target, n)]):>16}" for n in names)
        print(f"| {label(photo):34} | {target[0]}x{target[1]:<4} | {row} | "
              f"{medians['naive'] / medians['ours']:6.1f}x | {medians['ours'] / fastest:8.2f}x |")


def print_psnr(psnrs: dict[str, float]) -> None:
    print(f"\nPSNR of ours at {TARGETS[0][0]}x{TARGETS[0][1]} fill vs naive full-resolution LANCZOS:")
    for photo, value in psnrs.items():
        print(f"  {label(photo):34} {value:5.1f} dB")


def print_goals(cases, methods, times, psnrs) -> None:
    def median(photo_part: str, target: tuple[int, int], name: str) -> float | None:
        for photo, case_target in cases:
            if photo_part in Path(photo).name and case_target == target:
                return statistics.median(times[(photo, target, name)])
        return None

    print("\nGoals (issue 3, set on a 2-core box):")
    ours = median("24mp", TARGETS[0], "ours")
    if ours is not None:
        naive = median("24mp", TARGETS[0], "naive")
        peers = [median("24mp", TARGETS[0], n) for n in methods if n != "ours"]
        fastest = min(p for p in peers if p is not None)
        print(f"  24 MP to 1080p: {ours:.0f} ms; {naive / ours:.1f}x faster than naive "
              f"(goal >= 3x); {ours / fastest:.2f}x the fastest peer (goal <= 1.25x)")
    small = median("1440p", TARGETS[0], "ours")
    if small is not None:
        print(f"  2560x1440 to 1080p: {small:.0f} ms (goal < 40 ms; naive "
              f"{median('1440p', TARGETS[0], 'naive'):.0f} ms here)")
    print(f"  PSNR: lowest {min(psnrs.values()):.1f} dB (goal >= 40 dB)")


if __name__ == "__main__":
    sys.exit(main())
