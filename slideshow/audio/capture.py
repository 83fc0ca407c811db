"""Which audio the visualizer hears, and capture through sounddevice (PortAudio).

`--audio` takes `auto`, a device (index or part of its name), `file:PATH`, `synthetic`,
`tone:HZ` or `off`. Which capture library opens `auto` or a device is backends.py's
choice; this module is the sounddevice side of it:

- `auto` on Linux is the PulseAudio / PipeWire monitor of the default sink: PortAudio sees
  the sound server through ALSA's `pulse` device, and `PULSE_SOURCE=<sink>.monitor`
  (the sink from `pactl get-default-sink`, or `pactl info` on older servers) makes that
  device record what the sink plays instead of the microphone. On Windows it is a WASAPI
  loopback device where a PortAudio build offers one (the stock wheel's does not: there
  backends.py picks soundcard); elsewhere (or with no sound server) the default input
  device, e.g. BlackHole on macOS.
- sounddevice is imported lazily, and a PortAudio that is missing (OSError on import, as
  on the GPU machine) counts as "no device": the worker then publishes silence.

`CaptureSource` runs a sounddevice `InputStream` whose callback copies each block into a
`CaptureRing` (no allocation of its own in the callback); the worker loop takes the
frames that arrived since its last look with `take()`.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slideshow.audio.capture_ring import CaptureRing
from slideshow.audio.sources import AudioSourceError

SPEC_HELP = ("auto (what the computer plays: the PulseAudio/PipeWire monitor of the default "
             "output on Linux, the default speaker's loopback on Windows, else the default "
             "input), a device "
             "(index or part of its name, see `slideshow devices`), file:PATH (WAV, looped), "
             "synthetic (a beat with chords), tone:HZ, or off")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed `--audio` value: kind is auto, device, file, synthetic, tone or off."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return self.kind if not self.value else f"{self.kind}:{self.value}"


def parse_spec(text: str) -> SourceSpec:
    text = text.strip()
    lowered = text.lower()
    if lowered in ("auto", "synthetic", "off"):
        return SourceSpec(lowered)
    if lowered.startswith("file:"):
        if not text[5:]:
            raise ValueError("--audio file: needs a path, e.g. file:song.wav")
        return SourceSpec("file", text[5:])
    if lowered.startswith("tone:"):
        try:
            hz = float(text[5:])
        except ValueError:
            hz = math.nan
        if not (math.isfinite(hz) and hz > 0):  # tone:nan would play NaN samples
            raise ValueError(f"--audio {text!r}: tone:HZ needs a frequency, e.g. tone:1000")
        return SourceSpec("tone", f"{hz:g}")
    if not text:
        raise ValueError(f"--audio must be one of: {SPEC_HELP}")
    return SourceSpec("device", text)


@dataclass(frozen=True)
class DeviceChoice:
    """The input device capture opens: `device` for its backend (sounddevice: an index,
    soundcard: an id; None: none usable), `env` to set before opening it, and why it was
    chosen (or why nothing was)."""

    device: int | str | None
    name: str
    reason: str
    env: dict[str, str] = field(default_factory=dict)
    backend: str = "sounddevice"
    loopback: bool = False  # records what an output plays (a monitor, a loopback)


def import_sounddevice() -> Any:
    """sounddevice, or None when it or PortAudio is missing."""
    try:
        import sounddevice  # optional: PortAudio may be missing, and None says so
    except (OSError, ImportError):
        return None
    return sounddevice


def default_sink_monitor() -> str | None:
    """`<default sink>.monitor` from the PulseAudio/PipeWire server, or None without one."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    for args in (["get-default-sink"], ["info"]):
        try:
            done = subprocess.run([pactl, *args], capture_output=True, text=True, timeout=3)
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            continue
        if args == ["get-default-sink"]:
            sink = done.stdout.strip()
        else:
            sink = next((line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
                         if line.startswith("Default Sink:")), "")
        if sink:
            return f"{sink}.monitor"
    return None


