"""Tabletop replay page: animation frame times while playing a large city.

Target (issue "tabletop replay"): while playing, no animation frame over 50 ms on a city of
~3,000 zones, ~12,000 roads, ~900 frames, ~300 teams and ~2,000 incidents.

Usage: ``python -m bench.replay_page [--seconds 5] [--start-h 25] [--width 1280 --height 800]
[--page replay.html]``.
Renders the large synthetic replay of ``tests/replay_fixture.py``, opens it from disk in headless
Chromium (as the browser tests do), seeks to ``--start-h`` hours, plays at the highest speed
(60 simulated minutes per second) for ``--seconds`` with the stops at injects and decision
points turned off, and prints the time between animation frames (what a viewer sees) and the
page's own work per frame: median, 95th percentile, maximum, and how many frames took over
50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from browser import headless_page  # noqa: E402
from replay_fixture import LARGE_SIZES, large_replay, render_page  # noqa: E402

LIMIT_MS = 50.0
TOP_SPEED = 60


def summary(name: str, values: list[float]) -> str:
    """One line: count, median, 95th percentile, max and the count over ``LIMIT_MS``."""
    if len(values) < 2:
        return f"{name}: {len(values)} frames (too few to summarise)"
    p95 = statistics.quantiles(values, n=20)[-1]
    over = sum(v > LIMIT_MS for v in values)
    return (f"{name:<22} {len(values):5d} frames  median {statistics.median(values):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {max(values):6.1f} ms  over {LIMIT_MS:.0f} ms: {over}")


def main() -> None:
    """Build the page, play it, print the frame times."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="how long to play (s)")
    ap.add_argument("--start-h", type=float, default=25.0, help="where to start (h into the run)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    ap.add_argument("--page", type=Path, default=None,
                    help="a replay page to play instead (e.g. of the 1,000,000-resident city: "
                         "drillsim generate-city --population 1000000, run, replay)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="drillsim-bench-replay-") as tmp:
        t0 = time.perf_counter()
        if args.page is not None:
            page = args.page.resolve()
            print(f"{page}: {page.stat().st_size / 1e6:.1f} MB")
        else:
            page = render_page(large_replay(), Path(tmp) / "replay.html")
            built = time.perf_counter() - t0
            print(f"large replay {LARGE_SIZES}: page {page.stat().st_size / 1e6:.1f} MB, "
                  f"built in {built:.1f} s")
        with headless_page(args.width, args.height) as tab:
            t0 = time.perf_counter()
            tab.page.goto(page.as_uri())
            tab.page.wait_for_function("window.__replay !== undefined")
            print(f"opened in {time.perf_counter() - t0:.2f} s "
                  f"(load, parse, decode, first draw)")
            tab.page.evaluate(f"""() => {{
                const r = window.__replay;
                r.setAutoPause(false);
                r.setSpeed({TOP_SPEED});
                r.seek({args.start_h * 3600.0});
                r.play();
            }}""")
            tab.page.wait_for_timeout(args.seconds * 1000)
            tab.page.evaluate("window.__replay.pause()")
            played = tab.page.evaluate("window.__replay.state()")
            frames = tab.page.evaluate("window.__replay.frameTimes")
            work = tab.page.evaluate("window.__replay.workTimes")
            problems = tab.console_errors + [f"blocked: {u}" for u in tab.blocked]
        start_h = args.start_h
        print(f"played {args.seconds:.0f} s at {TOP_SPEED} simulated min/s: "
              f"T+{start_h:.0f}h to frame {played['frame']} (t = {played['t_s'] / 3600:.1f} h)")
        print(summary("between frames", frames))
        print(summary("page work per frame", work))
        for p in problems:
            print(f"console: {p}")


if __name__ == "__main__":
    main()
