"""The governor's cost model remembered between runs: one small JSON file per renderer and
display size in the cache folder, so that the next start draws its first transitions at the
right scale and cadence at once instead of learning them again.

A file that cannot be read (missing, damaged, another version) is a fresh start, with one
log line when it existed; writing is atomic (a temporary file renamed over the old one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from slideshow.pacing.governor import CostModel

log = logging.getLogger(__name__)

VERSION = 1


def cost_file(cache_dir: str | Path, renderer: str, size: tuple[int, int]) -> Path:
    """Where the model of this renderer at this size is kept."""
    key = f"{renderer}\0{size[0]}x{size[1]}".encode("utf-8", "surrogateescape")
    return Path(cache_dir) / "governor" / f"{hashlib.sha1(key).hexdigest()[:16]}.json"


def load(path: Path, renderer: str, size: tuple[int, int]) -> CostModel | None:
    """The model saved for this renderer and size, or None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("renderer") != renderer \
                or data.get("size") != [size[0], size[1]]:
            raise ValueError("it is for another version, renderer or size")
        return CostModel.from_dict(data["model"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("frame costs in %s not used (%s): measuring them again", path, exc)
        return None


def save(path: Path, model: CostModel, renderer: str, size: tuple[int, int]) -> None:
    """Writes the model atomically; an error is logged, never raised (a cache is optional)."""
    document = {"version": VERSION, "renderer": renderer, "size": [size[0], size[1]],
                "model": model.to_dict()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".costs-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, indent=1)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        log.warning("could not save the frame costs to %s: %s", path, exc)
