"""Quiet logs: a stop by signal is not reported as the audio worker's death, and what
PortAudio prints to stderr while a device cannot be opened is caught and summarised in
one warning per outage, not shown at every retry.

The stop tests run a real worker (and, for the process group, a real program in a session
of its own). The retry tests run `_CaptureFeed` with a stand-in device whose every open
writes PortAudio's lines to descriptor 2 and fails, and, with a PulseAudio server of
their own that is killed mid-run, the real worker and PortAudio."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from slideshow.audio.native_stderr import captured_stderr
from slideshow.audio.service import AudioService
from slideshow.audio.sources import AudioSourceError
from slideshow.audio.worker import _CaptureFeed
from tests.audio.sounds import START_S, wait_for_published
from tests.machine import missing
from tests.support import REPO

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

PORTAUDIO_LINES = (b"ALSA lib pulse.c:242:(pulse_connect) PulseAudio: Unable to connect: "
                   b"Connection refused\n"
                   b"Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1736\n")


def audio_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "slideshow.audio"]


def test_a_worker_ended_by_sigterm_just_before_close_is_not_reported(caplog):
    caplog.set_level(logging.INFO, logger="slideshow.audio")
    with AudioService("tone:1000") as service:
        wait_for_published(service, lambda b, seq: seq > 5)
        os.kill(service.worker_pid, signal.SIGTERM)  # the group's stop reaches it first
        deadline = time.monotonic() + START_S
        while service.worker_pid is not None and time.monotonic() < deadline:
            time.sleep(0.01)  # until the service has seen it end
        assert service.worker_pid is None
    assert service.restarts == 0
    assert not [line for line in audio_lines(caplog) if "died" in line or "stopped" in line]


def test_a_worker_stopped_by_a_signal_from_outside_is_restarted_with_one_warning(caplog):
    with AudioService("tone:1000", signal_grace_s=0.5) as service:
        _, seq_before, _ = wait_for_published(service, lambda b, seq: seq > 5)
        os.kill(service.worker_pid, signal.SIGTERM)
        wait_for_published(service, lambda b, seq: service.restarts == 1
                           and seq > seq_before + 20)
    lines = audio_lines(caplog)
    assert lines == ["the audio worker was stopped by SIGTERM from outside the slideshow; "
                     "starting it again"]


GROUP_PROGRAM = textwrap.dedent("""
    import logging, signal, sys, threading, time
    from slideshow.audio.service import AudioService

    if __name__ == "__main__":
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # as run/signals.py does
        with AudioService("tone:1000") as service:
            deadline = time.monotonic() + 30
            while service.read() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            print("publishing", flush=True)
            stop.wait(30)
        print("closed", flush=True)
""")


def test_sigterm_to_the_process_group_logs_no_death(tmp_path):
    program = tmp_path / "group.py"
    program.write_text(GROUP_PROGRAM)
    process = subprocess.Popen([sys.executable, str(program)], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)  # its own group, as a show under a host
    try:
        assert process.stdout.readline() == "publishing\n"
        os.killpg(process.pid, signal.SIGTERM)  # the program and its worker together
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 0 and out == "closed\n"
    assert "died" not in err and "WARNING" not in err, err


class FailingDevice:
    """Stands in for PortAudio with the sound server gone: each open prints its lines to
    descriptor 2, as the C library does, and fails."""

    def __init__(self) -> None:
        self.opens = 0
        self.streaming = True

    def __call__(self):
        self.opens += 1
        if self.streaming:
            return FakeStream(self)
        os.write(2, PORTAUDIO_LINES)
        raise AudioSourceError("pulse (sink.monitor)", "cannot be opened for capture "
                               "(Error opening InputStream [PaErrorCode -9993])")


class FakeStream:
    label = "device:pulse (sink.monitor)"
    sample_rate = 48000

    def __init__(self, device: FailingDevice) -> None:
        self.device = device

    @property
    def active(self) -> bool:
        return self.device.streaming

    def take(self):
        import numpy as np
        return np.full((480 if self.device.streaming else 0, 1), 0.25, np.float32)

    def close(self) -> None:
        pass


def test_portaudio_lines_of_every_retry_are_caught_and_said_once_per_outage(capfd):
    device = FailingDevice()
    ours, theirs = multiprocessing.Pipe()
    feed = _CaptureFeed(device, theirs, now=0.0)
    device.streaming = False  # the server goes away
    for hop in range(1, 1001):  # 10 s of hops: 4 or 5 retries, 2 s apart
        feed.chunk(0.01 * hop)
    assert device.opens >= 5  # the first open and at least four retries
    messages = []
    while ours.poll():
        messages.append(ours.recv())
    assert [kind for kind, _ in messages] == ["warning"]  # one line for the outage
    assert messages[0][1] == (
        "the PulseAudio monitor 'sink.monitor' stopped delivering audio (unplugged?) and cannot "
        "be opened again (cannot be opened for capture (Error opening InputStream [PaErrorCode "
        "-9993]); PortAudio said: ALSA lib pulse.c:242:(pulse_connect) PulseAudio: Unable to "
        "connect: Connection refused); the visualizer stays silent, retrying every 2 s")
    err = capfd.readouterr().err
    assert "ALSA lib" not in err and "Expression" not in err
    device.streaming = True  # back: one line, and the next outage is told again
    for hop in range(1001, 1301):
        feed.chunk(0.01 * hop)
    assert ours.recv()[0] == "info"
    device.streaming = False
    for hop in range(1301, 2001):
        feed.chunk(0.01 * hop)
    again = []
    while ours.poll():
        again.append(ours.recv()[1])
    assert again == [messages[0][1]]
    ours.close()
    theirs.close()


def test_captured_stderr_restores_descriptor_2(capfd):
    with captured_stderr() as said:
        os.write(2, b"from C\n\n  second  \n")
    os.write(2, b"after\n")
    assert said == ["from C", "second"]
    assert capfd.readouterr().err == "after\n"


@pytest.mark.pulse
def test_the_worker_keeps_portaudio_quiet_while_pulseaudio_is_away(
        killable_pulse_server, capfd, caplog):
    from slideshow.audio.capture import import_sounddevice
    if import_sounddevice() is None:
        missing("PortAudio", "sounddevice cannot load it (apt install libportaudio2)")
    with AudioService("auto") as service:
        wait_for_published(service, lambda b, seq: service.source_label is not None)
        assert service.source_label == "device:pulse (quiet_test.monitor)"
        killable_pulse_server.kill()  # the sound server goes away mid-run
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and not any(
                "cannot be opened again" in line for line in audio_lines(caplog)):
            time.sleep(0.05)
        capfd.readouterr()  # what the stream's own thread printed as the server died
        time.sleep(5.0)  # two more retries, 2 s apart
        err = capfd.readouterr().err
    opens = [line for line in audio_lines(caplog) if "cannot be opened again" in line]
    assert len(opens) == 1, audio_lines(caplog)  # one line, not one per retry
    assert opens[0].startswith("the PulseAudio monitor 'quiet_test.monitor' stopped delivering")
    assert "PortAudio said: " in opens[0] and opens[0].endswith("retrying every 2 s")
    assert "ALSA lib" not in err and "pa_linux_alsa" not in err, err
