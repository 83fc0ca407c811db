"""`slideshow bench --compare A.json B.json [--fail-if-worse PCT]`: two saved bench runs side
by side, with the ratio B/A of each figure and a verdict, and the regression rule a CI job
can exit on.

This module owns the comparison: which displays pair up, the rows shown, and when B counts
as worse than A (`worse_than`). Reading the files is slideshow/health/bench_report.py's.

The rule, per display: B is worse when
- its dt p99 is above A's by more than PCT percent: B_p99 > A_p99 * (1 + PCT/100), or
- it missed more vsyncs than A would have over B's length, by more than PCT percent plus
  an allowance of MISSED_ALLOWANCE: B_missed > A_missed * (B_frames / A_frames) *
  (1 + PCT/100) + MISSED_ALLOWANCE. The counts are scaled to B's length so that runs of
  different lengths compare; the allowance keeps one stray missed vsync (A 0, B 1) on a
  busy CI machine from failing a build, while two or more still do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from slideshow.errors import ConfigError

MISSED_ALLOWANCE = 1
DT_ROWS = (("p50", "dt p50 ms"), ("p90", "dt p90 ms"), ("p99", "dt p99 ms"),
           ("p999", "dt p99.9 ms"), ("max", "dt max ms"))


@dataclass(frozen=True)
class Verdict:
    """What one display's comparison found."""

    display: str
    p99_change_pct: float | None  # None when A's p99 is 0
    missed_a: int
    missed_b: int
    missed_allowed: int | None  # the most B may miss under --fail-if-worse, else None
    worse: bool


Pair = tuple[str, dict[str, Any], dict[str, Any]]  # a label, A's figures, B's figures


def pair_displays(a_displays: list[dict[str, Any]],
                  b_displays: list[dict[str, Any]]) -> tuple[list[Pair], list[str]]:
    """([(label, A's figures, B's figures)], notes on displays in one run only). Displays
    pair by name; two single-display runs pair whatever their names (a window and a
    monitor), since there is nothing else to compare."""
    if len(a_displays) == 1 and len(b_displays) == 1:
        a, b = a_displays[0], b_displays[0]
        name_a, name_b = str(a.get("display", "?")), str(b.get("display", "?"))
        return [(name_a if name_a == name_b else f"{name_a} (A) / {name_b} (B)", a, b)], []
    by_name_b = {str(figures.get("display", "?")): figures for figures in b_displays}
    names_a = [str(figures.get("display", "?")) for figures in a_displays]
    pairs = [(name, a, by_name_b[name]) for name, a in zip(names_a, a_displays, strict=True)
             if name in by_name_b]
    if not pairs:
        raise ConfigError(f"option --compare: the runs have no display in common "
                          f"(A: {', '.join(names_a)}; B: {', '.join(by_name_b)})")
    notes = [f"display {name} is only in A" for name in names_a if name not in by_name_b]
    notes += [f"display {name} is only in B" for name in by_name_b if name not in names_a]
    return pairs, notes


def _ratio(a: Any, b: Any) -> str:
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return ""
    if a == 0:
        return "=" if b == 0 else "-"  # no ratio to a zero
    return f"{b / a:.2f}"


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _flatten(section: Any, prefix: str = "") -> dict[str, Any]:
    """A nested dict's leaves as {"a.b": value}; a governor section of any shape shows."""
    if not isinstance(section, dict):
        return {prefix or "value": section}
    leaves: dict[str, Any] = {}
    for key, value in section.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        leaves.update(_flatten(value, name) if isinstance(value, dict) else {name: value})
    return leaves