def choose_device(spec: SourceSpec, sd: Any = None, platform: str | None = None) -> DeviceChoice:
    """The PortAudio device `auto` or a named device means on `platform` (a `sys.platform`
    value; this one by default), with the reason."""
    platform = platform or sys.platform
    sd = sd if sd is not None else import_sounddevice()
    if sd is None:
        return DeviceChoice(None, "", "PortAudio is not available (sounddevice cannot load "
                            "libportaudio; on Debian: apt install libportaudio2)")
    try:
        devices = list(sd.query_devices())
        hostapis = list(sd.query_hostapis())
    except Exception as exc:  # noqa: BLE001 - a broken PortAudio is "no device"
        return DeviceChoice(None, "", f"PortAudio could not list devices ({exc})")
    inputs = [(i, d) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    if spec.kind == "device":
        return _named_device(spec.value, inputs)
    if platform.startswith("linux"):
        pulse = next(((i, d) for i, d in inputs if d["name"] == "pulse"), None)
        monitor = default_sink_monitor()
        if pulse is not None and monitor is not None:
            return DeviceChoice(pulse[0], f"pulse ({monitor})",
                                f"the monitor of the default output {monitor[:-8]!r}, through "
                                "ALSA's pulse device with PULSE_SOURCE", {"PULSE_SOURCE": monitor},
                                loopback=True)
        why = ("no PulseAudio/PipeWire server answered pactl" if monitor is None
               else "PortAudio has no ALSA 'pulse' device (apt install libasound2-plugins)")
    elif platform == "win32":
        wasapi = {i for i, h in enumerate(hostapis) if "WASAPI" in h["name"]}
        loopback = [(i, d) for i, d in inputs
                    if d["hostapi"] in wasapi and "loopback" in d["name"].lower()]
        if loopback:
            i, d = loopback[0]
            return DeviceChoice(i, d["name"], "a WASAPI loopback device: what the default "
                                "output plays", loopback=True)
        why = "this PortAudio offers no WASAPI loopback device"
    else:
        why = "loopback capture is not built in on this system (route the output to an " \
              "input such as BlackHole and choose it)"
    try:
        default = int(sd.default.device[0])
    except (TypeError, ValueError, IndexError):
        default = -1
    if 0 <= default < len(devices) and devices[default]["max_input_channels"] > 0:
        return DeviceChoice(default, devices[default]["name"],
                            f"the default input device ({why})")
    if inputs:
        i, d = inputs[0]
        return DeviceChoice(i, d["name"], f"the first input device ({why}; no default input)")
    return DeviceChoice(None, "", f"no input device ({why})")


def _named_device(text: str, inputs: list[tuple[int, Any]]) -> DeviceChoice:
    if text.isdigit():
        match = [(i, d) for i, d in inputs if i == int(text)]
    else:
        match = [(i, d) for i, d in inputs if text.lower() in d["name"].lower()]
    if not match:
        return DeviceChoice(None, text, f"no input device matches {text!r}")
    i, d = match[0]
    return DeviceChoice(i, d["name"], f"asked for with --audio {text}")


def describe_portaudio(sd: Any) -> list[str]:
    """`slideshow devices`' sounddevice part: the input devices PortAudio offers."""
    if sd is None:
        return ["sounddevice: not usable: PortAudio is not available (apt install libportaudio2)"]
    lines = ["sounddevice (PortAudio) input devices:"]
    try:
        hostapis = [h["name"] for h in sd.query_hostapis()]
        for i, d in enumerate(sd.query_devices()):
            if d["max_input_channels"] > 0:
                lines.append(f"  {i:3d}  {d['name']}  ({hostapis[d['hostapi']]}, "
                             f"{d['max_input_channels']} in, {d['default_samplerate']:g} Hz)")
    except Exception as exc:  # noqa: BLE001 - a broken PortAudio lists nothing
        lines.append(f"  (PortAudio could not list devices: {exc})")
    if len(lines) == 1:
        lines.append("  (none)")
    return lines


class CaptureSource:
    """A live input stream: its callback fills a ring, `take()` returns what is new."""

    def __init__(self, choice: DeviceChoice, hop_frames: int, sd: Any = None,
                 arrivals_s: list[float] | None = None) -> None:
        sd = sd if sd is not None else import_sounddevice()
        if sd is None or choice.device is None:
            raise AudioSourceError(choice.name or "audio device", choice.reason)
        os.environ.update(choice.env)  # read by ALSA's pulse plugin when the stream opens
        try:
            info = sd.query_devices(choice.device)
            self.sample_rate = int(info["default_samplerate"]) or 48000
            self.channels = max(1, min(2, int(info["max_input_channels"])))
        except Exception as exc:  # noqa: BLE001
            raise AudioSourceError(choice.name, f"cannot be queried ({exc})") from None
        self.label = f"device:{choice.name}"
        self._ring = CaptureRing(self.sample_rate, self.channels, arrivals_s)
        self.overflows = 0
        try:
            self._stream = sd.InputStream(
                device=choice.device, channels=self.channels, samplerate=self.sample_rate,
                dtype="float32", blocksize=hop_frames, latency="low",
                callback=self._callback)
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError: busy, gone, bad format
            raise AudioSourceError(choice.name, f"cannot be opened for capture ({exc})") from None

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._ring.write(indata)
        if status:
            self.overflows += 1

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    def take(self) -> np.ndarray:
        """The frames that arrived since the last call (see CaptureRing.take)."""
        return self._ring.take()

    def close(self) -> None:
        try:
            self._stream.abort()
            self._stream.close()
        except Exception:  # noqa: BLE001 - a vanished device
            pass
