#!/usr/bin/env bash
# Sets up what is missing (see scripts/bootstrap.sh --test), starts a virtual X display and
# a PulseAudio server when none is running, and runs the whole test suite. Arguments go to
# pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/bootstrap.sh" --test
cd "$root"
cleanup=()
trap 'for pid in "${cleanup[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done' EXIT
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 91 120); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    cleanup+=($!)
    export DISPLAY=":$n"
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    break
  done
fi
# A private PulseAudio server for the capture tests, unless one answers already.
if command -v pulseaudio >/dev/null && ! pactl info >/dev/null 2>&1; then
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
  pulseaudio --daemonize=no --exit-idle-time=-1 --disallow-exit -n --load=module-native-protocol-unix --log-target=stderr >/dev/null 2>&1 &
  cleanup+=($!)
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
"$root/.venv/bin/python" -m pytest "$@"
