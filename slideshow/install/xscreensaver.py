"""slideshow as an xscreensaver display mode: the settings descriptor xscreensaver-settings
builds its options pane from, and our entry in `~/.xscreensaver`'s `programs:` list.

The descriptor follows xscreensaver's hacks/config/README: `<screensaver name=... _label=...>`
holding `<command arg=>`, `<number>`, `<select>`/`<option>`, `<file>`. Options left at
their default put nothing on the command line, so the config file decides them.

`programs:` is one resource value over many lines: each entry ends in a literal `\\n`, each
physical line but the last in a `\\` that continues the value; `-` in front disables an
entry, `GL:` asks for an OpenGL visual, `"Name"` names it. Our entry is the one that runs
our launcher; everything else in the file is left as it was, byte for byte."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from slideshow.install.home import MARK

#: The settings a user picks in xscreensaver-settings: (setting, flag, label, low, high,
#: low label, high label). Defaults are the config's own.
SLIDERS = (
    ("interval_s", "--interval", "Time per photo", 2.0, 120.0, "2 seconds", "2 minutes"),
    ("transition_s", "--transition", "Transition", 0.0, 5.0, "Cut", "5 seconds"),
)
_PROGRAMS = re.compile(r"^\*?programs:")


def descriptor_xml(defaults: dict[str, float], fit_modes: Sequence[str],
                   visualizer_modes: Sequence[str]) -> str:
    """The descriptor; `defaults` maps each slider's setting to the config's default."""
    sliders = "\n".join(
        f'  <number id="{setting.removesuffix("_s")}" type="slider" arg="{flag} %"\n'
        f'          _label="{label}" _low-label="{low_label}" _high-label="{high_label}"\n'
        f'          low="{low:.1f}" high="{high:.1f}" default="{defaults[setting]:.1f}"/>'
        for setting, flag, label, low, high, low_label, high_label in SLIDERS)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- slideshow's options for xscreensaver-settings, {MARK};
     `slideshow uninstall` removes it. -->
<screensaver name="slideshow" _label="Slideshow">

  <command arg="--root"/>

  <file id="folder" _label="Photo folder (empty: the config file's show.paths)"
        arg="--set show.paths=%"/>

{sliders}

  <hgroup>
{_select("fit", "Fit", "--fit", fit_modes)}
{_select("visualizer", "Visualizer", "--visualizer", visualizer_modes)}
  </hgroup>

  <_description>
Your photos, with GPU transitions and an audio visualizer of what the computer plays.
Whatever is left at its default here comes from slideshow's config file
(`slideshow config` prints it, `slideshow config --edit` opens it).
  </_description>
</screensaver>
"""


def _select(name: str, label: str, flag: str, modes: Sequence[str]) -> str:
    # Deferred: xml.sax.saxutils imports urllib.request and http.client, 30 ms on every
    # start of the show (the command line imports this module) for `install` alone.
    from xml.sax.saxutils import quoteattr

    options = [f'    <option id="config" _label={quoteattr(f"{label}: as in the config file")}/>']
    options += [f'    <option id="{mode}" _label={quoteattr(f"{label}: {mode}")} '
                f'arg-set="{flag} {mode}"/>' for mode in modes]
    return f'   <select id="{name}">\n' + "\n".join(options) + "\n   </select>"


def program_entry(command: str) -> str:
    """Our entry's line, continuing the value (it never goes last: see `add_entry`)."""
    return f'  GL: "Slideshow"  {command}  \\n\\'


def default_programs(app_defaults: Sequence[Path]) -> list[str]:
    """The `*programs:` lines of xscreensaver's app-defaults file (the list a user without
    one of their own gets), as `programs:` lines; empty when no such file is found."""
    for path in app_defaults:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        start, end = _programs_span(lines)
        if start is not None:
            return [lines[start].lstrip("*")] + lines[start + 1:end]
    return []


def add_entry(text: str, launcher: str, command: str, seed: Sequence[str]) -> str:
    """`text` (a `~/.xscreensaver`, maybe empty) with our entry first in `programs:`;
    unchanged when an entry already runs `launcher` (kept as the user left it: disabled, or
    with options xscreensaver-settings wrote). A file without `programs:` gets `seed`
    (xscreensaver's own list) first, so adding ours hides none of the others."""
    lines = text.splitlines()
    start, end = _programs_span(lines)
    if start is not None and any(launcher in line for line in lines[start:end]):
        return text
    if start is None:
        if lines and lines[-1].strip():
            lines.append("")
        start = len(lines)
        lines += list(seed) or ["programs:"]
    header = lines[start]
    if header.rstrip().endswith("\\"):
        lines.insert(start + 1, program_entry(command))
    elif header.split(":", 1)[1].strip():
        # A one-line value (`programs: maze -root`): ours goes first, theirs stays last.
        lines[start:start + 1] = ["programs:  \\", program_entry(command),
                                  "  " + header.split(":", 1)[1].strip()]
    else:
        lines[start:start + 1] = ["programs:  \\", program_entry(command)[:-1]]
    return "\n".join(lines) + "\n"


def remove_entry(text: str, launcher: str) -> str:
    """`text` without the entries that run `launcher`; unchanged when there are none."""
    lines = text.splitlines()
    start, end = _programs_span(lines)
    if start is None:
        return text
    entries: list[list[int]] = []  # each entry's physical lines, after the header's
    current: list[int] = []
    for index in range(start + 1, end):
        current.append(index)
        if re.search(r"\\n\\?\s*$", lines[index]) or index == end - 1:
            entries.append(current)
            current = []
    ours = {i for entry in entries if any(launcher in lines[i] for i in entry) for i in entry}
    if not ours:
        return text
    kept = [i for i in range(start + 1, end) if i not in ours]
    block = [lines[i] for i in kept]
    if block and not (end - 1) in kept:
        # The last entry went: the new last line must not continue into what follows.
        block[-1] = re.sub(r"\s*\\\s*$", "", block[-1])
    if not block:
        lines[start] = re.sub(r"\s*\\\s*$", "", lines[start])
    return "\n".join(lines[:start + 1] + block + lines[end:]) + "\n"


def _programs_span(lines: Sequence[str]) -> tuple[int | None, int]:
    """The index of the `programs:` line and the index after its last continued line."""
    for start, line in enumerate(lines):
        if _PROGRAMS.match(line):
            end = start + 1
            while lines[end - 1].rstrip().endswith("\\") and end < len(lines):
                end += 1
            return start, end
    return None, 0
