"""Capture through the `soundcard` package: the default speaker's loopback.

soundcard records what a speaker plays through the system's own API: WASAPI loopback on
Windows (which the stock sounddevice wheel's PortAudio lacks: python-sounddevice issue
510), the sink's monitor source on PulseAudio / PipeWire (no pactl, no ALSA plugin).
macOS's CoreAudio has no loopback; there soundcard offers only real inputs.

`choose_loopback` names the microphone `auto` means (the default speaker's loopback) or
the one a device name matches; `LoopbackCapture` records it on a reader thread of its own
into a `CaptureRing`. The thread owns the recorder from open to close, so every call into
the sound API comes from one thread (COM on Windows wants that).

Import cost and failure: on Linux `import soundcard` connects to the sound server at once
and fails without one (an AssertionError from inside the package), without libpulse (an
OSError) or when run as `python -c` with no arguments (an IndexError in its program-name
guess); `import_soundcard` turns each into a reason. A server that goes away leaves
the imported module's connection dead, and any later call through it aborts the process
inside libpulse (an assertion on a NULL operation); so on Linux `import_soundcard` first
forgets a module whose connection is no longer ready (`_forget_dead_connection`), and
the next import connects again: a recorder whose server went away ends with an error,
reports itself inactive, and the worker's reopen finds the server when it is back.
"""

from __future__ import annotations

import atexit
import sys
import threading
import warnings
from typing import Any

import numpy as np

from slideshow.audio.capture import DeviceChoice, SourceSpec
from slideshow.audio.capture_ring import CaptureRing
from slideshow.audio.sources import AudioSourceError

_OPEN_TIMEOUT_S = 5.0  # a sound server that takes longer to start a stream is not answering
_JOIN_S = 1.0  # a reader blocked this long in record() is left to the process's end


def import_soundcard() -> tuple[Any, str]:
    """(soundcard, "") or (None, why it cannot be used)."""
    if sys.platform.startswith("linux"):
        _forget_dead_connection()
    try:
        import soundcard  # optional at run time: a missing sound server must not stop a show
    except ImportError:
        return None, "the soundcard package is not installed (pip install soundcard)"
    except OSError as exc:  # libpulse (Linux) or the system library missing
        return None, f"soundcard cannot load the system's sound library ({exc})"
    except Exception as exc:  # noqa: BLE001 - AssertionError: no server answered
        return None, ("soundcard could not connect to the sound server (no PulseAudio or "
                      f"PipeWire running?{f' {exc}' if str(exc) else ''})")
    return soundcard, ""


def _forget_dead_connection() -> None:
    """Drops an imported soundcard whose PulseAudio connection is gone, so that the next
    import makes a new one. This reads soundcard's private `_pulse` (0.4.x): the package
    has no public way to reconnect, and calling through the dead one aborts."""
    module = sys.modules.get("soundcard.pulseaudio")
    if module is None:
        return
    pulse = getattr(module, "_pulse", None)
    try:
        if pulse._pa_context_get_state(pulse.context) == module._pa.PA_CONTEXT_READY:
            return
    except Exception:  # noqa: BLE001 - another layout than 0.4.x: treat it as gone
        pass
    if pulse is not None:
        atexit.unregister(pulse._shutdown)  # its exit-time drain would talk to nobody
    for name in [name for name in sys.modules if name.split(".")[0] == "soundcard"]:
        del sys.modules[name]


def choose_loopback(spec: SourceSpec, sc: Any, why_missing: str = "") -> DeviceChoice:
    """The soundcard microphone `auto` (the default speaker's loopback) or a device name
    means, with the reason; device None when there is none."""
    if sc is None:
        return DeviceChoice(None, "", why_missing or "soundcard is not available",
                            backend="soundcard")
    try:
        if spec.kind == "device":
            mic = sc.get_microphone(id=spec.value, include_loopback=True)
            return DeviceChoice(mic.id, mic.name, f"asked for with --audio {spec.value}",
                                backend="soundcard", loopback=_is_loopback(mic))
        speaker = sc.default_speaker()
        mic = _loopback_of(sc, speaker)
    except Exception as exc:  # noqa: BLE001 - no match (IndexError), no speaker, COM errors
        target = f"{spec.value!r}" if spec.kind == "device" else "the default speaker"
        return DeviceChoice(None, spec.value, f"soundcard finds no input for {target} ({exc})",
                            backend="soundcard")
    return DeviceChoice(mic.id, mic.name, f"the loopback of the default speaker "
                        f"{speaker.name!r}: what it plays", backend="soundcard",
                        loopback=_is_loopback(mic))


