"""Supervision with real processes killed and stopped for real: restart with backoff, retry
once, quarantine, the restart budget's pauses, decode deadlines (a SIGSTOPped worker, a
FIFO), close() with stopped workers, and workers outliving neither close() nor a SIGKILLed
parent. The decoder is a test hook in tests/workers/hooks.py (solid colours, or the real
one)."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from PIL import Image

from slideshow.workers.image_worker import NOT_A_FILE, UNSIZED
from slideshow.workers.pipeline import ImagePipeline
from slideshow.workers.processes import Progress, is_stopped, progress
from slideshow.workers.supervisor import (
    DEADLINE_BASE_S,
    STARVED_MAX_S,
    Supervisor,
    decode_deadline_s,
    default_worker_count,
    pause_s,
)
from tests.support import REPO, wait_for
from tests.workers.hooks import (
    calls,
    real_decoder,
    solid_decoder,
    source,
    take_photos,
    write_solid,
)

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

FAST_BACKOFF_S = (0.01, 0.05)
LOG = "test.supervisor"


def solid_pipeline(paths: list[str], **options) -> ImagePipeline:
    options = {"workers": 1, "ring_slots": 3, "decoder": solid_decoder,
               "backoff_s": FAST_BACKOFF_S, "log": logging.getLogger(LOG), **options}
    return ImagePipeline(source(paths), (16, 8), "fill", **options)


def test_default_worker_count_is_one_per_display_below_the_core_count():
    assert default_worker_count(displays=1, cores=12) == 1
    assert default_worker_count(displays=3, cores=12) == 3
    assert default_worker_count(displays=3, cores=2) == 1
    assert default_worker_count(displays=2, cores=1) == 1


def test_a_decoder_hook_that_cannot_reach_a_spawned_worker_is_refused_at_once():
    with pytest.raises(TypeError, match="module-level function"):
        Supervisor(source([]), (16, 8), workers=1, decoder=lambda *args: None)


def test_worker_killed_during_a_decode_is_restarted_and_the_request_completes(tmp_path):
    paths = [write_solid(tmp_path / "slow.txt", (255, 0, 0)),
             write_solid(tmp_path / "a.txt", (0, 255, 0)),
             write_solid(tmp_path / "b.txt", (0, 0, 255))]

    with solid_pipeline(paths) as pipeline:
        wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
        [pid] = pipeline.supervisor.worker_pids()
        os.kill(pid, signal.SIGKILL)
        photos = take_photos(pipeline, 3)
        restarts, new_pids = pipeline.restarts, pipeline.supervisor.worker_pids()

    assert photos == [("slow", (255, 0, 0, 255)), ("a", (0, 255, 0, 255)), ("b", (0, 0, 255, 255))]
    assert restarts == 1
    assert len(new_pids) == 1 and new_pids != [pid]
    # The killed request was retried once; the ones queued behind it were sent once.
    assert calls(tmp_path) == [paths[0], paths[0], paths[1], paths[2]]


def _priority(pid: int) -> tuple[int, int | None]:
    policy = os.sched_getscheduler(pid) if hasattr(os, "sched_getscheduler") else None
    return os.getpriority(os.PRIO_PROCESS, pid), policy


LOWEST = (19, getattr(os, "SCHED_IDLE", None) if hasattr(os, "sched_getscheduler") else None)


def test_a_first_start_decodes_its_first_photo_at_normal_priority_and_a_restart_at_the_lowest(
        tmp_path):
    paths = [write_solid(tmp_path / "slow.txt", (255, 0, 0)),
             write_solid(tmp_path / "a.txt", (0, 255, 0)),
             write_solid(tmp_path / "b.txt", (0, 0, 255))]
    ours = _priority(os.getpid())

    with solid_pipeline(paths) as pipeline:
        wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
        [pid] = pipeline.supervisor.worker_pids()
        during_first = _priority(pid)  # the show's first photo waits for this decode
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: pipeline.supervisor.worker_pids() not in ([], [pid]), what="a restart")
        [restarted] = pipeline.supervisor.worker_pids()
        wait_for(lambda: _priority(restarted) == LOWEST, what="the restarted worker at the lowest")
        take_photos(pipeline, 3)

    assert ours[0] < 19 and during_first == ours


def test_file_that_crashes_the_worker_twice_is_quarantined_and_the_show_goes_on(tmp_path, caplog):
    names = ["a", "crash", "b", "c", "d", "crash", "e"]
    colours = {name: (10 * i, 100, 200) for i, name in enumerate(names)}
    paths = [write_solid(tmp_path / f"{name}.txt", colours[name]) for name in names]
    crash = paths[1]
    caplog.set_level(logging.WARNING, logger=LOG)

    with solid_pipeline(paths) as pipeline:
        photos = take_photos(pipeline, 5)
        quarantined, restarts, failed = pipeline.quarantined, pipeline.restarts, pipeline.failed

    assert [name for name, _ in photos] == ["a", "b", "c", "d", "e"]
    assert [rgba for _, rgba in photos] == [(*colours[n], 255) for n in "abcde"]
    assert quarantined == (crash,)
    assert calls(tmp_path).count(crash) == 2  # never requested after the second crash
    assert restarts == 2 and failed == 0
    lines = [r for r in caplog.records if "quarantined" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert crash in lines[0].getMessage()


def test_worker_ended_by_sigterm_then_closed_is_no_death_and_blames_no_file(tmp_path, caplog):
    # A stop of the whole process group: the worker gets SIGTERM, close() follows.
    paths = [write_solid(tmp_path / "slow.txt", (255, 0, 0)),
             write_solid(tmp_path / "a.txt", (0, 255, 0))]
    caplog.set_level(logging.DEBUG, logger=LOG)

    with solid_pipeline(paths) as pipeline:
        wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
        [pid] = pipeline.supervisor.worker_pids()
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: pid not in pipeline.supervisor.worker_pids(), what="its burial")
        restarts, quarantined = pipeline.restarts, pipeline.quarantined

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert sum("ended by SIGTERM" in r.getMessage() for r in caplog.records) == 1
    assert restarts == 0 and quarantined == ()


def test_worker_stopped_by_sigterm_from_outside_comes_back_with_one_warning(tmp_path, caplog):
    paths = [write_solid(tmp_path / "slow.txt", (255, 0, 0)),
             write_solid(tmp_path / "a.txt", (0, 255, 0)),
             write_solid(tmp_path / "b.txt", (0, 0, 255))]
    caplog.set_level(logging.WARNING, logger=LOG)

    with solid_pipeline(paths) as pipeline:
        wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
        [pid] = pipeline.supervisor.worker_pids()
        os.kill(pid, signal.SIGTERM)
        photos = take_photos(pipeline, 3)
        restarts, quarantined = pipeline.restarts, pipeline.quarantined

    # The photo it was decoding is sent again like the rest, not counted against the file.
    assert [name for name, _ in photos] == ["slow", "a", "b"]
    assert restarts == 1 and quarantined == ()
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [("image worker 0 was stopped by SIGTERM from outside the slideshow; "
                         "starting it again")]


class ShiftedClock:
    """Real monotonic time plus an offset the test moves forward: backoffs of a few ms run
    by themselves, while a pause or a deadline of 100 s passes when the test says so."""

    def __init__(self) -> None:
        self.offset_s = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset_s

    def advance(self, seconds: float) -> None:
        self.offset_s += seconds


def test_decode_deadline_grows_with_the_pixels_and_stays_at_10_s_up_to_50_mp():
    assert decode_deadline_s(50_000_000) == pytest.approx(10.0)
    assert decode_deadline_s(24_000_000) == pytest.approx(5.84)
    assert 2.0 < decode_deadline_s(1) < decode_deadline_s(12_000_000) < decode_deadline_s(50_000_000)
    assert decode_deadline_s(NOT_A_FILE) == DEADLINE_BASE_S == 2.0  # only an open() to wait for
    assert decode_deadline_s(UNSIZED) == pytest.approx(10.0)  # allowed what 50 MP is
    assert decode_deadline_s(24_000_000, timeout_s=3.5) == 3.5  # the setting, when given
    assert decode_deadline_s(NOT_A_FILE, timeout_s=3.5) == 3.5


def test_pauses_double_from_the_backoff_cap_up_to_a_minute():
    assert [pause_s(n, 5.0) for n in range(6)] == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    assert pause_s(10_000, 5.0) == 60.0


def test_spent_restart_budget_pauses_restarts_and_they_resume_by_themselves(tmp_path, caplog):
    paths = [write_solid(tmp_path / f"p{i:02}.txt", (i, 2, 3)) for i in range(30)]
    clock = ShiftedClock()
    caplog.set_level(logging.DEBUG, logger=LOG)
    kills = 0

    def kill_the_worker() -> None:
        nonlocal kills
        [pid] = wait_for(pipeline.supervisor.worker_pids, what="a running worker")
        os.kill(pid, signal.SIGKILL)
        kills += 1
        wait_for(lambda: pid not in pipeline.supervisor.worker_pids(), what="its burial")

    # The ring (2 slots) fills and nothing is taken: the worker is idle at every kill, so
    # no file is blamed and each death spends the budget. The pause is 100 s on `clock`.
    with solid_pipeline(paths, restart_budget=2, ring_slots=2, backoff_s=(0.01, 100.0),
                        pause_max_s=400.0, restart_window_s=10_000.0, clock=clock) as pipeline:
        wait_for(lambda: pipeline.decoded == 2, what="the ring to fill")
        kill_the_worker()
        kill_the_worker()  # two restarts: the budget is spent
        kill_the_worker()  # paused
        wait_for(lambda: pipeline.live_workers == 0, what="the restarts to pause")
        paused_pids, restarts_paused = pipeline.supervisor.worker_pids(), pipeline.restarts
        clock.advance(100.0)  # the pause is over
        pipeline.supervisor.poke()
        wait_for(pipeline.supervisor.worker_pids, what="the restart after the pause")
        after_pause = take_photos(pipeline, 4)  # photos come again
        wait_for(lambda: pipeline.decoded == 6, what="the ring to fill again (an idle worker)")
        kill_the_worker()  # still within the window: paused again, without another warning
        wait_for(lambda: pipeline.live_workers == 0, what="the second pause")
        clock.advance(100.0)  # it decoded between the deaths, so this pause is 100 s again
        pipeline.supervisor.poke()
        after_second_pause = take_photos(pipeline, 4)
        restarts = pipeline.restarts

    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    paused = [m for level, m in messages if "restarts are paused" in m]
    assert len(paused) == 1, messages
    assert "restart budget (2 per 10000 s) is spent" in paused[0]
    assert "next try in 100 s, at " in paused[0]
    assert [level for level, m in messages if m == paused[0]] == [logging.WARNING]
    still = [m for level, m in messages if "restarts still paused; next try in 100.0 s" in m]
    assert [level for level, m in messages if m in still] == [logging.DEBUG]
    back = [m for _, m in messages if "is decoding again" in m]
    assert len(back) == 1 and back[0].startswith("image worker 0 is decoding again")
    assert not [m for level, m in messages if level >= logging.ERROR]
    assert (kills, paused_pids, restarts_paused, restarts) == (4, [], 2, 4)
    assert len(after_pause) == len(after_second_pause) == 4
    taken = [name for name, _ in after_pause + after_second_pause]
    assert taken == sorted(set(taken))  # new photos, in order, none twice


def settle(pipeline: ImagePipeline, quiet_s: float = 0.3) -> None:
    """Until no photo has been decoded for `quiet_s`: the workers with room in their rings
    have served what they were sent, so a test's jump of the clock finds in flight only the
    decodes that hang (a fast decode caught in flight would be killed by the jump too)."""
    last = [pipeline.decoded, time.monotonic()]

    def quiet() -> bool:
        if pipeline.decoded != last[0]:
            last[:] = [pipeline.decoded, time.monotonic()]
        return time.monotonic() - last[1] >= quiet_s

    wait_for(quiet, what=f"{quiet_s} s without a decode")


def test_a_stopped_worker_is_killed_at_its_deadline_and_the_file_quarantined_while_the_other_delivers(
        tmp_path, caplog):
    hang = write_solid(tmp_path / "hang.txt", (0, 0, 0))
    others = [write_solid(tmp_path / f"p{i:02}.txt", (i, 9, 9)) for i in range(12)]
    clock = ShiftedClock()
    caplog.set_level(logging.WARNING, logger=LOG)

    # Deadlines of 100 s on `clock`: they pass when the test moves it, never by chance.
    with solid_pipeline([hang, *others], workers=2, decode_timeout_s=100.0,
                        clock=clock) as pipeline:
        supervisor = pipeline.supervisor
        [(index, path, _)] = wait_for(
            lambda: [d for d in supervisor.current_decodes() if d[1] == hang],
            what="the hanging decode to begin")
        stuck_pid = supervisor.worker_pids()[index]
        os.kill(stuck_pid, signal.SIGSTOP)
        # The other worker serves the rest meanwhile: the stuck one holds only its ring.
        while_stuck = take_photos(pipeline, 8)
        kills_while_stuck = supervisor.deadline_kills
        settle(pipeline)  # the other worker idle, its ring full: the move passes only the hang
        clock.advance(100.0)
        pipeline.supervisor.poke()
        wait_for(lambda: supervisor.deadline_kills == 1, what="the deadline kill")
        # The one retry hangs too (a SIGSTOP or a hang: the deadline cannot tell).
        wait_for(lambda: [d for d in supervisor.current_decodes() if d[1] == hang and d[2] > 50],
                 what="the retry to begin")  # (its deadline counts from after the move)
        # The worker says a decode began just before it calls the decoder: the kill must
        # not come in between, or the retry would never have reached the decoder.
        wait_for(lambda: calls(tmp_path).count(hang) == 2, what="the retry in the decoder")
        settle(pipeline)
        clock.advance(100.0)
        pipeline.supervisor.poke()
        wait_for(lambda: pipeline.quarantined, what="the quarantine")
        rest = take_photos(pipeline, 4)
        quarantined, kills = pipeline.quarantined, supervisor.deadline_kills

    assert not _alive(stuck_pid)
    assert kills_while_stuck == 0
    # The second jump of the clock may also pass the start-up deadline of the worker
    # restarted after the first kill, if it is still starting: nothing is blamed for that
    # and its request is sent again (every other photo is still shown once, below).
    assert quarantined == (hang,) and kills in (2, 3)
    assert calls(tmp_path).count(hang) == 2
    names = [name for name, _ in while_stuck + rest]
    # Every other photo, once; those queued behind the hang on its worker came after the
    # kill, the rest in order from the other worker.
    assert sorted(names) == [f"p{i:02}" for i in range(12)]
    assert [name for name, _ in while_stuck] == sorted(name for name, _ in while_stuck)
    messages = [r.getMessage() for r in caplog.records]
    killed = [m for m in messages if m.endswith("killed it") and hang in m]
    assert [re.sub(r"worker \d", "worker N", m) for m in killed] == 2 * [
        f"image worker N was past its 100.0 s decode deadline on {hang} (stopped, hung or "
        "blocked); killed it"]
    lines = [m for m in messages if m.startswith("quarantined")]
    assert lines == [f"quarantined {hang}: it hung the image decoder twice (past its decode "
                     "deadline); it will not be shown again"]


def test_progress_reads_the_state_and_cpu_time_of_real_processes():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        wait_for(lambda: (found := progress(sleeper.pid)) and found.state == "S",
                 what="the sleeper asleep")
        first = wait_for(lambda: (found := progress(spinner.pid)) and found.cpu_s > 0 and found,
                         what="the spinner on a CPU")
        assert first.state == "R"
        wait_for(lambda: progress(spinner.pid).cpu_s >= first.cpu_s + 0.05,
                 what="the spinner's CPU time to grow")
        os.kill(sleeper.pid, signal.SIGSTOP)
        wait_for(lambda: progress(sleeper.pid).state == "T", what="the sleeper stopped")
        assert is_stopped(sleeper.pid) and not is_stopped(spinner.pid)
    finally:
        for process in (sleeper, spinner):
            process.kill()
            process.wait()
    assert progress(spinner.pid) is None  # reaped: gone from /proc


class FakeStarvedProgress:
    """A fake for what cannot be made to order here: a worker that is runnable but gets no
    CPU (an idle-priority process on a saturated machine). Reports every process as state
    R with no CPU time used, while `starved`; the real reading otherwise."""

    def __init__(self) -> None:
        self.starved = True

    def __call__(self, pid: int) -> Progress | None:
        return Progress("R", 0.0) if self.starved else progress(pid)


def test_a_worker_waiting_for_a_cpu_is_given_time_up_to_a_minute_then_killed(tmp_path, caplog):
    hang = write_solid(tmp_path / "hang.txt", (0, 0, 0))
    clock, starved = ShiftedClock(), FakeStarvedProgress()
    caplog.set_level(logging.DEBUG, logger=LOG)

    with solid_pipeline([hang], decode_timeout_s=10.0, clock=clock,
                        progress=starved) as pipeline:
        supervisor = pipeline.supervisor
        wait_for(lambda: [d for d in supervisor.current_decodes() if d[1] == hang],
                 what="the decode to begin")
        left_s = []
        for _ in range(3):  # at 10 s, 20 s, 30 s: each time owed the whole 10 s again
            clock.advance(10.0)
            supervisor.poke()
            wait_for(lambda: supervisor.current_decodes()[0][2] > 5.0, what="the move")
            left_s.append(round(supervisor.current_decodes()[0][2]))
        kills_while_starved = supervisor.deadline_kills
        clock.advance(STARVED_MAX_S)  # past a minute from the start: no more waiting
        supervisor.poke()
        wait_for(lambda: supervisor.deadline_kills == 1, what="the kill past the bound")
        # The retry is seen as it is (asleep in its decode): killed at its plain deadline.
        starved.starved = False
        wait_for(lambda: [d for d in supervisor.current_decodes() if d[1] == hang and d[2] > 5],
                 what="the retry to begin")
        # Asleep in the hook, not still on its way there (runnable, it would be owed time).
        [pid] = supervisor.worker_pids()
        wait_for(lambda: calls(tmp_path).count(hang) == 2 and progress(pid).state == "S",
                 what="the retry asleep in its decode")
        clock.advance(10.0)
        supervisor.poke()
        wait_for(lambda: pipeline.quarantined, what="the quarantine")
        kills = supervisor.deadline_kills

    assert kills_while_starved == 0
    assert all(9 <= left <= 10 for left in left_s), left_s
    assert (kills, pipeline.quarantined) == (2, (hang,))
    moves = [r.getMessage() for r in caplog.records if "waiting for a CPU" in r.getMessage()]
    assert len(moves) == 3 and all(r.levelno == logging.DEBUG for r in caplog.records
                                   if "waiting for a CPU" in r.getMessage())
    assert moves[0].startswith("image worker 0 is waiting for a CPU (0.00 s of CPU in 10.0 s)")


def test_a_worker_spinning_past_its_cpu_allowance_is_killed(tmp_path, caplog):
    spin = write_solid(tmp_path / "spin.txt", (0, 0, 0))
    after = write_solid(tmp_path / "after.txt", (7, 7, 7))
    caplog.set_level(logging.WARNING, logger=LOG)

    # Real time and the real /proc reading: runnable all along, so the deadline moves only
    # while the worker has had less than 0.3 s of CPU; a loaded machine only slows that.
    with solid_pipeline([spin, spin, after], decode_timeout_s=0.3) as pipeline:
        shown = take_photos(pipeline, 1, timeout_s=4 * STARVED_MAX_S)
        kills = pipeline.supervisor.deadline_kills

    assert shown == [("after", (7, 7, 7, 255))]
    assert kills == 2 and pipeline.quarantined == (spin,)
    assert calls(tmp_path).count(spin) == 2


def small_jpeg(path: Path, shade: int) -> str:
    Image.new("RGB", (64, 48), (shade, 128, 255 - shade)).save(path, quality=90)
    return str(path)


def test_a_fifo_among_the_photos_is_skipped_or_killed_at_its_deadline_and_the_show_goes_on(
        tmp_path, caplog):
    photos = [small_jpeg(tmp_path / f"p{i}.jpg", 40 * i) for i in range(5)]
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)  # no writer ever: a plain open() for reading blocks for good
    paths = [photos[0], str(fifo), *photos[1:]]
    caplog.set_level(logging.WARNING, logger=LOG)

    # The real decoder and the automatic deadline (2 s for what is no regular file).
    with solid_pipeline(paths, decoder=real_decoder) as pipeline:
        taken = take_photos(pipeline, 5, timeout_s=60.0)
        quarantined, failed = pipeline.quarantined, pipeline.failed
        kills = pipeline.supervisor.deadline_kills

    assert [name for name, _ in taken] == ["p0", "p1", "p2", "p3", "p4"]
    named = [r.getMessage() for r in caplog.records if str(fifo) in r.getMessage()]
    if quarantined:  # the decoder blocked in open(): the deadline is what saved the show
        assert (quarantined, kills, failed) == ((str(fifo),), 2, 0)
        assert [m for m in named if m.startswith("quarantined")] == [
            f"quarantined {fifo}: it hung the image decoder twice (past its decode deadline); "
            "it will not be shown again"]
        assert calls(tmp_path).count(str(fifo)) == 2
    else:  # a decoder that refuses what is no regular file: skipped with one line
        assert (kills, failed) == (0, 1)
        assert len([m for m in named if m.startswith("skipping")]) == 1


def test_close_with_stopped_workers_kills_them_instead_of_waiting(tmp_path):
    slow = write_solid(tmp_path / "hang.txt", (0, 0, 0))
    supervisor = Supervisor(source([slow]), (16, 8), workers=2, decoder=solid_decoder)
    wait_for(lambda: supervisor.current_decodes(), what="the hanging decode to begin")
    pids = wait_for(lambda: len(supervisor.worker_pids()) == 2 and supervisor.worker_pids(),
                    what="both workers")
    for pid in pids:  # one in a decode, one idle: neither can read its stop message
        os.kill(pid, signal.SIGSTOP)
    wait_for(lambda: all(is_stopped(pid) for pid in pids), what="both to stop")
    names = [ring.name for ring in supervisor.rings]

    started = time.monotonic()
    supervisor.close()
    elapsed_s = time.monotonic() - started

    assert elapsed_s < 3.0  # generous; benchmarks/faults_workers.py measures it
    assert not any(_alive(pid) for pid in pids)
    assert not any(Path("/dev/shm", name).exists() for name in names)


def test_close_stops_a_worker_stuck_in_a_decode_and_is_idempotent(tmp_path):
    slow = write_solid(tmp_path / "slow.txt", (0, 0, 0))
    supervisor = Supervisor(source([slow]), (16, 8), workers=1, decoder=solid_decoder,
                            stop_timeout_s=0.2)
    wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
    [pid] = supervisor.worker_pids()
    names = [ring.name for ring in supervisor.rings]

    started = time.monotonic()
    supervisor.close()
    supervisor.close()
    elapsed_s = time.monotonic() - started

    assert elapsed_s < 3.0
    assert not _alive(pid)
    assert not any(Path("/dev/shm", name).exists() for name in names)
    assert supervisor.worker_pids() == [] and supervisor.rings == ()


PARENT_SCRIPT = """
import sys, time
from pathlib import Path
from slideshow.workers.supervisor import Supervisor
from tests.workers.hooks import solid_decoder

