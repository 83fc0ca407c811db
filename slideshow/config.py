"""Configuration: a TOML file merged with command-line overrides into frozen dataclasses.

Every setting is declared once, as a dataclass field whose metadata says what is allowed
(`choices`, `min`, `max`) and what it does (`help`). Loading walks the TOML tables against
those declarations, so an unknown key, a wrong type or a value out of range fails at start-up
with a message naming the key, the value and what is allowed. This is the one place settings
are checked: numbers must be finite (NaN and infinities are refused from the file, `--set` and
every flag), values written as text become typed fields (`Size`, `Area`, `Colours`), and
settings that depend on each other are checked together once every source is applied
(`check_together`). The lists of choices belong to the modules that act on them (the fit
modes to workers/fit.py, the orders to library/selection.py, ...); this module imports them,
and the CLI's `choices=` reads them from here (`choices`). Flags that are no setting (how long
a run lasts, where its output goes) are checked here too (`check_run_length`,
`check_output_path`), so that a bad one ends the command before it starts.

Nothing here is global: the composition root (run/app.py) builds one `Config` and passes the
parts each object needs.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import textwrap
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from slideshow.audio.backends import BACKENDS
from slideshow.audio.capture import parse_spec
from slideshow.audio.spectrum import SpectrumConfig
from slideshow.errors import ConfigError
from slideshow.library.files import MAX_FILE_MB_DEFAULT
from slideshow.library.selection import PHOTO_ORDERS
from slideshow.pacing.gc_control import MODES as GC_MODES
from slideshow.pacing.governor import CADENCE_MODES, GOVERNOR_MODES
from slideshow.pacing.presenter import VSYNC_MODES
from slideshow.show.audio_overlay import VISUALIZER_MODE_CYCLE
from slideshow.show.ken_burns import ENABLED_CHOICES as KEN_BURNS_ENABLED
from slideshow.transitions.easing import EASINGS
from slideshow.transitions.files import split_setting
from slideshow.workers.fit import FIT_MODES

log = logging.getLogger(__name__)


class Size(NamedTuple):
    """A pixel size; written `WxH` in files and on the command line."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @classmethod
    def parse(cls, text: str) -> "Size":
        parts = text.lower().split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}")
        size = cls(int(parts[0]), int(parts[1]))
        if not (16 <= size.width <= 16384 and 16 <= size.height <= 16384):
            raise ValueError(f"each side must be 16..16384 pixels, got {text}")
        return size


RGB = tuple[float, float, float]


class Area(NamedTuple):
    """A part of the display, as fractions 0..1 from its bottom left; written
    `x,y,width,height` in files and on the command line."""

    x: float
    y: float
    width: float
    height: float

    def __str__(self) -> str:
        return ",".join(f"{value:g}" for value in self)

    @classmethod
    def parse(cls, text: str) -> "Area":
        try:
            x, y, w, h = (float(part) for part in text.split(","))
        except ValueError:
            raise ValueError("expected x,y,width,height as parts of the display, "
                             "e.g. 0,0,1,0.3") from None
        # NaN fails every comparison, so it is refused here like a value outside 0..1.
        # The 1e-9 lets 0.7 + 0.3 (1.0000000000000002 in binary) reach the top edge.
        if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9):
            raise ValueError("each value is a part of the display (0..1) and the area must "
                             "lie inside it")
        return cls(x, y, w, h)


class Colours(NamedTuple):
    """Two RGB colours, each channel 0..1; written `#rrggbb,#rrggbb` (low, high)."""

    low: RGB
    high: RGB

    def __str__(self) -> str:
        return ",".join("#" + "".join(f"{round(c * 255):02x}" for c in rgb) for rgb in self)

    @classmethod
    def parse(cls, text: str) -> "Colours":
        parts = [part.strip().lstrip("#") for part in text.split(",")]
        try:
            if len(parts) != 2 or any(len(p) != 6 for p in parts):
                raise ValueError
            low, high = (tuple(int(p[i:i + 2], 16) / 255.0 for i in (0, 2, 4)) for p in parts)
        except ValueError:
            raise ValueError("expected two colours as #rrggbb,#rrggbb, e.g. #268cff,#ff4d99") from None
        return cls(low, high)  # type: ignore[arg-type]


