"""Two monitors at different rates: how close each display comes to its own refresh rate
when both run at once (each renders from its own thread; swapped one after the other from
one thread, each would get about half its rate).

    python3 benchmarks/displays.py [--seconds 3] [--repeat 3] [--rates 60,144]

Under X (Xvfb here): `python -m slideshow bench --fullscreen` on a fake monitor layout
(the test seam: one 192x108 rectangle per rate, side by side). Per display and run: the
frames presented against rate x seconds, and the median frame interval against the
period. tests/run/test_displays.py checks the same run for what does not depend on the
machine's load (each display's own rate, and that the two are not in lock-step); the
shares printed here do, which is why they are measured here and not asserted there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUIET = ["--visualizer", "off", "--transitions", "crossfade", "--log-level", "warning"]


def run_once(rates_hz: list[float], seconds: float, folder: Path) -> list[dict]:
    layout = folder / "monitors.txt"
    layout.write_text("; ".join(f"m{i}=192x108+{i * 200}+0@{rate:g}"
                                for i, rate in enumerate(rates_hz)))
    env = {**os.environ, "PYTHONPATH": str(REPO), "SLIDESHOW_FAKE_MONITORS": str(layout),
           "XDG_CONFIG_HOME": str(folder / "config")}
    done = subprocess.run([sys.executable, "-m", "slideshow", "bench", "--fullscreen", "--seconds",
                           str(seconds), "--json", "-", *QUIET], cwd=REPO, env=env,
                          capture_output=True, text=True, check=True, timeout=seconds + 120)
    figures = json.loads(done.stdout[done.stdout.index("{"):])
    return sorted(figures["displays"], key=lambda d: d["display"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rates", default="60,144", help="one monitor per rate, in Hz")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("displays.py needs an X display (Xvfb :99 & DISPLAY=:99)")
    rates_hz = [float(rate) for rate in args.rates.split(",")]
    print(f"{'run':>3} {'display':>7} {'rate':>6} {'frames':>7} {'of rate':>8} "
          f"{'p50 ms':>7} {'period':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, args.repeat + 1):
            for display in run_once(rates_hz, args.seconds, Path(folder)):
                rate_hz = display["refresh_hz"]
                share = display["frames"] / (rate_hz * display["seconds"])
                print(f"{run:>3} {display['display']:>7} {rate_hz:>6g} {display['frames']:>7} "
                      f"{share:>8.0%} {display['dt_ms']['p50']:>7.2f} {1000 / rate_hz:>7.2f}")


if __name__ == "__main__":
    main()