def _is_loopback(mic: Any) -> bool:
    return bool(getattr(mic, "isloopback", False))


def _loopback_of(sc: Any, speaker: Any) -> Any:
    """The speaker's loopback microphone: by id first (Windows: the speaker's own id,
    PulseAudio: `<sink>.monitor`), since two speakers may share a name; else by name, as
    soundcard's documentation does it."""
    for mic in sc.all_microphones(include_loopback=True):
        if _is_loopback(mic) and mic.id in (speaker.id, f"{speaker.id}.monitor"):
            return mic
    return sc.get_microphone(id=str(speaker.name), include_loopback=True)


def describe_loopback(library: tuple[Any, str]) -> list[str]:
    """`slideshow devices`' soundcard part: the inputs and loopbacks it sees; `library`
    is what `import_soundcard` returned."""
    sc, why = library
    if sc is None:
        return [f"soundcard: not usable: {why}"]
    lines = ["soundcard inputs (loopbacks marked):"]
    try:
        for mic in sc.all_microphones(include_loopback=True):
            mark = "loopback" if _is_loopback(mic) else "input"
            lines.append(f"  {mark:8s}  {mic.name}  (id {mic.id}, {mic.channels} ch)")
    except Exception as exc:  # noqa: BLE001 - a server that went away meanwhile
        lines.append(f"  (soundcard could not list inputs: {exc})")
    if len(lines) == 1:
        lines.append("  (none)")
    return lines


class LoopbackCapture:
    """A soundcard recorder on a reader thread: `take()` returns what is new."""

    def __init__(self, choice: DeviceChoice, hop_frames: int, sample_rate: int,
                 sc: Any = None, arrivals_s: list[float] | None = None) -> None:
        if choice.device is None:
            raise AudioSourceError(choice.name or "audio device", choice.reason)
        if sc is None:
            sc, why = import_soundcard()
            if sc is None:
                raise AudioSourceError(choice.name, why)
        self.sample_rate = sample_rate
        self.label = f"device:{choice.name}"
        self._sc, self._id, self._hop_frames = sc, str(choice.device), hop_frames
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._error: str | None = None
        self._arrivals_s = arrivals_s
        self._ring: CaptureRing | None = None
        self.channels = 0
        self._thread = threading.Thread(target=self._run, name="slideshow-loopback", daemon=True)
        self._thread.start()
        if not self._opened.wait(_OPEN_TIMEOUT_S):
            self._stop.set()
            raise AudioSourceError(choice.name, f"the sound server did not start the "
                                                f"recording within {_OPEN_TIMEOUT_S:g} s")
        if self._error is not None:
            raise AudioSourceError(choice.name, f"cannot be opened for capture ({self._error})")

    def _run(self) -> None:
        # WASAPI loopback sends no packets while nothing plays; soundcard then warns of a
        # "data discontinuity", which for bars is silence, not news for the log.
        warnings.filterwarnings("ignore", message=".*data discontinuity", module="soundcard")
        try:
            mic = self._sc.get_microphone(id=self._id, include_loopback=True)
            channels = max(1, min(2, int(mic.channels)))
            with mic.recorder(samplerate=self.sample_rate, channels=channels,
                              blocksize=self._hop_frames) as recorder:
                self.channels = channels
                self._ring = CaptureRing(self.sample_rate, channels, self._arrivals_s)
                self._opened.set()
                while not self._stop.is_set():
                    self._ring.write(recorder.record(numframes=self._hop_frames))
        except Exception as exc:  # noqa: BLE001 - gone, busy, a failed stream: inactive
            self._error = str(exc) or type(exc).__name__
        finally:
            self._opened.set()

    @property
    def active(self) -> bool:
        return self._thread.is_alive() and self._error is None

    def take(self) -> np.ndarray:
        """The frames that arrived since the last call (see CaptureRing.take)."""
        return self._ring.take()

    def close(self) -> None:
        """Stops the reader; one blocked in record() (no audio for a second) is left to
        end with the process, its stream still open."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(_JOIN_S)