#: Setting types read from text with their own `parse` (raising ValueError) and written back
#: with `str`: the file and `--help` show the text, the program gets the typed value.
PARSED_TYPES = (Size, Area, Colours)


def _setting(default: Any, help: str, **allowed: Any) -> Any:
    return field(default=default, metadata={"help": help, **allowed})


LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class ShowConfig:
    paths: tuple[str, ...] = _setting((), "folders or files to show; none means the built-in demo set")
    interval_s: float = _setting(6.0, "seconds each photo is held", min=0.5, max=86400.0)
    transition_s: float = _setting(1.5, "seconds a transition lasts", min=0.0, max=60.0)
    fit: str = _setting(
        "fill", "how a photo fits the display: fill crops to cover, fit letterboxes, shrink never "
        "upscales, blur letterboxes over a blurred, darkened copy of the photo", choices=FIT_MODES)
    order: str = _setting(
        "shuffle", "the order photos are shown in: shuffle (each once per round, never twice "
        "in a row), name (folder by folder, by file name), date (date taken, from EXIF, else "
        "the file's time), mtime (the file's modification time)", choices=PHOTO_ORDERS)
    rescan_s: float = _setting(
        60.0, "seconds between looks at the photo folders for added and removed files; "
        "0 looks only at start-up", min=0.0, max=86400.0)
    perf_every_s: float = _setting(
        0.0, "seconds between perf lines in the log, one per display (frames/s, dt p50/p99/max, "
        "missed vsyncs, GC, the slowest phase, photos, worker restarts); 0 is off", min=0.0,
        max=86400.0)
    perf_json: str = _setting("", "a file the perf windows are appended to as JSON lines "
                              "(with perf_every_s; empty: none)")
    hud: bool = _setting(False, "start with the frame-time graph on screen (the p key toggles it)")


EASING_NAMES = tuple(EASINGS)


@dataclass(frozen=True)
class TransitionsConfig:
    pool: tuple[str, ...] = _setting(
        ("all",), "transitions to pick from at random, never the same twice in a row: names "
        "(wipe-left), file names for all their variants (wipe), .glsl paths, or all; "
        "`slideshow transitions` lists them", separator=",")
    easing: str = _setting("ease-in-out-sine", "easing applied to progress", choices=EASING_NAMES)
    params: tuple[str, ...] = _setting(
        (), "per-transition settings as NAME.PARAMETER=VALUE, e.g. wipe-left.softness=0.2, "
        "blinds.count=12 (a file's name sets all its variants) or block-spin-grid.duration_s=3",
        check=split_setting)
    folder: str = _setting(
        "", "a folder of your own gl-transitions .glsl files; empty means the per-user "
        "config folder's transitions/")


@dataclass(frozen=True)
class FeedsConfig:
    urls: tuple[str, ...] = _setting(
        (), "RSS, Media RSS or Atom feeds of images (http or https URLs); none is off",
        separator=",")
    refresh_s: float = _setting(
        3600.0, "seconds between looks at each feed (conditional requests: unchanged feeds "
        "cost a few bytes)", min=300.0, max=604800.0)
    feed_share: float = _setting(
        0.25, "the part of the photos shown that come from the feeds", min=0.0, max=1.0)
    max_mb: float = _setting(40.0, "the largest image downloaded, in MB", min=1.0, max=500.0)
    keep: int = _setting(30, "images kept per feed in the cache", min=1, max=1000)
    timeout_s: float = _setting(
        10.0, "seconds each connect and each read may wait for the network (a backstop: "
        "request_deadline_s bounds a whole request)", min=1.0, max=120.0)
    request_deadline_s: float = _setting(
        120.0, "seconds one request may take in all, connect to last byte, redirects "
        "included: a server that trickles bytes is given up after this, with one log line",
        min=1.0, max=3600.0)
    allow_private: bool = _setting(
        False, "allow feed and image URLs that resolve to loopback, private, link-local or "
        "other non-public addresses (refused by default: a feed could otherwise make the "
        "slideshow send requests inside your network)")


