#!/usr/bin/env bash
# Sets up everything slideshow needs on Debian, Ubuntu or Raspberry Pi OS, then returns:
# system packages (when missing, through apt-get as root or with sudo) and a virtual
# environment in .venv with the project installed in editable mode. Safe to run again: each
# step is skipped when done, and what it prints is a line per step it takes.
#
# Usage: scripts/bootstrap.sh [--test] [--dry-run]
#   --test     adds what the test suite needs (Xvfb, PulseAudio, pytest)
#   --dry-run  says what it would install and changes nothing
#
# The machine is read from `uname -m` and the installed packages from `dpkg-query`, both
# found on PATH: tests/test_bootstrap.py puts stand-ins first to play a Raspberry Pi.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --dry-run) dry_run=1 ;;
    *) echo "bootstrap: unknown option $arg (usage: scripts/bootstrap.sh [--test] [--dry-run])" >&2; exit 2 ;;
  esac
done

# glfw loads the X11 libraries at run time; Mesa gives a software renderer where no GPU driver is.
packages=(libegl1 libgl1 libgl1-mesa-dri libportaudio2 libx11-6 libxrandr2 libxcursor1 libxi6 libxinerama1 libxxf86vm1 libxext6)
# The test suite also checks what `slideshow install` writes with the tools that read it.
[ $want_test = 1 ] && packages+=(xvfb x11-utils pulseaudio pulseaudio-utils libasound2-plugins desktop-file-utils libxml2-utils systemd)
# A python3 >= 3.11 with venv already on PATH (Debian's, or pyenv's) is used as it is.
if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  packages+=(python3 python3-venv python3-pip)
fi
# The package index has Linux wheels of moderngl and glcontext for x86_64 only (none for
# aarch64 after moderngl 5.8.2 / glcontext 2.3.7, and we need moderngl >= 5.10), so on a
# Raspberry Pi (aarch64) or any other machine pip builds both from source: a C++ compiler,
# Python's headers, Xlib's headers (glcontext's x11 backend) and the GL/EGL link libraries.
# Every other dependency has aarch64 wheels.
machine=$(uname -m)
case "$machine" in
  x86_64|amd64) ;;
  *)
    echo "bootstrap: $machine: moderngl and glcontext are built from source (no wheels for it)" >&2
    packages+=(build-essential python3-dev libx11-dev libgl-dev libegl-dev)
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

venv="$root/.venv"
extras=""
[ $want_test = 1 ] && extras="[test]"
# One stamp: what the last install was made from (pyproject.toml and where the clone is: an
# editable install points into it) and with which extras. The test install is a superset of
# the plain one, so ./run.sh after ./test.sh finds nothing to do.
stamp="$venv/.slideshow-install"
fingerprint=$( (cat "$root/pyproject.toml"; echo "$root") | sha256sum | cut -c1-16)
installed=$(cat "$stamp" 2>/dev/null || true)
up_to_date=0
if [ -x "$venv/bin/python" ]; then
  case "$installed" in
    "$fingerprint test") up_to_date=1 ;;
    "$fingerprint run") [ $want_test = 0 ] && up_to_date=1 ;;
  esac
fi

if [ $dry_run = 1 ]; then
  echo "bootstrap: would apt-get install: ${missing[*]:-(nothing)}"
  if [ $up_to_date = 1 ]; then
    echo "bootstrap: would pip install: (nothing, .venv is up to date)"
  else
    echo "bootstrap: would pip install: -e $root$extras"
  fi
  exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Runs a step with its output kept aside: on failure the last lines of it, else nothing.
quietly() {
  if ! "$@" >"$log" 2>&1; then
    echo "bootstrap: failed: $*; its last lines:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: please install: ${missing[*]} (no apt-get here)" >&2; exit 1
  fi
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "bootstrap: installing ${missing[*]}" >&2
  quietly $sudo apt-get update -qq
  quietly $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: slideshow needs Python 3.11 or newer; $(python3 --version) found" >&2; exit 1
fi

if [ $up_to_date = 0 ]; then
  started=$SECONDS
  echo "bootstrap: installing slideshow$extras into .venv" >&2
  [ -x "$venv/bin/python" ] || quietly python3 -m venv "$venv"
  rm -f "$stamp" "$venv/.installed" "$venv/.installed-test"  # and the two stamps of before
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true  # offline: keep the venv's own
  quietly "$venv/bin/python" -m pip install -q -e "$root$extras"
  if [ $want_test = 1 ]; then echo "$fingerprint test" > "$stamp"; else echo "$fingerprint run" > "$stamp"; fi
  echo "bootstrap: done in $((SECONDS - started)) s" >&2
fi
