"""Every benchmark of the project, one table: ``python -m bench [--quick] [--only NAME ...]``.

Each benchmark script runs as its own process (its own event loop and imports; a crash or a
hang costs one row, not the run) and writes its JSON result, which becomes rows of the table.
Benchmarks that need Kafka/MongoDB use ``KAFKA_BOOTSTRAP_SERVERS``/``MONGODB_URI`` when set,
else one local stack started for the whole run (while the CPU-time-measured crypto benchmark
runs) and stopped at the end. The table is also written to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.figures import EXTRACTORS, SCALE
from bench.report import Outcome
from stack import LocalStack, default_root, fetch_all, free_ports
from stack.layout import Layout

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
KAFKA, MONGO = "KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI"


@dataclass(frozen=True)
class Benchmark:
    name: str
    area: str  # the row of issue 18's table its figures belong to (where a failure shows)
    needs: tuple[str, ...]
    quick_args: tuple[str, ...]
    full_args: tuple[str, ...] = ()
    quick_timeout: float = 110.0
    full_timeout: float = 1800.0
    # Quick mode only: mostly waiting on Kafka/the database, so it runs alongside the others
    # (its figures then share the machine; the full run keeps every benchmark alone).
    overlap_in_quick: bool = False


BENCHMARKS = (
    Benchmark("crypto_proofs", "crypto", (), ("--quick",)),
    # --live: POST /verify against the verifier as its own process on knowledge from Kafka.
    Benchmark(
        "verifier_throughput",
        "verification HTTP",
        (KAFKA, MONGO),
        ("--quick", "--live"),
        ("--live",),
    ),
    Benchmark("offline_verification", "verification offline", (), ("--quick",)),
    Benchmark(
        "issuer_throughput",
        "issuance",
        (KAFKA, MONGO),
        ("--quick", "--end-to-end-suites", "eddsa-rdfc-2022"),
        overlap_in_quick=True,
    ),
    Benchmark(
        "catalogue_search",
        "catalogue",
        (MONGO,),
        ("--achievements", "2000", "--repeats", "10", "--budget", "2"),
        ("--achievements", "100000", "--repeats", "30"),
    ),
    Benchmark("notifier_delivery", "webhooks", (MONGO,), ("--events", "40")),
    Benchmark("outbox_relay", "issuance", (KAFKA, MONGO), ("--quick",)),
    # Last: its four service processes should not share the machine with another benchmark.
    Benchmark(
        "ecosystem_cohort",
        "issuance",
        (KAFKA, MONGO),
        ("--rows", "200"),
        ("--rows", "2000"),
        quick_timeout=300.0,
    ),
)


class Infrastructure:
    """The Kafka/MongoDB addresses the benchmarks get: from the environment, or one local stack
    started in the background (so the first benchmark runs meanwhile) and stopped at the end."""

    def __init__(self, needed: set[str]) -> None:
        self.env = {name: os.environ[name] for name in needed if os.environ.get(name)}
        if self.env:
            self.env |= {k: v for k, v in os.environ.items() if k.startswith("MICROCRED_KAFKA_")}
        self.description = "environment" if self.env else "none needed"
        self.error: str | None = None
        self._stack: LocalStack | None = None
        self._thread: threading.Thread | None = None
        if needed - set(self.env):
            self.description = "local stack started for this run"
            self._thread = threading.Thread(target=self._start_stack, daemon=True)

    def _start_stack(self) -> None:
        try:
            fetch_all(Layout.at(default_root()), report=lambda line: print(line, file=sys.stderr))
            kafka_port, mongo_port = free_ports(2)
            data = Path(tempfile.mkdtemp(prefix="microcred-bench-"))
            stack = LocalStack(default_root(), kafka_port, mongo_port, data_dir=data)
            self._stack = stack
            stack.start()
            # The operator's principal: the benchmarks provision what they run.
            self.env = {**stack.kafka_admin.environment(), MONGO: stack.mongodb_uri}
        except Exception as exc:  # reported in the table
            self.error = f"local stack did not start: {type(exc).__name__}: {exc}"

    def ready(self, needs: tuple[str, ...]) -> dict[str, str] | str:
        """The addresses a benchmark needs (waiting for the stack), or why there are none."""
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()
        missing = [name for name in needs if name not in self.env]
        if missing:
            return self.error or f"no {', '.join(missing)}"
        # With the address go the credentials to use it (MICROCRED_KAFKA_*).
        credentials = {k: v for k, v in self.env.items() if k.startswith("MICROCRED_KAFKA_")}
        return {**credentials, **{name: self.env[name] for name in needs}}

    @contextlib.contextmanager
    def running(self) -> Iterator[Infrastructure]:
        if self._thread is not None:
            self._thread.start()
        try:
            yield self
        finally:
            if self._thread is not None:
                self._thread.join()
            if self._stack is not None:
                with contextlib.suppress(Exception):
                    self._stack.stop(grace=5.0)
                shutil.rmtree(self._stack.data_dir, ignore_errors=True)


def run_one(benchmark: Benchmark, infra: Infrastructure, quick: bool) -> Outcome:
    started = time.perf_counter()
    addresses = infra.ready(benchmark.needs) if benchmark.needs else {}
    if isinstance(addresses, str):
        return Outcome(benchmark.name, 0.0, error=addresses, area=benchmark.area)
    args = benchmark.quick_args if quick else benchmark.full_args
    timeout = benchmark.quick_timeout if quick else benchmark.full_timeout
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "result.json")
        command = [sys.executable, "-m", f"bench.{benchmark.name}", *args, "--out", str(out)]
        try:
            proc = subprocess.run(
                command,
                cwd=ROOT,
                env={**os.environ, **addresses},
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Outcome(
                benchmark.name,
                time.perf_counter() - started,
                error=f"timed out after {timeout:.0f} s",
                area=benchmark.area,
            )
        seconds = time.perf_counter() - started
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return Outcome(
                benchmark.name,
                seconds,
                error=f"exit {proc.returncode}: {' | '.join(tail)}",
                area=benchmark.area,
            )
        raw = json.loads(out.read_text("utf-8"))
    try:
        figures = EXTRACTORS[benchmark.name](raw)
    except (KeyError, TypeError, ValueError) as exc:
        return Outcome(
            benchmark.name,
            seconds,
            raw=raw,
            error=f"unexpected result shape: {type(exc).__name__}: {exc}",
            area=benchmark.area,
        )
    return Outcome(benchmark.name, seconds, figures, raw=raw, area=benchmark.area)


def _announced(benchmark: Benchmark, infra: Infrastructure, quick: bool) -> Outcome:
    print(f"running {benchmark.name} ...", file=sys.stderr, flush=True)
    outcome = run_one(benchmark, infra, quick)
    status = "FAILED" if outcome.error else "done"
    print(f"  {benchmark.name} {status} in {outcome.seconds:.0f} s", file=sys.stderr, flush=True)
    return outcome


def run_all(selected: list[Benchmark], infra: Infrastructure, quick: bool) -> list[Outcome]:
    """Every benchmark one after the other, except (quick mode) the overlapping ones, which
    start at once in a thread each; the outcomes come back in the order of ``selected``."""
    outcomes: dict[str, Outcome] = {}
    threads = []
    for benchmark in selected:
        if quick and benchmark.overlap_in_quick:

            def overlapped(benchmark: Benchmark = benchmark) -> None:
                outcomes[benchmark.name] = _announced(benchmark, infra, quick)

            threads.append(threading.Thread(target=overlapped, daemon=True))
            threads[-1].start()
    for benchmark in selected:
        if not (quick and benchmark.overlap_in_quick):
            outcomes[benchmark.name] = _announced(benchmark, infra, quick)
    for thread in threads:
        thread.join()
    return [outcomes[benchmark.name] for benchmark in selected]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    names = [benchmark.name for benchmark in BENCHMARKS]
    parser.add_argument("--only", nargs="+", choices=names, help="run just these benchmarks")
    args = parser.parse_args()
    selected = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    started = datetime.now(UTC)
    began = time.perf_counter()
    infra = Infrastructure({need for benchmark in selected for need in benchmark.needs})
    with infra.running():
        outcomes = run_all(selected, infra, args.quick)
    if not args.only:
        outcomes.append(Outcome("test-reliability-scale", 0.0, [SCALE], area="scale"))
    elapsed = time.perf_counter() - began
    print(report.table(outcomes))
    document = report.document(
        outcomes,
        quick=args.quick,
        started=started,
        seconds=round(elapsed, 1),
        infrastructure=infra.description,
        host={
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "load_average_at_start": os.getloadavg(),
        },
    )
    written = report.write(document, RESULTS, started)
    print(f"\n{elapsed:.0f} s in all; written to {written.relative_to(ROOT)} and latest.json")


if __name__ == "__main__":
    main()