@dataclass(frozen=True)
class KenBurnsConfig:
    enabled: str = _setting(
        "auto", "a slow zoom and pan over each photo while it is shown: on, off, or auto (on, "
        "except on a software renderer such as llvmpipe, where it costs a full-screen draw "
        "every frame)", choices=KEN_BURNS_ENABLED)
    fit_modes: tuple[str, ...] = _setting(
        ("fill", "blur"), "the fit modes it is on for (fit and shrink show black bars, which "
        "a zoom would move)", separator=",", choices=FIT_MODES)
    zoom_min: float = _setting(1.0, "the widest view: 1 is the whole frame", min=1.0, max=2.0)
    zoom_max: float = _setting(1.15, "the closest view (at least zoom_min)", min=1.0, max=2.0)
    zoom_per_s: float = _setting(
        0.015, "the speed: how much the zoom changes each second (the pan follows)",
        min=0.0, max=0.5)


@dataclass(frozen=True)
class AudioMotionConfig:
    beat_zoom: float = _setting(
        0.0, "a kick zooms the photo in by this much, easing back (with Ken Burns on); 0 is off",
        min=0.0, max=0.2)
    beat_transitions: bool = _setting(
        False, "after the hold, the next transition starts on a kick (waiting at most beat_wait_s)")
    beat_wait_s: float = _setting(2.0, "the longest wait for a kick", min=0.0, max=30.0)
    energy: bool = _setting(
        False, "transitions that read `audio_energy` get the bass energy (0..1)")


@dataclass(frozen=True)
class VisualizerConfig:
    mode: str = _setting("bars", "the audio visualizer over the photos",
                         choices=VISUALIZER_MODE_CYCLE)
    mirror: bool = _setting(False, "bars mirrored from the centre")
    opacity: float = _setting(0.85, "how opaque the visualizer is", min=0.0, max=1.0)
    area: Area = _setting(
        Area(0.0, 0.0, 1.0, 0.3), "where it is drawn: x,y,width,height as parts of the display, "
        "from the bottom left (the default: the bottom 30 %)")
    colours: Colours = _setting(
        Colours.parse("#268cff,#ff4d99"), "the low and the high colour, as #rrggbb,#rrggbb")


@dataclass(frozen=True)
class AudioConfig:
    source: str = _setting(
        "auto", "what the visualizer listens to: auto (what the computer plays), a device "
        "name or number, file:PATH (WAV or FLAC), synthetic (a beat and chords), or off",
        check=parse_spec)
    backend: str = _setting(
        "auto", "the capture library for auto and devices: auto (soundcard on Windows, for "
        "the speaker's loopback; sounddevice first elsewhere), sounddevice or soundcard",
        choices=BACKENDS)
    bands: int = _setting(64, "spectrum bands", min=8, max=256)
    low_hz: float = _setting(50.0, "lower edge of the first band", min=20.0, max=1000.0)
    high_hz: float = _setting(
        10000.0, "upper edge of the last band (at least 2 x low_hz)", min=200.0, max=20000.0)
    latency_ms: float = _setting(
        0.0, "delays the picture to match speakers that play late (Bluetooth, a TV)",
        min=0.0, max=1000.0)


