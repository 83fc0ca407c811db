"""Which capture backend `--audio auto` or a device name goes through, per platform.

Windows and macOS cannot run here: the platform is injected into `Chooser`, and the two
libraries are stand-ins holding what each would report on that platform (sounddevice's
device table, soundcard's speakers and microphones). The real libraries are tested against
PulseAudio in test_loopback_capture.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from slideshow.audio.backends import Chooser, check_backend, preference
from slideshow.audio.capture import SourceSpec
from slideshow.audio.service import AudioService
from tests.support import REPO

AUTO = SourceSpec("auto")


class FakeSd:
    """The part of sounddevice that choose_device reads: devices, host APIs, the default."""

    def __init__(self, devices: list[dict], default_input: int = -1) -> None:
        self._devices = devices
        self.default = type("Default", (), {"device": (default_input, -1)})()

    def query_devices(self) -> list[dict]:
        return self._devices

    def query_hostapis(self) -> list[dict]:
        return [{"name": "ALSA"}, {"name": "Windows WASAPI"}]


def device(name: str, inputs: int = 2, hostapi: int = 0) -> dict:
    return {"name": name, "max_input_channels": inputs, "hostapi": hostapi,
            "default_samplerate": 48000.0}


class Card:
    def __init__(self, name: str, id: str, isloopback: bool = False) -> None:
        self.name, self.id, self.isloopback, self.channels = name, id, isloopback, 2


class FakeSc:
    """The part of soundcard that choose_loopback reads."""

    def __init__(self, speakers: list[Card], microphones: list[Card]) -> None:
        self._speakers, self._microphones = speakers, microphones

    def default_speaker(self) -> Card:
        if not self._speakers:
            raise IndexError("no default speaker")
        return self._speakers[0]

    def all_microphones(self, include_loopback: bool = False) -> list[Card]:
        return [m for m in self._microphones if include_loopback or not m.isloopback]

    def get_microphone(self, id: str, include_loopback: bool = False) -> Card:
        for mic in self.all_microphones(include_loopback):
            if id == mic.id or id.lower() in mic.name.lower():
                return mic
        raise IndexError(f"no microphone with id {id}")


WINDOWS_SC = FakeSc([Card("Speakers (Realtek)", "{0.0.0.1}")],
                    [Card("Microphone (Realtek)", "{0.0.1.2}"),
                     Card("Speakers (Realtek)", "{0.0.0.1}", isloopback=True)])
# The stock wheel on Windows: WASAPI inputs, none of them a loopback.
WINDOWS_SD = FakeSd([device("Microphone (Realtek)", hostapi=1),
                     device("Speakers (Realtek)", inputs=0, hostapi=1)], default_input=0)


def chooser(platform: str, sd, sc, why: str = "") -> Chooser:
    return Chooser(platform, import_sd=lambda: sd, import_sc=lambda: (sc, why))


def test_windows_auto_records_the_default_speakers_loopback_through_soundcard():
    choice = chooser("win32", WINDOWS_SD, WINDOWS_SC).choose(AUTO)
    assert (choice.backend, choice.device, choice.loopback) == ("soundcard", "{0.0.0.1}", True)
    assert choice.reason == "the loopback of the default speaker 'Speakers (Realtek)': what it plays"


def test_windows_without_soundcard_takes_the_microphone_and_says_why():
    choice = chooser("win32", WINDOWS_SD, None,
                     "the soundcard package is not installed (pip install soundcard)").choose(AUTO)
    assert (choice.backend, choice.device, choice.loopback) == ("sounddevice", 0, False)
    assert choice.reason == ("the default input device (this PortAudio offers no WASAPI "
                             "loopback device) (not soundcard: the soundcard package is not "
                             "installed (pip install soundcard))")


def test_windows_prefers_a_portaudio_loopback_only_when_soundcard_has_none():
    sd = FakeSd([device("Mic", hostapi=1), device("Speakers [Loopback]", hostapi=1)], 0)
    no_loopback = FakeSc([], [Card("Mic", "{mic}")])
    choice = chooser("win32", sd, no_loopback).choose(AUTO)
    assert (choice.backend, choice.device) == ("sounddevice", 1)
    assert "not soundcard: soundcard finds no input for the default speaker" in choice.reason


def test_linux_auto_keeps_sounddevice_on_the_monitor_and_never_imports_soundcard(monkeypatch):
    monkeypatch.setattr("slideshow.audio.capture.default_sink_monitor", lambda: "out.monitor")
    sd = FakeSd([device("mic"), device("pulse")], default_input=0)

    def no_import():
        raise AssertionError("soundcard imported although sounddevice found the monitor")

    choice = Chooser("linux", import_sd=lambda: sd, import_sc=no_import).choose(AUTO)
    assert (choice.backend, choice.device, choice.env) == ("sounddevice", 1,
                                                          {"PULSE_SOURCE": "out.monitor"})


def test_linux_without_the_alsa_pulse_plugin_records_the_monitor_through_soundcard(monkeypatch):
    monkeypatch.setattr("slideshow.audio.capture.default_sink_monitor", lambda: "out.monitor")
    sc = FakeSc([Card("Built-in Audio", "out")],
                [Card("Monitor of Built-in Audio", "out.monitor", isloopback=True)])
    choice = chooser("linux", FakeSd([device("default")], 0), sc).choose(AUTO)
    assert (choice.backend, choice.device) == ("soundcard", "out.monitor")
    assert choice.reason.endswith("(not sounddevice: the default input device (PortAudio has "
                                  "no ALSA 'pulse' device (apt install libasound2-plugins)))")


def test_the_loopback_is_found_by_id_when_two_speakers_share_a_name():
    sc = FakeSc([Card("Null Output", "second")],
                [Card("Monitor of Null Output", "first.monitor", isloopback=True),
                 Card("Monitor of Null Output", "second.monitor", isloopback=True)])
    assert chooser("linux", None, sc).choose(AUTO, "soundcard").device == "second.monitor"


def test_macos_auto_takes_the_default_input_through_sounddevice():
    sd = FakeSd([device("MacBook Microphone"), device("BlackHole 2ch")], default_input=0)
    sc = FakeSc([Card("MacBook Speakers", "1")], [Card("MacBook Microphone", "2")])
    choice = chooser("darwin", sd, sc).choose(AUTO)
    assert (choice.backend, choice.device) == ("sounddevice", 0)
    assert "loopback capture is not built in" in choice.reason


def test_a_device_name_goes_to_the_first_backend_that_has_it():
    choice = chooser("win32", WINDOWS_SD, WINDOWS_SC).choose(SourceSpec("device", "microphone"))
    assert (choice.backend, choice.device) == ("soundcard", "{0.0.1.2}")
    only_sd = chooser("linux", FakeSd([device("USB Mic")], 0), WINDOWS_SC)
    assert only_sd.choose(SourceSpec("device", "usb")).device == 0


def test_a_named_backend_is_used_alone():
    choice = chooser("win32", WINDOWS_SD, WINDOWS_SC).choose(AUTO, "sounddevice")
    assert (choice.backend, choice.device, choice.loopback) == ("sounddevice", 0, False)
    gone = chooser("win32", WINDOWS_SD, None, "soundcard could not load").choose(AUTO, "soundcard")
    assert (gone.backend, gone.device, gone.reason) == ("soundcard", None,
                                                       "soundcard could not load")


def test_nothing_anywhere_gives_every_backends_reason():
    choice = chooser("win32", FakeSd([device("Speakers", 0)]), None, "not installed").choose(AUTO)
    assert choice.device is None
    assert choice.reason == "soundcard: not installed; sounddevice: no input device (this " \
                            "PortAudio offers no WASAPI loopback device)"


def test_preference_per_platform():
    assert preference("win32") == ("soundcard", "sounddevice")
    assert preference("linux") == ("sounddevice", "soundcard")
    assert preference("darwin") == ("sounddevice", "soundcard")


def test_an_unknown_backend_names_the_choices():
    assert check_backend(" SoundCard ") == "soundcard"
    with pytest.raises(ValueError, match="'wasapi' is not one of auto, sounddevice, soundcard"):
        check_backend("wasapi")
    with pytest.raises(ValueError, match="'pyaudio'"):
        AudioService("off", capture_backend="pyaudio")


def test_devices_refuses_an_unknown_backend_with_one_line():
    done = subprocess.run([sys.executable, "-m", "slideshow", "devices", "--audio-backend",
                           "wasapi"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith(
        "argument --audio-backend: invalid choice: 'wasapi' (choose from 'auto', "
        "'sounddevice', 'soundcard')")
