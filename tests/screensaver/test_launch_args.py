"""Reading a screensaver host's arguments (slideshow.screensaver.launch_args): xscreensaver's and a
Windows .scr's, with the environment passed in explicitly (never the test process's)."""

from __future__ import annotations

import pytest

from slideshow.errors import ConfigError
from slideshow.screensaver.launch_args import (
    LaunchRequest,
    looks_like_screensaver_args,
    parse_launch_args,
    parse_window_id,
)

NO_ENV: dict[str, str] = {}


def parse(*argv: str, env: dict[str, str] = NO_ENV) -> LaunchRequest:
    return parse_launch_args(list(argv), environ=env)


# ---- Windows .scr ----

@pytest.mark.parametrize("switch", ["/s", "/S", "-s", "-S"])
def test_windows_show_switch_in_any_spelling(switch):
    assert parse(switch) == LaunchRequest("show", None, host="windows")


@pytest.mark.parametrize("argv", [["/p", "1234"], ["/P", "1234"], ["/p:1234"], ["/P:1234"],
                                  ["-p", "1234"], ["/p1234"], ["/p", "0x4D2"]])
def test_windows_preview_reads_the_handle_however_it_is_written(argv):
    assert parse(*argv) == LaunchRequest("preview", 1234, host="windows")


def test_windows_preview_keeps_a_64_bit_handle():
    assert parse("/p", str(2**40 + 5)).parent_window == 2**40 + 5


@pytest.mark.parametrize("argv, owner", [(["/c"], None), (["/C"], None), (["/c:"], None),
                                         (["/c:5678"], 5678), (["/C:5678"], 5678),
                                         (["/c", "5678"], 5678), (["-c"], None)])
def test_windows_settings_with_and_without_an_owner(argv, owner):
    assert parse(*argv) == LaunchRequest("settings", owner, host="windows")


def test_no_arguments_mean_settings_as_windows_does_for_configure():
    assert parse() == LaunchRequest("settings", None, host="windows")


def test_windows_arguments_after_the_switch_are_passed_on():
    request = parse("/s", "--interval", "8")
    assert request.mode == "show" and request.other_args == ("--interval", "8")
    assert parse("/p", "99", "extra").other_args == ("extra",)
    # /c takes the next argument as its owner only when it is a number
    assert parse("/c", "--fit", "blur") == LaunchRequest(
        "settings", None, host="windows", other_args=("--fit", "blur"))


def test_only_a_windows_show_exits_on_input():
    assert parse("/s").exits_on_input is True
    assert parse("/p", "1").exits_on_input is False
    assert parse("/c").exits_on_input is False
    assert parse("-root").exits_on_input is False  # xscreensaver watches input itself


