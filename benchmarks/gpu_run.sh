#!/usr/bin/env bash
# The GPU machine's figures (one NVIDIA H100, no display), in one run: frame pacing
# headless at 4K and 1080p (issue 2), render-thread time per frame while a 4K photo
# uploads, texture.write against the PBO uploader (issue 4), and every transition's GPU
# draw time at 4K and 1080p (issues 4 and 8).
# Here, first: ../shared/gpu/prepare.sh platformdirs   (fills .device/, which git ignores)
# Then, through the device tool, with .device carried:  bash benchmarks/gpu_run.sh [PART...]
# PART: upload, bench, transitions, health, governor (default: upload, bench, transitions).
# governor (issue 13): the default show headless at 4K and 1080p, every transition, 60 s,
# governor on and off; the JSON's governor section holds the scale and cadence figures.
# It writes bench JSON and text into $OUT (or /tmp/gpu-out).
set -euo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .device/wheels/*.whl
export PYTHONPATH=/tmp/site:$PWD LD_LIBRARY_PATH=$PWD/.device/glvnd:/usr/lib PYTHONUNBUFFERED=1
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
parts=" ${*:-upload bench transitions} "
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
if [[ $parts == *" upload "* ]]; then
  python3 benchmarks/upload.py --repeat "${GPU_UPLOAD_REPEAT:-7}" 2>&1 | tee "$out/upload.txt"
fi
if [[ $parts == *" bench "* ]]; then
  for size in 3840x2160 1920x1080; do
    python3 -m slideshow bench --headless --seconds "${GPU_BENCH_SECONDS:-30}" --size "$size" \
      --json "$out/bench-$size.json" --log-level warning 2>&1 | tee "$out/bench-$size.txt"
  done
fi
if [[ $parts == *" transitions "* ]]; then
  for size in 3840x2160 1920x1080; do
    python3 benchmarks/transitions.py --size "$size" --frames 60 --repeat 3 2>&1 | tee "$out/transitions-$size.txt"
  done
fi
if [[ $parts == *" health "* ]]; then
  # Issue 15: what --perf and the HUD cost at 1280x720 (bench figures with each on and off),
  # and the HUD's own GPU time as its timer query reads it (HUD text in the screenshot).
  python3 benchmarks/health.py --headless-only --repeat 3 --seconds 12 2>&1 | tee "$out/health.txt"
  python3 -m slideshow bench --headless --seconds 12 --size 3840x2160 --hud \
    --screenshot "$out/hud-3840x2160.png" --log-level warning 2>&1 | tee "$out/hud-3840x2160.txt"
fi
if [[ $parts == *" governor "* ]]; then
  python3 benchmarks/governor.py --modes headless --sizes 3840x2160,1920x1080 --repeat 1 \
    --seconds "${GPU_BENCH_SECONDS:-60}" 2>&1 | tee "$out/governor.txt"
fi