@dataclass(frozen=True)
class DisplayConfig:
    fullscreen: bool = _setting(True, "borderless fullscreen on every chosen monitor")
    monitor: str = _setting(
        "all", "the monitors to show on when fullscreen: all, or one monitor's number "
        "(0 is the primary); monitors plugged in while running join when all")
    exit_on_input: bool = _setting(
        True, "fullscreen only: exit (like a screensaver) when the mouse moves more than "
        "10 px, on a click or on a key other than the show's own; false is photo-frame mode")
    size: Size = _setting(Size(1280, 720), "window size when not fullscreen, or headless size")
    rate_hz: float = _setting(
        0.0, "refresh rate for the paced fallback; 0 takes the monitor's (60 if unknown)",
        min=0.0, max=1000.0)
    vsync: str = _setting(
        "auto", "auto detects whether swap blocks; blocking/paced force one",
        choices=VSYNC_MODES)


@dataclass(frozen=True)
class PacingConfig:
    max_catchup_steps: int = _setting(
        4, "most simulation steps run for one late frame", min=1, max=60)
    spin_ms: float = _setting(
        1.0, "the paced fallback sleeps until this long before the deadline, then spins",
        min=0.0, max=10.0)
    upload_budget_ms: float = _setting(
        0.8, "render-thread time per frame for moving a new photo to the GPU; a large photo "
        "spreads over several frames (each step runs to its end, so a frame may go a little "
        "over: 0.8 keeps it under 1 ms)", min=0.1, max=16.0)
    gc: str = _setting(
        "frame", "frame: collect only between frames; python: leave the garbage collector alone",
        choices=GC_MODES)
    governor: str = _setting(
        "auto", "auto: each display predicts what a moving frame costs and draws transitions, "
        "the visualizer and Ken Burns smaller (then upscales) or at a steady half or third "
        "rate where they would miss the vsync; off: every frame at full size and rate",
        choices=GOVERNOR_MODES)
    min_scale: float = _setting(
        0.5, "the governor's lowest drawing scale (of width and height) for moving frames; a "
        "still photo is always drawn at full size", min=0.25, max=1.0)
    cadence: str = _setting(
        "auto", "auto: where even min_scale cannot fit a period, a transition runs at a steady "
        "half (or third) rate; full: always every vsync (scaling only)",
        choices=CADENCE_MODES)
    governor_drop: bool = _setting(
        True, "leave out of the pool a transition that fits this display neither scaled nor "
        "at a third of the rate (one log line); false keeps it at its best cadence")


@dataclass(frozen=True)
class WorkersConfig:
    image_workers: int = _setting(
        0, "image decode processes; 0 means one per display, at most cores - 1", min=0, max=64)
    ring_slots: int = _setting(3, "decoded frames each worker can hold ready", min=2, max=16)
    restart_budget: int = _setting(
        5, "worker restarts allowed per 60 s; past it restarts pause (5 s, doubling up to 60 s "
        "while the worker dies before decoding anything) and resume by themselves",
        min=0, max=100)
    decode_timeout_s: float = _setting(
        0.0, "longest one photo's decode may take before its worker is killed and restarted "
        "(the photo is tried once more, then skipped); 0 = auto: 2 s + 0.16 s per megapixel, "
        "10 s at 50 MP", min=0.0, max=600.0)


@dataclass(frozen=True)
class DecodeConfig:
    max_file_mb: float = _setting(
        MAX_FILE_MB_DEFAULT, "the largest photo file decoded, in MB; a larger one is skipped "
        "with one log line, by its size, without reading it", min=1.0, max=4096.0)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


@dataclass(frozen=True)
class Config:
    show: ShowConfig = ShowConfig()
    transitions: TransitionsConfig = TransitionsConfig()
    feeds: FeedsConfig = FeedsConfig()
    ken_burns: KenBurnsConfig = KenBurnsConfig()
    audio_motion: AudioMotionConfig = AudioMotionConfig()
    visualizer: VisualizerConfig = VisualizerConfig()
    audio: AudioConfig = AudioConfig()
    display: DisplayConfig = DisplayConfig()
    pacing: PacingConfig = PacingConfig()
    workers: WorkersConfig = WorkersConfig()
    decode: DecodeConfig = DecodeConfig()
    log_level: str = _setting("info", "log verbosity", choices=LOG_LEVELS)


