#!/usr/bin/env bash
# The frame-pacing figures on the GPU machine (one NVIDIA H100, no display), in one run.
# Here, first: ../shared/gpu/prepare.sh platformdirs   (fills .device/, which git ignores)
# Then, through the device tool, with .device carried:  bash benchmarks/gpu_run.sh
# It writes bench JSON and text into $OUT (or /tmp/gpu-out).
set -euo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .device/wheels/*.whl
export PYTHONPATH=/tmp/site:$PWD LD_LIBRARY_PATH=$PWD/.device/glvnd:/usr/lib PYTHONUNBUFFERED=1
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
for size in 3840x2160 1920x1080; do
  python3 -m slideshow bench --headless --seconds 30 --size "$size" \
    --json "$out/bench-$size.json" --log-level warning 2>&1 | tee "$out/bench-$size.txt"
done
