"""`slideshow transitions`: every transition with its parameters and defaults, and
`--contact-sheet OUT.png`, the user's preview of what each looks like.

The sheet has one row per transition and one column per progress (0, 0.25, 0.5, 0.75, 1),
drawn by the real transition engine in a headless EGL context between two images: the
user's (`--from A --to B`) or two of the built-in demo landscapes.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from slideshow.commands.options import add_config_options, config_from_args
from slideshow.config import Size
from slideshow.errors import ConfigError, SlideshowError
from slideshow.library.demo import paint_landscape
from slideshow.transitions.files import (
    TransitionError,
    TransitionLibrary,
    default_user_folder,
    format_value,
)

PROGRESSES = (0.0, 0.25, 0.5, 0.75, 1.0)
DEFAULT_TILE = Size(192, 108)
DEMO_SEEDS = (1, 3)  # two landscapes of clearly different colours
_GAP = 4  # pixels between tiles
_HEADER = 18  # the progress labels above the columns
_BACKGROUND, _INK = (24, 24, 24), (230, 230, 230)

log = logging.getLogger("slideshow.transitions")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "transitions", help="list the transitions, or render a contact sheet of them",
        description="Lists every transition (built in, in the user's transitions folder "
        "next to config.toml, or named with --only FILE) with its parameters, their defaults "
        "and its source file. With --contact-sheet, renders each chosen transition at "
        "progress 0, 0.25, 0.5, 0.75 and 1 into one labelled PNG instead.")
    parser.add_argument("--contact-sheet", type=Path, metavar="OUT.png",
                        help="write a contact sheet (rows: transitions, columns: progress)")
    parser.add_argument("--from", dest="from_image", type=Path, metavar="A",
                        help="the image a transition starts from (default: a demo landscape)")
    parser.add_argument("--to", dest="to_image", type=Path, metavar="B",
                        help="the image a transition ends on (default: another demo landscape)")
    parser.add_argument("--only", nargs="+", action="extend", default=[], metavar="NAME|FILE",
                        help="only these transitions: a name (wipe-left), a file's name for "
                        "all its variants (wipe), or the path of a .glsl file")
    parser.add_argument("--size", type=_tile_size, default=DEFAULT_TILE, metavar="WxH",
                        help=f"size of each tile of the contact sheet (default {DEFAULT_TILE})")
    add_config_options(parser)


def _tile_size(text: str) -> Size:
    try:
        return Size.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    config_from_args(args, {})  # --config / --set / --log-level, checked like elsewhere
    library = TransitionLibrary(default_user_folder())
    transitions = library.select(args.only) if args.only else list(library)
    if args.contact_sheet is None:
        print(describe(transitions))
        for path, reason in library.failures.items():
            print(f"skipped {path}: {reason}", file=sys.stderr)
        return 0
    images = _images(args.from_image, args.to_image, args.size)
    sheet = render_contact_sheet(transitions, *images, skip_broken=not args.only)
    args.contact_sheet.parent.mkdir(parents=True, exist_ok=True)
    # 256 colours: a third of the file (38 rows took 3.5 MB), no visible loss at this size.
    sheet = sheet.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    sheet.save(args.contact_sheet, optimize=True)
    print(f"wrote {args.contact_sheet} ({sheet.width}x{sheet.height}, "
          f"{len(transitions)} transitions)")
    return 0


def describe(transitions: Sequence) -> str:
    """One block per transition: name, source file, duration, `name: type = default`."""
    blocks = []
    for transition in transitions:
        lines = [f"{transition.name}  ({transition.path})"]
        if transition.duration_s is not None:
            lines.append(f"    duration_s = {transition.duration_s:g}")
        lines += [f"    {p.name}: {p.type} = {format_value(p.type, p.default)}"
                  for p in transition.parameters.values()]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _images(from_path: Path | None, to_path: Path | None, size: Size) -> tuple[np.ndarray, np.ndarray]:
    """The two images of the sheet, cover-cropped to the tile size, RGBA over black."""
    images = []
    for path, seed in ((from_path, DEMO_SEEDS[0]), (to_path, DEMO_SEEDS[1])):
        if path is None:
            # Painted larger and reduced, so the film grain averages out (smaller PNG).
            image = Image.fromarray(paint_landscape(seed, (size.width * 4, size.height * 4)))
        else:
            try:
                with Image.open(path) as opened:
                    image = ImageOps.exif_transpose(opened).convert("RGBA")
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read image {path}: {exc}") from None
        image = ImageOps.fit(image.convert("RGBA"), size, Image.Resampling.LANCZOS)
        over_black = Image.alpha_composite(Image.new("RGBA", size, (0, 0, 0, 255)), image)
        images.append(np.asarray(over_black, np.uint8))
    return images[0], images[1]


def render_contact_sheet(transitions: Sequence, from_rgba: np.ndarray, to_rgba: np.ndarray,
                         skip_broken: bool = False) -> Image.Image:
    """Renders each transition at PROGRESSES in a headless EGL context into one labelled
    image. A transition that does not compile is an error, or with `skip_broken` (nobody
    named it) a log line and no row."""
    # GL (moderngl, EGL) loads only for a contact sheet, not for the listing.
    from slideshow.gpu.headless import HeadlessSurface
    from slideshow.gpu.transitions import render_stills  # (GL too)

    height, width = from_rgba.shape[:2]
    surface = HeadlessSurface((width, height))
    rows = []
    try:
        surface.use()
        for transition in transitions:
            try:
                stills = render_stills(surface.ctx, transition, from_rgba, to_rgba, PROGRESSES)
            except TransitionError as exc:
                if not skip_broken:
                    raise
                log.warning("skipping transition %s: %s", transition.name, exc)
                continue
            rows.append((transition.name, stills))
    finally:
        surface.release()
    if not rows:
        raise SlideshowError("no transition to render")
    return _lay_out(rows, (width, height))


def _lay_out(rows: list[tuple[str, list[np.ndarray]]], tile: tuple[int, int]) -> Image.Image:
    font = ImageFont.load_default()
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_width = max(measure.textlength(name, font=font) for name, _ in rows)
    left = int(label_width) + 3 * _GAP
    width = left + len(PROGRESSES) * (tile[0] + _GAP)
    height = _HEADER + len(rows) * (tile[1] + _GAP) + _GAP
    sheet = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for column, progress in enumerate(PROGRESSES):
        x = left + column * (tile[0] + _GAP) + tile[0] // 2
        draw.text((x, _HEADER // 2), f"{progress:g}", fill=_INK, font=font, anchor="mm")
    for row, (name, stills) in enumerate(rows):
        y = _HEADER + row * (tile[1] + _GAP)
        draw.text((_GAP, y + tile[1] // 2), name, fill=_INK, font=font, anchor="lm")
        for column, still in enumerate(stills):
            sheet.paste(Image.fromarray(still[..., :3]), (left + column * (tile[0] + _GAP), y))
    return sheet