def default_config_path() -> Path:
    """The per-user config file (XDG on Linux, Application Support on macOS, AppData on Windows)."""
    import platformdirs  # deferred: only when no --config names the file

    return Path(platformdirs.user_config_dir("slideshow")) / "config.toml"


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None, *,
                flagged: Sequence[tuple[str, Any, str]] = ()) -> Config:
    """Reads `path` (or the per-user file when it exists), applies `overrides`, then
    `flagged`, and checks the settings that depend on each other (`check_together`).

    `overrides` maps dotted keys (`display.size`) to values, from the command line; they win
    over the file. `flagged` holds (dotted key, value, flag as typed) in the order given, so a
    bad value names the flag too. An explicit `path` that does not exist is an error; a
    missing default file means the defaults.
    """
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None or default_config_path().exists():
        config_path = path or default_config_path()
        source = str(config_path)
        try:
            data = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {config_path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {config_path} cannot be read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_path} is not valid TOML: {exc}") from None
    config = _build(Config, data, prefix="", source=source)
    for key, value in (overrides or {}).items():
        config = override(config, key, value)
    for key, value, flag in flagged:
        config = override(config, key, value, flag=flag)
    check_together(config)
    return config


def check_together(config: Config) -> None:
    """Checks the settings that depend on each other. Called once every source (file,
    `--set`, flags) is applied, so that one may fix what an earlier one set."""
    audio = config.audio
    try:
        # The spectrum's own rule (its upper edge at least an octave above the lower one),
        # asked of its owner rather than copied here.
        SpectrumConfig(bands=audio.bands, low_hz=audio.low_hz, high_hz=audio.high_hz)
    except ValueError as exc:
        raise ConfigError(f"config keys audio.low_hz = {audio.low_hz:g} and audio.high_hz "
                          f"= {audio.high_hz:g}: {exc}") from None
    ken_burns = config.ken_burns
    if ken_burns.zoom_max < ken_burns.zoom_min:
        raise ConfigError(f"config keys ken_burns.zoom_min = {ken_burns.zoom_min:g} and "
                          f"ken_burns.zoom_max = {ken_burns.zoom_max:g}: zoom_max must be at "
                          "least zoom_min")
    folder = config.transitions.folder
    if folder and not Path(folder).expanduser().is_dir():
        # Not an error: the built-in transitions still make a show.
        log.warning("config key transitions.folder = %r: no such folder; only the built-in "
                    "transitions are used", folder)


def choices(dotted_key: str) -> tuple[str, ...]:
    """The values a setting allows (`show.fit`), for argparse's `choices=`: the command line
    offers exactly what the config accepts."""
    section_name, _, key = dotted_key.rpartition(".")
    cls = _sections()[section_name] if section_name else Config
    return {f.name: f for f in fields(cls)}[key].metadata["choices"]


#: The longest run `--seconds` and `--frames` may ask for. Each display sizes its frame
#: statistics for the whole run when it starts (run/display.py), so a run far longer than
#: anyone measures would only ask for memory that is not there.
RUN_SECONDS_MAX = 86400.0
RUN_FRAMES_MAX = 10_000_000


def check_run_length(seconds: float | None, frames: int | None = None, *,
                     seconds_flag: str = "--seconds", frames_flag: str = "--frames") -> None:
    """Refuses a run length no run can have: negative, NaN, infinite or over a day. 0 is
    allowed: one frame, then the report (what it always did)."""
    for flag, value, high in ((seconds_flag, seconds, RUN_SECONDS_MAX),
                              (frames_flag, frames, RUN_FRAMES_MAX)):
        problem = None if value is None else _range_problem(value, 0, high)
        if problem:
            raise ConfigError(f"option {flag} = {value!r}: {problem}")