slow = sys.argv[1]
paths = iter([slow])
supervisor = Supervisor(lambda: next(paths, None), (16, 8), workers=2, decoder=solid_decoder)
while not Path(slow + ".started").exists() or len(supervisor.worker_pids()) < 2:
    time.sleep(0.01)
print(*supervisor.worker_pids(), *[ring.name for ring in supervisor.rings], flush=True)
time.sleep(60)
"""


def test_workers_and_segments_go_when_the_parent_is_killed_with_sigkill(tmp_path):
    slow = write_solid(tmp_path / "slow.txt", (0, 0, 0))
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(PARENT_SCRIPT), slow],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        fields = parent.stdout.readline().split()
        assert len(fields) == 4, parent.stderr.read() if parent.poll() is not None else fields
        pids, names = [int(p) for p in fields[:2]], fields[2:]
        assert all(_alive(pid) for pid in pids)
        parent.kill()
        parent.wait()
        # One worker is busy in a 60 s decode: only the parent-death signal stops it soon.
        wait_for(lambda: not any(_alive(pid) for pid in pids), 5.0, "the workers to exit")
        wait_for(lambda: not any(Path("/dev/shm", n).exists() for n in names), 5.0,
                 "the rings to be unlinked")
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        parent.stderr.close()


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped by its new parent) is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
