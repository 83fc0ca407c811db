"""Which capture library records `--audio auto` or a named device: sounddevice or soundcard.

`audio.backend` (`--audio-backend` for `listen` and `devices`) is `auto`, `sounddevice`
or `soundcard`. `auto` asks the platform's backends in `preference(platform)` order and
takes the first that finds a loopback (what the computer plays); when none does, the
first that finds any input (a microphone, BlackHole). The order is what was measured or
is known:

- Windows: soundcard first. The stock sounddevice wheel's PortAudio (V19.7.0-devel) has
  no WASAPI loopback (python-sounddevice issue 510), so sounddevice could only offer a
  microphone there; soundcard records the default speaker's loopback through WASAPI.
- Linux: sounddevice first, soundcard when sounddevice finds no monitor (no pactl, no
  ALSA pulse plugin). Measured here (benchmarks/audio.py capture, the monitor of a
  PulseAudio null sink with a loop playing, 3 runs of 10 s each, a loaded 2-core
  machine): sounddevice used 3.4-3.9 % of a core against soundcard's 7.3-8.1 %, and its
  longest gap between deliveries was 35-54 ms against 122-132 ms; soundcard delivers
  every 10 ms where the ALSA pulse device hands over two blocks every 22 ms, and the same
  sound arrived 1-6 ms sooner (median), a third of a frame at 60 Hz.
- macOS and others: sounddevice first; neither library has a loopback there, and
  PortAudio's inputs (BlackHole, Loopback) are named with `--audio NAME`.

A backend named explicitly is used alone: its own choice, its own reason, nothing else
tried. The libraries are imported only when asked (`import soundcard` connects to the
sound server on Linux), through importers a test can replace.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from slideshow.audio.capture import (
    CaptureSource,
    DeviceChoice,
    SourceSpec,
    choose_device,
    describe_portaudio,
    import_sounddevice,
)
from slideshow.audio.loopback import (
    LoopbackCapture,
    choose_loopback,
    describe_loopback,
    import_soundcard,
)

BACKENDS = ("auto", "sounddevice", "soundcard")
BACKEND_HELP = ("the capture library: auto (soundcard on Windows for the speaker's loopback, "
                "sounddevice first on Linux and macOS), sounddevice (PortAudio) or soundcard")


def preference(platform: str) -> tuple[str, ...]:
    """The backends `auto` asks, in order, on `platform` (a `sys.platform` value)."""
    if platform == "win32":
        return ("soundcard", "sounddevice")
    return ("sounddevice", "soundcard")


def check_backend(setting: str) -> str:
    """`setting` lower-cased when it names a backend; ValueError with the choices if not."""
    if setting.strip().lower() not in BACKENDS:
        raise ValueError(f"audio backend {setting!r} is not one of {', '.join(BACKENDS)}")
    return setting.strip().lower()


class Chooser:
    """Runs each backend's own choice lazily (each library imported at most once)."""

    def __init__(self, platform: str | None = None,
                 import_sd: Callable[[], Any] = import_sounddevice,
                 import_sc: Callable[[], tuple[Any, str]] = import_soundcard) -> None:
        self.platform = platform or sys.platform
        self._import_sd, self._import_sc = import_sd, import_sc
        self._libraries: dict[str, Any] = {}

    def library(self, backend: str) -> Any:
        if backend not in self._libraries:
            self._libraries[backend] = (self._import_sd() if backend == "sounddevice"
                                        else self._import_sc())
        return self._libraries[backend]

    def choose_with(self, backend: str, spec: SourceSpec) -> DeviceChoice:
        """What `backend` alone would capture for `spec`."""
        if backend == "sounddevice":
            return choose_device(spec, self.library(backend), self.platform)
        sc, why = self.library(backend)
        return choose_loopback(spec, sc, why)

    def choose(self, spec: SourceSpec, setting: str = "auto") -> DeviceChoice:
        """The device `spec` means through `setting`'s backend(s), with the reason."""
        setting = check_backend(setting)
        if setting != "auto":
            return self.choose_with(setting, spec)
        order = preference(self.platform)
        choices = [self.choose_with(order[0], spec)]
        if choices[0].device is not None and (choices[0].loopback or spec.kind == "device"):
            return choices[0]
        for backend in order[1:]:
            choice = self.choose_with(backend, spec)
            if choice.device is not None and (choice.loopback or spec.kind == "device"):
                return _with_reason(choice, f"{order[0]}: {choices[0].reason}")
            choices.append(choice)
        found = next((c for c in choices if c.device is not None), None)
        if found is choices[0]:  # no loopback anywhere: the preferred backend's input
            return found
        if found is not None:
            return _with_reason(found, f"{order[0]}: {choices[0].reason}")
        return DeviceChoice(None, spec.value, "; ".join(f"{b}: {c.reason}"
                                                          for b, c in zip(order, choices)),
                            backend=order[0])


def _with_reason(choice: DeviceChoice, passed_over: str) -> DeviceChoice:
    return DeviceChoice(choice.device, choice.name, f"{choice.reason} (not {passed_over})",
                        choice.env, choice.backend, choice.loopback)


def open_capture(spec: SourceSpec, setting: str, hop_frames: int, sample_rate: int,
                 arrivals_s: list[float] | None = None, chooser: Chooser | None = None) -> Any:
    """The capture `spec` means, opened; AudioSourceError (naming it) when it cannot be."""
    chooser = chooser or Chooser()
    choice = chooser.choose(spec, setting)
    if choice.backend == "soundcard":
        sc, _ = chooser.library("soundcard")
        return LoopbackCapture(choice, hop_frames, sample_rate, sc, arrivals_s)
    return CaptureSource(choice, hop_frames, chooser.library("sounddevice"), arrivals_s)


def describe_devices(spec: SourceSpec, setting: str = "auto",
                     chooser: Chooser | None = None) -> str:
    """What each backend sees, and which device `spec` would be captured from and why."""
    chooser = chooser or Chooser()
    lines = describe_portaudio(chooser.library("sounddevice"))
    lines += describe_loopback(chooser.library("soundcard"))
    given = spec.value if spec.kind == "device" else str(spec)
    shown = f"--audio {given}" + (f" --audio-backend {setting}" if setting != "auto" else "")
    if spec.kind not in ("auto", "device"):
        return "\n".join(lines + [f"{shown}: no device is used ({spec.kind} source)"])
    choice = chooser.choose(spec, setting)
    if choice.device is None:
        lines.append(f"{shown} would capture nothing: {choice.reason}; the visualizer "
                     "stays silent")
    else:
        lines.append(f"{shown} would capture through {choice.backend}: {choice.name} "
                     f"(device {choice.device}): {choice.reason}")
    return "\n".join(lines)
