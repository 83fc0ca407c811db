"""The process's launch time: read from /proc/self/stat's start time (clock ticks since
boot) and moved onto the loop's clock; a command name with spaces and parentheses does not
shift the fields; a fresh process finds itself launched a moment ago."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slideshow.pacing.launch import launch_time_s, start_ticks

# A real line's shape: pid (comm) state ppid ... ; field 22 is the start time (here 4321).
STAT = ("77 (my (odd) name) S 1 77 77 0 -1 4194560 200 0 0 0 3 1 0 0 20 0 1 0 4321 "
        "12345678 900 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")


def test_the_start_time_is_field_22_counted_after_the_command_name():
    assert start_ticks(STAT) == 4321


def test_the_launch_is_the_start_time_moved_onto_the_given_clock(tmp_path: Path):
    stat = tmp_path / "stat"
    stat.write_text(STAT)
    ticks_s = 4321 / os.sysconf("SC_CLK_TCK")
    # CLOCK_BOOTTIME reads 1.25 s past the start time; the loop's clock reads 7.0 now.
    launch_s = launch_time_s(now=lambda: 7.0, boottime=lambda: ticks_s + 1.25, stat_path=stat)
    assert launch_s == pytest.approx(7.0 - 1.25)


def test_no_stat_file_means_the_launch_is_unknown(tmp_path: Path):
    assert launch_time_s(now=lambda: 1.0, boottime=lambda: 2.0, stat_path=tmp_path / "none") is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux's /proc only")
def test_a_fresh_process_was_launched_a_moment_before_it_reads_its_launch():
    code = ("import time; from slideshow.pacing.launch import launch_time_s; "
            "print(time.perf_counter() - launch_time_s())")
    before_s = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    lifetime_s = time.monotonic() - before_s
    age_s = float(result.stdout)
    # Its start time is rounded down to a clock tick: it may look up to a tick older.
    assert 0.0 < age_s <= lifetime_s + 1.0 / os.sysconf("SC_CLK_TCK")
