"""`slideshow bench --compare A.json B.json [--fail-if-worse PCT]`: two saved reports side by
side, the regression rule and its exit status, display pairing, and one-line errors for
files that are not bench reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slideshow.cli import main
from slideshow.health.bench_compare import MISSED_ALLOWANCE, compare, worse_than
from tests.support import REPO


def report(display: str = "window", p99: float = 20.0, missed: int = 10, frames: int = 1000,
           **extra: Any) -> dict[str, Any]:
    return {
        "frames": frames, "refresh_hz": 60.0, "display": display,
        "dt_ms": {"p50": 16.667, "p90": 17.5, "p99": p99, "p999": p99 + 5, "max": p99 + 10},
        "missed_vsyncs": missed,
        "phase_ms": {"draw": {"p50": 1.0, "p99": 4.0, "max": 6.0},
                     "present": {"p50": 14.0, "p99": 16.0, "max": 17.0}},
        "gc": {"collections": 5, "in_frame": 2, "max_pause_ms": 1.5},
        **extra,
    }


def write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


def run_compare(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["bench", "--compare", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_side_by_side_shows_each_figure_of_both_runs_and_the_ratio(tmp_path, capsys):
    a = write(tmp_path / "a.json", report(p99=20.0, missed=10))
    b = write(tmp_path / "b.json", report(p99=30.0, missed=5))
    status, out, _ = run_compare(capsys, a, b)
    assert status == 0  # no limit: a report, never a failure
    lines = out.splitlines()
    assert lines[0] == f"bench compare: A = {a}, B = {b}"
    row = {line.split()[0] + " " + line.split()[1]: line.split() for line in lines
           if line.startswith("  dt ")}
    assert row["dt p99"][-3:] == ["20.000", "30.000", "1.50"]
    assert row["dt p50"][-3:] == ["16.667", "16.667", "1.00"]
    assert row["dt p99.9"][-3:] == ["25.000", "35.000", "1.40"]
    assert any(line.split() == ["missed", "vsyncs", "10", "5", "0.50"] for line in lines)
    assert any(line.split() == ["draw", "4.000", "4.000", "1.00"] for line in lines)
    assert any(line.split() == ["gc", "pauses", "inside", "a", "frame", "2", "2", "1.00"]
               for line in lines)
    assert "verdict: dt p99 +50.0 %, missed vsyncs 10 -> 5" in out


def test_within_the_limit_passes_and_worse_fails_with_status_1(tmp_path, capsys):
    a = write(tmp_path / "a.json", report(p99=20.0, missed=10))
    within = write(tmp_path / "within.json", report(p99=20.9, missed=11))
    slower = write(tmp_path / "slower.json", report(p99=21.5, missed=10))
    missing_more = write(tmp_path / "missing.json", report(p99=20.0, missed=13))
    status, out, _ = run_compare(capsys, a, within, "--fail-if-worse", "5")
    assert status == 0 and "verdict: within 5 % of A: dt p99 +4.5 %" in out
    status, out, _ = run_compare(capsys, a, slower, "--fail-if-worse", "5")
    assert status == 1 and "verdict: WORSE than A by more than 5 %: dt p99 +7.5 %" in out
    # 10 * 1.05 + 1 = 11.5: at most 11 missed vsyncs are allowed.
    status, out, _ = run_compare(capsys, a, missing_more, "--fail-if-worse", "5")
    assert status == 1 and "missed vsyncs 10 -> 13 (at most 11 allowed)" in out


def test_missed_vsyncs_rule_scales_to_the_length_and_allows_one():
    assert MISSED_ALLOWANCE == 1
    assert not worse_than(report(missed=0), report(missed=1), "w", 0).worse
    assert worse_than(report(missed=0), report(missed=2), "w", 0).worse
    # Twice as long a run may miss twice as many.
    assert not worse_than(report(missed=10), report(missed=21, frames=2000), "w", 0).worse
    assert worse_than(report(missed=10), report(missed=22, frames=2000), "w", 0).worse
    # Better is never worse; no limit never fails.
    assert not worse_than(report(p99=20, missed=10), report(p99=10, missed=0), "w", 0).worse
    assert not worse_than(report(p99=10), report(p99=99, missed=99), "w", None).worse


def test_the_process_exits_1_when_worse(tmp_path):
    a = write(tmp_path / "a.json", report(p99=20.0))
    b = write(tmp_path / "b.json", report(p99=40.0))
    done = subprocess.run([sys.executable, "-m", "slideshow", "bench", "--compare", a, b,
                           "--fail-if-worse", "10"], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "WORSE than A by more than 10 %" in done.stdout


def test_several_displays_compare_by_name_and_say_which(tmp_path, capsys):
    a_displays = [report("DP-1", p99=20.0), report("HDMI-1", p99=20.0), report("DP-2")]
    b_displays = [report("HDMI-1", p99=40.0), report("DP-1", p99=20.0), report("VGA-1")]
    a = write(tmp_path / "a.json", dict(a_displays[0], displays=a_displays))
    b = write(tmp_path / "b.json", dict(b_displays[0], displays=b_displays))
    status, out, _ = run_compare(capsys, a, b, "--fail-if-worse", "5")
    assert status == 1
    blocks = out.split("\ndisplay ")
    dp1 = next(block for block in blocks if block.startswith("DP-1"))
    hdmi = next(block for block in blocks if block.startswith("HDMI-1"))
    assert "verdict: within 5 %" in dp1 and "verdict: WORSE" in hdmi
    assert "display DP-2 is only in A" in out and "display VGA-1 is only in B" in out
    assert out.rstrip().endswith("overall: worse on HDMI-1")


def test_two_single_display_runs_pair_whatever_their_names():
    text, worse = compare([report("window")], [report("HDMI-1")], "a", "b")
    assert "display window (A) / HDMI-1 (B)" in text and not worse


def test_no_display_in_common_is_an_error(tmp_path, capsys):
    a = write(tmp_path / "a.json", dict(report("DP-1"), displays=[report("DP-1"), report("DP-2")]))
    b = write(tmp_path / "b.json",
              dict(report("VGA-1"), displays=[report("VGA-1"), report("VGA-2")]))
    status, out, err = run_compare(capsys, a, b)
    assert status == 2 and out == ""
    assert err == "slideshow: error: option --compare: the runs have no display in common " \
                  "(A: DP-1, DP-2; B: VGA-1, VGA-2)\n"


def test_a_governor_section_is_compared_when_both_have_one(tmp_path, capsys):
    governor_a = {"scale": 1.0, "cadence": "every vsync", "changes": 2}
    governor_b = {"scale": 0.5, "cadence": "every 2nd vsync", "changes": 6}
    a = write(tmp_path / "a.json", report(governor=governor_a))
    b = write(tmp_path / "b.json", report(governor=governor_b))
    status, out, _ = run_compare(capsys, a, b)
    assert status == 0
    lines = [line.split() for line in out.splitlines()]
    assert ["scale", "1.000", "0.500", "0.50"] in lines and ["changes", "2", "6", "3.00"] in lines
    assert any(line[:1] == ["cadence"] and "2nd" in line for line in lines)
    only_a = write(tmp_path / "only.json", report(governor=governor_a))
    plain = write(tmp_path / "plain.json", report())
    status, out, _ = run_compare(capsys, only_a, plain)
    assert status == 0 and "governor: only in A, not compared" in out
    assert "scale" not in out


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file: {b}"),
    ("{not json", "{b} is not JSON (Expecting property name enclosed in double quotes: "
                  "line 1 column 2 (char 1))"),
    (json.dumps({"frames": 3}), "{b} is not a bench report (it needs frames, dt_ms, "
                                "missed_vsyncs; `slideshow bench --json FILE` writes one)"),
    (json.dumps([1, 2]), "{b} is not a bench report"),
    (json.dumps({"displays": [{"frames": 1}]}), "{b} is not a bench report"),
    ("[" * 100_000, "{b} is not a bench report (JSON nested too deep to read)"),
])
def test_bad_inputs_exit_2_with_one_line(tmp_path, content, message):
    a = write(tmp_path / "a.json", report())
    b = tmp_path / "b.json"
    if content is not None:
        b.write_text(content)
    done = subprocess.run([sys.executable, "-m", "slideshow", "bench", "--compare", a, str(b)],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("slideshow: error: option --compare: " + message.format(b=b))


@pytest.mark.parametrize(("args", "message"), [
    (["--fail-if-worse", "5"], "option --fail-if-worse: only with --compare A.json B.json"),
    (["--compare", "a.json", "b.json", "--plot", "x.png"],
     "option --compare: nothing runs with it, so --plot cannot go with it"),
    (["--compare", "a.json", "b.json", "--json", "x.json"],
     "option --compare: nothing runs with it, so --json cannot go with it"),
])
def test_flags_that_do_not_go_together(capsys, args, message):
    assert main(["bench", *args]) == 2
    assert capsys.readouterr().err == f"slideshow: error: {message}\n"


def test_a_negative_percentage_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--compare", "a.json", "b.json", "--fail-if-worse", "-5"])
    assert exit_.value.code == 2
    assert "--fail-if-worse: must be 0 or more: '-5'" in capsys.readouterr().err


def test_the_first_photo_is_compared_when_both_runs_have_it():
    text, _ = compare([report(first_photo_s=2.5)], [report(first_photo_s=1.25)], "a", "b")
    assert any(line.split() == ["first", "photo", "s", "2.500", "1.250", "0.50"]
               for line in text.splitlines())
    older, _ = compare([report()], [report(first_photo_s=1.25)], "a", "b")  # A predates it
    assert "first photo" not in older
