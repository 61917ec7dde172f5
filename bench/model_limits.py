"""The model-based earning test (tests/api/test_limits_model.py) for many more examples.

Runs the state machine in batches, each with its own random seed, until the examples are done or
the time is up, and prints the figures: examples, steps, answers checked, disagreements (a batch
stops at its first one, shrinks it and prints it), seconds, and how often each answer came.

    .venv/bin/python bench/model_limits.py 5000                  # SQLite, 5,000 examples
    .venv/bin/python bench/model_limits.py 5000 --minutes 10 --batch 500 --seed 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/model_limits.py 2000
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_batch(examples: int, seed: int, steps: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        stats_path = handle.name
    env = dict(
        os.environ,
        LIMITS_MODEL_EXAMPLES=str(examples),
        LIMITS_MODEL_SEED=str(seed),
        LIMITS_MODEL_STEPS=str(steps),
        LIMITS_MODEL_STATS=stats_path,
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",
            "tests/api/test_limits_model.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    try:
        stats = json.loads(Path(stats_path).read_text() or "{}")
    except (FileNotFoundError, json.JSONDecodeError):
        stats = {}
    Path(stats_path).unlink(missing_ok=True)
    if completed.returncode != 0:
        stats["disagreements"] = max(stats.get("disagreements", 0), 1)
        stats["report"] = completed.stdout[-6000:] + completed.stderr[-2000:]
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "examples", type=int, nargs="?", default=2000, help="examples in all (default 2000)"
    )
    parser.add_argument("--batch", type=int, default=500, help="examples per seed (default 500)")
    parser.add_argument("--steps", type=int, default=50, help="most steps per example (default 50)")
    parser.add_argument(
        "--minutes",
        type=float,
        default=10,
        help="stop starting batches after this long (default 10)",
    )
    parser.add_argument("--seed", type=int, default=None, help="first seed (default random)")
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(2**32)
    started = time.perf_counter()
    totals: Counter = Counter()
    codes: Counter = Counter()
    rules: Counter = Counter()
    reports = []
    batches = 0
    while totals["examples"] < args.examples and time.perf_counter() - started < args.minutes * 60:
        size = min(args.batch, args.examples - totals["examples"])
        stats = run_batch(size, seed + batches, args.steps)
        batches += 1
        for key in ("examples", "steps", "answers", "disagreements"):
            totals[key] += stats.get(key, 0)
        codes.update(stats.get("codes", {}))
        rules.update(stats.get("rules", {}))
        if stats.get("report"):
            reports.append((seed + batches - 1, stats["report"]))
        if not stats.get("examples"):
            break  # the test did not run at all: the report says why
    seconds = time.perf_counter() - started
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"model-based earning test, {engine}, seeds {seed}..{seed + batches - 1} ({batches} batches)"
    )
    print(
        f"examples {totals['examples']:,}  steps {totals['steps']:,}  answers checked {totals['answers']:,}"
        f"  disagreements {totals['disagreements']}  seconds {seconds:,.0f}"
    )
    print(
        "requests by kind: " + ", ".join(f"{name} {count:,}" for name, count in rules.most_common())
    )
    print(
        "answers by code (None = earned/enrolled): "
        + ", ".join(f"{code} {count:,}" for code, count in sorted(codes.items()))
    )
    for batch_seed, report in reports:
        print(f"\n--- disagreement, seed {batch_seed} ---\n{report}")
    sys.exit(1 if totals["disagreements"] else 0)


if __name__ == "__main__":
    main()
