"""The xscreensaver descriptor and `~/.xscreensaver` edits (slideshow/install/xscreensaver.py):
the descriptor read by an XML parser and held to the rules xscreensaver-settings checks
(driver/demo-Gtk-conf.c: the tags it knows, their required attributes, a select's default
option without arg-set), every command line it can build understood by our own parser;
the programs: list edited without disturbing a byte of the user's entries."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from itertools import product

import pytest

from slideshow.cli import build_parser
from slideshow.commands.options import config_from_args
from slideshow.commands.show import DISPLAY_FLAGS
from slideshow.config import ShowConfig, choices
from slideshow.install.xscreensaver import (
    add_entry,
    default_programs,
    descriptor_xml,
    remove_entry,
)
from slideshow.screensaver.launch_args import parse_launch_args
from tests.machine import needs_tool
from tests.support import EMPTY_TOML

LAUNCHER = "/home/me/.local/share/slideshow/bin/slideshow"
COMMAND = f"{LAUNCHER} --root"
#: What xscreensaver writes: a header line, entries ending in `\n\`, the last in `\n`.
USER_FILE = """\
# XScreenSaver Preferences File
mode:		random
timeout:	0:10:00

programs:								      \\
		  "Qix (solid)"  qix -root -solid -segments 100	    \\n\\
-				maze -root				    \\n\\
  GL: 				superquadrics -root -speed 3	      \\
				  -spins 12			    \\n\\
				attraction -root			    \\n

pointerHysteresis:  10
"""


def descriptor() -> ET.Element:
    defaults = {"interval_s": ShowConfig().interval_s, "transition_s": ShowConfig().transition_s}
    return ET.fromstring(descriptor_xml(defaults, choices("show.fit"), choices("visualizer.mode")))


def program_values(text: str) -> list[str]:
    """The programs: entries as xscreensaver reads the value: continued lines joined, then
    split at each literal `\\n`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("programs:"))
    value = lines[start].split(":", 1)[1]
    index = start
    while lines[index].rstrip().endswith("\\"):
        value = value.rstrip()[:-1]
        index += 1
        value += lines[index]
    return [" ".join(entry.split()) for entry in value.split("\\n") if entry.strip()]


def test_the_descriptor_holds_only_what_xscreensaver_settings_knows_with_its_required_attributes():
    root = descriptor()
    assert root.tag == "screensaver" and root.get("name") == "slideshow"  # the launcher's basename
    assert root.get("_label") == "Slideshow"
    required = {"command": {"arg"}, "number": {"id", "arg", "type"}, "file": {"id", "arg"},
                "select": {"id"}, "option": {"_label"}, "hgroup": set(), "_description": set()}
    seen = set()
    for element in root.iter():
        if element is root:
            continue
        assert element.tag in required, f"xscreensaver-settings ignores <{element.tag}>"
        assert required[element.tag] <= set(element.attrib), element.attrib
        seen.add(element.tag)
        if element.tag == "number":
            low, high, default = (float(element.get(k)) for k in ("low", "high", "default"))
            assert element.get("type") == "slider" and low <= default <= high
            # A value without a decimal point would make the slider whole numbers only.
            assert all("." in element.get(k) for k in ("low", "high", "default"))
            assert element.get("arg").endswith(" %")
        if element.tag == "select":
            defaults = [o for o in element if "arg-set" not in o.attrib]
            assert len(defaults) == 1, "one option, the default, puts nothing on the line"
    assert seen >= {"command", "number", "file", "select", "_description"}
    assert [c.get("arg") for c in root.iter("command")] == ["--root"]


def test_the_sliders_default_to_the_config_defaults_and_the_selects_offer_every_choice():
    root = descriptor()
    numbers = {n.get("id"): float(n.get("default")) for n in root.iter("number")}
    assert numbers == {"interval": 6.0, "transition": 1.5}
    selects = {s.get("id"): [o.get("arg-set") for o in s] for s in root.iter("select")}
    assert selects["fit"] == [None] + [f"--fit {m}" for m in choices("show.fit")]
    assert selects["visualizer"] == [None] + [f"--visualizer {m}" for m in choices("visualizer.mode")]


def test_every_command_line_the_descriptor_can_build_is_understood_by_the_show():
    root = descriptor()
    args_of = {n.get("id"): n.get("arg") for n in root.iter("number")}
    fits = [o.get("arg-set") for o in root.find(".//select[@id='fit']")]
    visualizers = [o.get("arg-set") for o in root.find(".//select[@id='visualizer']")]
    folder = root.find("file").get("arg").replace("%", "/srv/photos")
    checked = 0
    for fit, visualizer in product(fits, visualizers):
        line = ["--root", folder, args_of["interval"].replace("%", "12.5"),
                args_of["transition"].replace("%", "0.0")]
        line += [part for part in (fit, visualizer) if part]
        request = parse_launch_args(" ".join(line).split())
        assert request.root
        args = build_parser().parse_args(["show", *request.other_args])
        args.config = EMPTY_TOML
        config = config_from_args(args, DISPLAY_FLAGS)
        assert config.show.interval_s == 12.5 and config.show.transition_s == 0.0
        assert config.show.paths == ("/srv/photos",)
        assert config.show.fit == (fit.split()[1] if fit else "fill")
        assert config.visualizer.mode == (visualizer.split()[1] if visualizer else "bars")
        checked += 1
    assert checked == (len(choices("show.fit")) + 1) * (len(choices("visualizer.mode")) + 1)