@pytest.mark.parametrize("argv, fragment", [
    (["/p"], "/p needs the preview window's handle"),
    (["/p:"], "/p needs the preview window's handle"),
    (["/p", "notanumber"], "'notanumber' is not a window id"),
    (["/p:abc!"], "'abc!' is not a window id"),
    (["/p", "0"], "above 0"),
    (["/p", "-5"], "'-5' is not a window id"),
    (["/c:xyz!"], "'xyz!' is not a window id"),
    (["/s:12"], "/s takes no window handle"),
    (["/a", "1234"], "password dialog"),
])
def test_bad_windows_arguments_name_the_argument_and_what_is_allowed(argv, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(")) as caught:
        parse(*argv)
    message = str(caught.value)
    assert argv[0].split(":")[0].lower() in message.lower()


# ---- xscreensaver ----

def test_root_alone_draws_on_the_root_window():
    assert parse("-root") == LaunchRequest("show", None, root=True, host="x11")
    assert parse("--root") == LaunchRequest("show", None, root=True, host="x11")


def test_root_under_xscreensaver_draws_into_its_window():
    request = parse("-root", env={"XSCREENSAVER_WINDOW": "0x1A00007"})
    assert request == LaunchRequest("show", 0x1A00007, root=True, host="x11")


def test_xscreensaver_window_alone_is_enough():
    assert parse(env={"XSCREENSAVER_WINDOW": "0x1a00007"}).parent_window == 0x1A00007
    assert parse(env={"XSCREENSAVER_WINDOW": "27262983"}).parent_window == 27262983


@pytest.mark.parametrize("argv", [["-window-id", "0x1a00007"], ["--window-id", "0x1a00007"],
                                  ["--window-id=0x1a00007"], ["-window-id", "27262983"],
                                  ["-window-id", "1a00007"], ["--window-id", "0X1A00007"]])
def test_window_id_in_every_spelling(argv):
    assert parse(*argv) == LaunchRequest("show", 0x1A00007, host="x11")


def test_an_explicit_window_id_beats_the_environment():
    request = parse("-root", "-window-id", "0x500", env={"XSCREENSAVER_WINDOW": "0x600"})
    assert request.parent_window == 0x500 and request.root is True


def test_the_last_of_root_and_window_wins():
    assert parse("-root", "-window").root is False
    assert parse("-window", "-root").root is True


def test_display_is_read_and_the_other_screenhack_options_are_tolerated():
    request = parse("-root", "-display", ":1", "-visual", "default", "-install", "-mono",
                    "--fps", "-no-fps", "-fullscreen", "-noinstall", "-pair", "--visual=best")
    assert request.root is True and request.display == ":1"
    assert request.ignored == ("-visual default", "-install", "-mono", "--fps", "-no-fps",
                               "-fullscreen", "-noinstall", "-pair", "--visual best")
    assert request.other_args == ()


def test_our_own_arguments_pass_through_in_order():
    request = parse("-root", "/home/me/Photos", "--interval", "8", "--fullscreen",
                    "-window-id", "0x10", "--fit", "blur")
    assert request.parent_window == 0x10
    # --fullscreen is the project's own option (bench), not xscreensaver's -fullscreen
    assert request.other_args == ("/home/me/Photos", "--interval", "8", "--fullscreen",
                                  "--fit", "blur")


@pytest.mark.parametrize("argv, env, fragment", [
    (["-window-id"], NO_ENV, "-window-id needs a window id"),
    (["--window-id"], NO_ENV, "--window-id needs a window id"),
    (["-window-id", "notanumber"], NO_ENV, "-window-id 'notanumber' is not a window id"),
    (["--window-id=zz"], NO_ENV, "--window-id 'zz' is not a window id"),
    (["--window-id="], NO_ENV, "--window-id '' is not a window id"),
    (["-window-id", "0"], NO_ENV, "above 0"),
    (["-window-id", str(2**32)], NO_ENV, "is not a window id"),
    (["-root"], {"XSCREENSAVER_WINDOW": "garbage!"}, "XSCREENSAVER_WINDOW 'garbage!'"),
    (["-display"], NO_ENV, "-display needs a value"),
    (["-visual"], NO_ENV, "-visual needs a value"),
    (["--root=yes"], NO_ENV, "--root takes no value"),
])
def test_bad_xscreensaver_arguments_say_what_is_allowed(argv, env, fragment):
    with pytest.raises(ConfigError, match=fragment):
        parse(*argv, env=env)


def test_a_window_id_error_says_which_forms_are_allowed():
    with pytest.raises(ConfigError, match=r"decimal .* or hex \(0x"):
        parse("-window-id", "notanumber")


def test_arguments_from_neither_host_are_refused_with_both_forms():
    with pytest.raises(ConfigError, match=r"/s \(show\).*-root, -window-id"):
        parse("/home/me/Photos")


def test_an_empty_xscreensaver_window_counts_as_unset():
    assert parse("-root", env={"XSCREENSAVER_WINDOW": ""}).parent_window is None


# ---- telling screensaver arguments from a normal command line ----

@pytest.mark.parametrize("argv", [["/s"], ["/P", "1234"], ["/c:55"], ["-s"], ["-root"],
                                  ["~/Photos", "-root"], ["--window-id=0x5"],
                                  ["-window-id", "5", "--interval", "3"]])
def test_screensaver_arguments_are_recognised(argv):
    assert looks_like_screensaver_args(argv, program="slideshow", environ=NO_ENV) is True


@pytest.mark.parametrize("argv", [[], ["~/Photos"], ["show", "~/Photos", "--windowed"],
                                  ["bench", "--fullscreen"], ["--interval", "8"],
                                  ["-h"], ["--version"], ["/home/me/Photos"],
                                  ["~/Photos", "/s"], ["-install"]])
def test_a_normal_command_line_is_not_mistaken_for_one(argv):
    assert looks_like_screensaver_args(argv, program="slideshow", environ=NO_ENV) is False


def test_a_scr_program_is_a_screensaver_even_without_arguments():
    assert looks_like_screensaver_args([], program=r"C:\Windows\System32\Slideshow.SCR",
                                       environ=NO_ENV) is True
    assert parse() == LaunchRequest("settings", None, host="windows")


def test_the_xscreensaver_environment_marks_a_screensaver_launch():
    assert looks_like_screensaver_args(["~/Photos"], program="slideshow",
                                       environ={"XSCREENSAVER_WINDOW": "0x5"}) is True


# ---- window ids on their own ----

@pytest.mark.parametrize("text, value", [("1", 1), ("0x1", 1), ("0XfF", 255), ("ff", 255),
                                         ("  42 ", 42), ("4294967295", 2**32 - 1)])
def test_window_ids_decimal_and_hex(text, value):
    assert parse_window_id(text, "-window-id") == value


@pytest.mark.parametrize("text", ["", "0", "0x0", "-1", "+5", "1.5", "0x", "12g", "1_0", "0x_1",
                                  "\u0663", str(2**32)])  # U+0663: an Arabic-Indic digit
def test_window_ids_that_are_refused(text):
    with pytest.raises(ConfigError, match="-window-id"):
        parse_window_id(text, "-window-id")