def check_output_path(flag: str, path: str | os.PathLike[str] | None) -> None:
    """Refuses an output file that could not be written once the run is over: its folder
    missing or not writable, or a folder in its place. None (no output) passes."""
    if path is None:
        return
    target = Path(path).expanduser()
    folder = target.parent
    if target.is_dir():
        raise ConfigError(f"option {flag} = {str(path)!r}: that is a folder, not a file")
    if not folder.is_dir():
        raise ConfigError(f"option {flag} = {str(path)!r}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or target.exists() and not os.access(target, os.W_OK):
        raise ConfigError(f"option {flag} = {str(path)!r}: cannot write there (permission denied)")


def override(config: Config, dotted_key: str, value: Any, flag: str | None = None) -> Config:
    """Returns `config` with one setting replaced, validated like a value from the file.
    Settings that depend on each other are not checked here (a later override may fix the
    pair): `load_config` checks them once every override is applied."""
    section_name, _, key = dotted_key.rpartition(".")
    origin = f"option {flag}" if flag else "the command line"
    if section_name:
        sections = _sections()
        if section_name not in sections:
            raise ConfigError(
                f"unknown config section {section_name!r} (from {origin}); "
                f"allowed sections: {', '.join(sections)}")
        section = getattr(config, section_name)
        new_section = _with_value(section, key, value, prefix=f"{section_name}.", source=origin)
        return replace(config, **{section_name: new_section})
    return _with_value(config, key, value, prefix="", source=origin)


#: The widest line `describe_settings` writes: a `# ` in front (`settings_template`) keeps
#: the config file within 100 columns, the width `--help` keeps to.
SETTINGS_WIDTH = 98
#: Where a setting's comment starts at the most; a longer `key = value` keeps its comment
#: after it and wraps under this column.
_COMMENT_COLUMN_MAX = 34


def describe_settings(width: int = SETTINGS_WIDTH) -> str:
    """Every setting with its default, what it does and what is allowed, as TOML that loads:
    the top-level keys first (TOML puts every key after a `[table]` header into that table,
    so `log_level` after `[workers]` was read as workers.log_level), then one table per
    section; each comment wrapped to `width` columns under its own column."""
    top = [f for f in fields(Config) if not dataclasses.is_dataclass(f.default)]
    blocks = [_describe_block(top, width)]
    for section_name, cls in _sections().items():
        blocks.append(f"[{section_name}]\n" + _describe_block(list(fields(cls)), width))
    return "\n\n".join(blocks)


def settings_template(path: Path | None = None) -> str:
    """The config file `slideshow config` prints and `/c` writes: every setting commented
    out with `# `; lines of prose start with `##`, so taking the first `#` off every line
    (uncommenting all of it) still leaves valid TOML."""
    lines = ["## slideshow settings (TOML): uncomment a setting and its [section] line, then",
             "## change its value; whatever stays commented out keeps the default shown.",
             "## `--set SECTION.KEY=VALUE` overrides one setting for a single run."]
    if path is not None:
        lines.append(f"## This file is read from {path}")
    lines.append("")
    lines += [f"# {line}" if line else "" for line in describe_settings().splitlines()]
    return "\n".join(lines) + "\n"


def _describe_block(settings: list[dataclasses.Field], width: int) -> str:
    pairs = [(f"{f.name} = {_format(f.default)}", f"{f.metadata['help']}{_allowed(f)}")
             for f in settings]
    column = min(max(len(pair) for pair, _ in pairs) + 2, _COMMENT_COLUMN_MAX)
    lines = []
    for pair, comment in pairs:
        # Names such as ease-in-out-sine and wipe-left stay whole.
        lines += textwrap.wrap(comment, width, initial_indent=pair.ljust(column) + "# ",
                               subsequent_indent=" " * column + "# ",
                               break_on_hyphens=False, break_long_words=False)
    return "\n".join(lines)


def _sections() -> dict[str, type]:
    return {f.name: type(f.default) for f in fields(Config) if dataclasses.is_dataclass(f.default)}


def _build(cls: type, data: dict[str, Any], prefix: str, source: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
        raise ConfigError(
            f"unknown config key {prefix}{unknown[0]} (in {source}); "
            f"allowed keys in {where}: {', '.join(known)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        f = known[name]
        if dataclasses.is_dataclass(f.default):
            if not isinstance(value, dict):
                raise ConfigError(
                    f"config key {prefix}{name} (in {source}) must be a table [{name}], "
                    f"got {value!r}")
            values[name] = _build(type(f.default), value, f"{prefix}{name}.", source)
        else:
            values[name] = _coerce(f, value, f"{prefix}{name}", source)
    return cls(**values)


def _with_value(section: Any, key: str, value: Any, prefix: str, source: str) -> Any:
    known = {f.name: f for f in fields(section) if not dataclasses.is_dataclass(f.default)}
    if key not in known:
        where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
        raise ConfigError(
            f"unknown config key {prefix}{key} (from {source}); "
            f"allowed keys in {where}: {', '.join(known)}")
    return replace(section, **{key: _coerce(known[key], value, f"{prefix}{key}", source)})


def _coerce(f: dataclasses.Field, value: Any, key: str, source: str) -> Any:
    """Converts a TOML or command-line value to the field's type and checks what is allowed."""
    kind = type(f.default)

    def fail(reason: str) -> ConfigError:
        return ConfigError(f"config key {key} = {value!r} (from {source}): {reason}")

    try:
        if kind is bool:
            if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1"):
                value_out: Any = True
            elif isinstance(value, str) and value.lower() in ("false", "no", "off", "0"):
                value_out = False
            elif isinstance(value, bool):
                value_out = value
            else:
                raise fail("allowed values are true, false")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise fail(f"expected a whole number{_allowed(f)}")
            try:
                value_out = int(value)
            except ValueError:
                raise fail(f"expected a whole number{_allowed(f)}") from None
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise fail(f"expected a number{_allowed(f)}")
            try:
                value_out = float(value)
            except (ValueError, OverflowError):
                raise fail(f"expected a number{_allowed(f)}") from None
        elif kind in PARSED_TYPES:
            value_out = value if isinstance(value, kind) else kind.parse(str(value))
        elif kind is tuple:
            if isinstance(value, str):
                separator = f.metadata.get("separator")
                items = [v.strip() for v in value.split(separator)] if separator else [value]
            else:
                items = value
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                raise fail("expected a list of strings")
            value_out = tuple(os.path.expanduser(i) for i in items if i)
            for item in value_out if "check" in f.metadata else ():
                f.metadata["check"](item)  # the owner's parser; raises ValueError
        else:
            if not isinstance(value, str):
                raise fail(f"expected a string{_allowed(f)}")
            value_out = value
            if "check" in f.metadata:
                f.metadata["check"](value_out)  # the owner's parser; raises ValueError
    except ValueError as exc:
        raise fail(str(exc)) from None
    choices = f.metadata.get("choices")
    if choices is not None:
        for item in value_out if isinstance(value_out, tuple) else (value_out,):
            if item not in choices:
                raise fail(f"allowed values are {', '.join(choices)}"
                           + (" (a comma-separated list)" if isinstance(value_out, tuple) else ""))
    if "min" in f.metadata:
        problem = _range_problem(value_out, f.metadata["min"], f.metadata["max"])
        if problem:
            raise fail(problem)
    return value_out


def _range_problem(value: float, low: float, high: float) -> str | None:
    """Why `value` is not a number in low..high, or None when it is. NaN fails every
    comparison, so it is asked for by name: a plain range check would let it through (and
    `--interval nan` froze the show)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"not a finite number; allowed range is {low}..{high}"
    if not low <= value <= high:
        return f"allowed range is {low}..{high}"
    return None


def _allowed(f: dataclasses.Field) -> str:
    if "choices" in f.metadata:
        return f" (one of: {', '.join(f.metadata['choices'])})"
    if "min" in f.metadata:
        return f" ({f.metadata['min']}..{f.metadata['max']})"
    return ""


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, *PARSED_TYPES)):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return str(value)