def test_libxml2_the_parser_xscreensaver_settings_uses_reads_the_descriptor(tmp_path):
    needs_tool("xmllint", "libxml2-utils")
    defaults = {"interval_s": 6.0, "transition_s": 1.5}
    path = tmp_path / "descriptor.xml"
    path.write_text(descriptor_xml(defaults, ["fill"], ["bars"]))
    done = subprocess.run(["xmllint", "--noout", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    path.write_text(path.read_text().replace("</screensaver>", ""))  # the check can fail
    assert subprocess.run(["xmllint", "--noout", str(path)], capture_output=True).returncode != 0


def test_our_entry_goes_first_and_every_user_byte_stays():
    added = add_entry(USER_FILE, LAUNCHER, COMMAND, seed=[])
    assert program_values(added) == [f'GL: "Slideshow" {COMMAND}', '"Qix (solid)" qix -root -solid '
                                     "-segments 100", "- maze -root",
                                     "GL: superquadrics -root -speed 3 -spins 12",
                                     "attraction -root"]
    ours = [line for line in added.splitlines() if LAUNCHER in line]
    assert len(ours) == 1
    assert added.replace(ours[0] + "\n", "") == USER_FILE


def test_adding_twice_changes_nothing_and_an_entry_the_user_changed_is_kept():
    added = add_entry(USER_FILE, LAUNCHER, COMMAND, seed=[])
    assert add_entry(added, LAUNCHER, COMMAND, seed=[]) == added
    # xscreensaver-settings rewrote our entry with options, and the user disabled it
    changed = added.replace(f'  GL: "Slideshow"  {COMMAND}', f'- GL: "Slideshow" {COMMAND} --fit blur')
    assert add_entry(changed, LAUNCHER, COMMAND, seed=[]) == changed


def test_removing_gives_back_the_file_as_it_was():
    assert remove_entry(add_entry(USER_FILE, LAUNCHER, COMMAND, seed=[]), LAUNCHER) == USER_FILE
    assert remove_entry(USER_FILE, LAUNCHER) == USER_FILE


def test_removing_our_entry_from_the_end_of_the_list_ends_the_value_there():
    # The user moved ours last (over two lines, as xscreensaver wraps long ones).
    text = USER_FILE.replace("attraction -root			    \\n\n",
                             "attraction -root			    \\n\\\n"
                             f'  GL: "Slideshow" {COMMAND}  \\\n     --fit blur \\n\n')
    assert program_values(text)[-1] == f'GL: "Slideshow" {COMMAND} --fit blur'
    removed = remove_entry(text, LAUNCHER)
    assert program_values(removed) == program_values(USER_FILE)
    assert "pointerHysteresis:  10" in removed.splitlines()
    assert re.search(r"attraction -root\s*\\n\n", removed)


@pytest.mark.parametrize("text, values", [
    ("", [f'GL: "Slideshow" {COMMAND}']),
    ("mode: one\n", [f'GL: "Slideshow" {COMMAND}']),
    ("programs: maze -root\n", [f'GL: "Slideshow" {COMMAND}', "maze -root"]),
    ("programs:\n", [f'GL: "Slideshow" {COMMAND}']),
])
def test_a_file_without_a_list_or_with_a_one_line_list_gets_a_valid_one(text, values):
    added = add_entry(text, LAUNCHER, COMMAND, seed=[])
    assert program_values(added) == values
    assert add_entry(added, LAUNCHER, COMMAND, seed=[]) == added
    assert program_values(remove_entry(added, LAUNCHER)) == values[1:]


def test_a_file_without_a_list_is_seeded_with_xscreensavers_own(tmp_path):
    defaults = tmp_path / "XScreenSaver"
    defaults.write_text("*timeout: 10\n*programs:\t\\\n\t\tmaze -root\t\\n\\\n- GL:\tgears -root\t\\n\n"
                        "*nice: 10\n")
    seed = default_programs([tmp_path / "missing", defaults])
    assert seed == ["programs:\t\\", "\t\tmaze -root\t\\n\\", "- GL:\tgears -root\t\\n"]
    added = add_entry("mode: random\n", LAUNCHER, COMMAND, seed)
    assert added.startswith("mode: random\n\nprograms:")
    assert program_values(added) == [f'GL: "Slideshow" {COMMAND}', "maze -root", "- GL: gears -root"]
    assert default_programs([tmp_path / "missing"]) == []