def _rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(label, A's value, B's value); a label ending in ':' starts a group, without values."""
    rows: list[tuple[str, Any, Any]] = [("frames", a["frames"], b["frames"])]
    rows += [(label, a["dt_ms"].get(key), b["dt_ms"].get(key)) for key, label in DT_ROWS]
    rows.append(("missed vsyncs", a["missed_vsyncs"], b["missed_vsyncs"]))
    if a.get("first_photo_s") is not None and b.get("first_photo_s") is not None:
        rows.append(("first photo s", a["first_photo_s"], b["first_photo_s"]))
    phases_a, phases_b = a.get("phase_ms") or {}, b.get("phase_ms") or {}
    phases = [name for name in phases_a if name in phases_b]
    if phases:
        rows.append(("phase p99 ms:", None, None))
        rows += [(f"  {name}", phases_a[name].get("p99"), phases_b[name].get("p99"))
                 for name in phases]
    gc_a, gc_b = a.get("gc") or {}, b.get("gc") or {}
    if gc_a and gc_b:
        rows.append(("gc pauses inside a frame", gc_a.get("in_frame"), gc_b.get("in_frame")))
        rows.append(("gc max pause ms", gc_a.get("max_pause_ms"), gc_b.get("max_pause_ms")))
    if "governor" in a and "governor" in b:
        leaves_a, leaves_b = _flatten(a["governor"]), _flatten(b["governor"])
        rows.append(("governor:", None, None))
        rows += [(f"  {key}", leaves_a[key], leaves_b[key]) for key in leaves_a if key in leaves_b]
    return rows


def worse_than(a: dict[str, Any], b: dict[str, Any], label: str,
               fail_if_worse_pct: float | None) -> Verdict:
    """Whether display B is worse than A by the rule in this module's docstring (never,
    with no percentage)."""
    p99_a, p99_b = float(a["dt_ms"]["p99"]), float(b["dt_ms"]["p99"])
    change_pct = (p99_b / p99_a - 1.0) * 100.0 if p99_a > 0 else None
    missed_a, missed_b = int(a["missed_vsyncs"]), int(b["missed_vsyncs"])
    if fail_if_worse_pct is None:
        return Verdict(label, change_pct, missed_a, missed_b, None, worse=False)
    factor = 1.0 + fail_if_worse_pct / 100.0
    scale = b["frames"] / a["frames"] if a["frames"] else 1.0
    # The epsilon: a B exactly at the limit is within it, whatever the float rounding.
    missed_allowed = math.floor(missed_a * scale * factor + MISSED_ALLOWANCE + 1e-9)
    worse = p99_b > p99_a * factor + 1e-9 or missed_b > missed_allowed
    return Verdict(label, change_pct, missed_a, missed_b, missed_allowed, worse)


def _verdict_line(verdict: Verdict, fail_if_worse_pct: float | None) -> str:
    if verdict.p99_change_pct is None:
        p99_text = "dt p99: A's is 0 ms"
    else:
        p99_text = f"dt p99 {verdict.p99_change_pct:+.1f} %"
    changes = f"{p99_text}, missed vsyncs {verdict.missed_a} -> {verdict.missed_b}"
    if fail_if_worse_pct is None:
        return f"verdict: {changes} (no limit set: --fail-if-worse PCT sets one)"
    changes += f" (at most {verdict.missed_allowed} allowed)"
    if verdict.worse:
        return f"verdict: WORSE than A by more than {fail_if_worse_pct:g} %: {changes}"
    return f"verdict: within {fail_if_worse_pct:g} % of A: {changes}"


def compare(a_displays: list[dict[str, Any]], b_displays: list[dict[str, Any]], a_name: str,
            b_name: str, fail_if_worse_pct: float | None = None) -> tuple[str, bool]:
    """(the side-by-side text, whether B is worse than A on any display)."""
    pairs, notes = pair_displays(a_displays, b_displays)
    lines = [f"bench compare: A = {a_name}, B = {b_name}"]
    verdicts = []
    for label, a, b in pairs:
        lines += ["", f"display {label}", f"  {'':<26}{'A':>12}{'B':>12}{'B/A':>8}"]
        for row_label, value_a, value_b in _rows(a, b):
            if row_label.endswith(":"):
                lines.append(f"  {row_label}")
            else:
                lines.append(f"  {row_label:<26}{_value(value_a):>12}{_value(value_b):>12}"
                             f"{_ratio(value_a, value_b):>8}")
        if ("governor" in a) != ("governor" in b):
            lines.append(f"  governor: only in {'A' if 'governor' in a else 'B'}, not compared")
        verdict = worse_than(a, b, label, fail_if_worse_pct)
        verdicts.append(verdict)
        lines.append("  " + _verdict_line(verdict, fail_if_worse_pct))
    lines += [""] + notes if notes else []
    worse = [verdict.display for verdict in verdicts if verdict.worse]
    if len(pairs) > 1 and fail_if_worse_pct is not None:
        lines.append(f"overall: worse on {', '.join(worse)}" if worse
                     else f"overall: within {fail_if_worse_pct:g} % on all {len(pairs)} displays")
    return "\n".join(lines), bool(worse)
