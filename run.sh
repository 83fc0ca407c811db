#!/usr/bin/env bash
# Sets up what is missing (see scripts/bootstrap.sh), then runs the slideshow:
#   ./run.sh                 the built-in demo set, fullscreen
#   ./run.sh ~/Pictures      your photos
#   ./run.sh bench --headless --seconds 30
# Any arguments are passed to the `slideshow` command (`./run.sh --help`).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/bootstrap.sh"
exec "$root/.venv/bin/slideshow" "$@"
