"""Run one benchmark: `python bench/run.py --name org --scale small` (what `make bench` calls).

Writes bench/results/<name>-<scale>.json and .meta.json and prints a table; exits 1 when a
limit is not met, 2 when the benchmark could not run. Method: docs/benchmarks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path; the repository root must come instead,
# so that `bench` and `chidao` import as packages.
ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench import harness  # noqa: E402

NOT_BENCHMARKS = {"harness", "run", "settings", "urls", "__init__"}


def available() -> list[str]:
    return sorted(
        p.stem for p in (ROOT / "bench").glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.endswith("_data")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--name", required=True, choices=available(), help="benchmark: bench/<name>.py")
    parser.add_argument("--scale", default="small", choices=harness.SCALES, help="small: SQLite; else PostgreSQL")
    parser.add_argument(
        "--requests",
        type=int,
        default=harness.REQUESTS,
        help="timed requests per URL (default 200, the minimum for published results)",
    )
    args = parser.parse_args(argv)

    started = time.time()
    with tempfile.TemporaryDirectory(prefix=f"chidao-bench-{args.name}-") as tmp:
        workdir = Path(tmp)
        database = harness.configure(args.scale, workdir)

        import django

        django.setup()
        module = importlib.import_module(f"bench.{args.name}")
        bench = harness.Bench(args.name, args.scale, workdir, database, requests=args.requests)
        print(f"{args.name} @ {args.scale}: database {database.url}", flush=True)
        cores = os.cpu_count() or 1
        if bench.load_at_start[0] > cores:
            print(
                f"warning: load average {bench.load_at_start[0]:.1f} on {cores} cores; timings will be noisy",
                flush=True,
            )
        try:
            records = module.run(bench)
        except harness.BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 2
        results, meta = harness.write_results(bench, records, started)

    print(harness.format_table(records))
    print(f"\nwritten: {results.relative_to(ROOT)}, {meta.relative_to(ROOT)}")
    failed = [r.metric for r in records if r.passed is False]
    if failed:
        print(f"limits not met: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
