#!/usr/bin/env bash
# Sets up everything slideshow needs on Debian/Ubuntu, then returns: system packages (when
# missing, through apt-get as root or with sudo) and a virtual environment in .venv with
# the project installed in editable mode. Safe to run again: each step is skipped when done.
# Usage: scripts/bootstrap.sh [--test]    (--test adds what the test suite needs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# glfw loads the X11 libraries at run time; Mesa gives a software renderer where no GPU driver is.
packages=(libegl1 libgl1 libgl1-mesa-dri libportaudio2 libx11-6 libxrandr2 libxcursor1 libxi6 libxinerama1 libxxf86vm1 libxext6)
[ $want_test = 1 ] && packages+=(xvfb x11-utils pulseaudio pulseaudio-utils libasound2-plugins)
# A python3 >= 3.11 with venv already on PATH (Debian's, or pyenv's) is used as it is.
if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  packages+=(python3 python3-venv python3-pip)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: please install: ${missing[*]} (no apt-get here)" >&2; exit 1
  fi
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "bootstrap: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=python3
if ! $python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: slideshow needs Python 3.11 or newer; $($python --version) found" >&2; exit 1
fi

venv="$root/.venv"
extras=""
stamp="$venv/.installed"
if [ $want_test = 1 ]; then extras="[test]"; stamp="$venv/.installed-test"; fi
fingerprint=$(cat "$root/pyproject.toml" | sha256sum | cut -c1-16)
if [ ! -x "$venv/bin/python" ]; then
  $python -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$fingerprint" ]; then
  echo "bootstrap: installing slideshow$extras into .venv" >&2
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  "$venv/bin/python" -m pip install -q -e "$root$extras"
  echo "$fingerprint" > "$stamp"
fi
