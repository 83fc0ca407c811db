"""A saved bench report (the file `slideshow bench --json FILE` writes), read back for
`bench --plot --from` and `bench --compare`: reading it, checking that it is one, and
splitting it into its displays.

The document is one display's figures at the top level, or, with several displays, the
first one's figures at the top level and all of them under `displays` (see `run` in
slideshow/commands/bench.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slideshow.errors import ConfigError

#: What every display's figures have, whatever version of bench wrote them.
REQUIRED_KEYS = ("frames", "dt_ms", "missed_vsyncs")


def report_displays(document: Any) -> list[dict[str, Any]] | None:
    """The figures of each display of a bench document, or None when it is not one."""
    if not isinstance(document, dict):
        return None
    displays = document.get("displays", [document])
    if not isinstance(displays, list) or not displays:
        return None
    for figures in displays:
        if not isinstance(figures, dict) or any(key not in figures for key in REQUIRED_KEYS):
            return None
        if not isinstance(figures["dt_ms"], dict) or "p99" not in figures["dt_ms"]:
            return None
    return displays


def read_report(flag: str, path: str | Path) -> list[dict[str, Any]]:
    """The displays of the bench report in the file `path`; a ConfigError naming `flag` and
    the file (one line, exit 2 at the command line) when it is missing, not JSON, or not a
    bench report."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"option {flag}: no such file: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"option {flag}: {path} is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"option {flag}: cannot read {path}: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"option {flag}: {path} is not JSON ({exc})") from None
    except RecursionError:  # nested deeper than the parser goes: no report is
        raise ConfigError(f"option {flag}: {path} is not a bench report (JSON nested too "
                          f"deep to read)") from None
    displays = report_displays(document)
    if displays is None:
        raise ConfigError(f"option {flag}: {path} is not a bench report (it needs "
                          f"{', '.join(REQUIRED_KEYS)}; `slideshow bench --json FILE` writes one)")
    return displays
