"""Crypto benchmark: Data Integrity sign and verify per second per core, for each suite, on the
rich OB 3.0 credential — our fast path, the PyLD reference path, and Digital Bazaar's JavaScript
stack measured in the same run — plus a profile of where the fast path's time goes.

    uv run python -m bench.crypto_proofs [--quick] [--out bench/results/crypto.json]

Rates are operations per CPU-second of the measuring process (``time.process_time``, best of
five batches; the JS side uses ``process.cpuUsage`` over one run), so other load on the machine
counts against them as little as possible.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import pstats
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from microcred_shared.crypto import (
    Ed25519Multikey,
    create_proof,
    reference_rdfc,
    set_rdfc_implementation,
    sign,
    verify_proofs,
)

ROOT = Path(__file__).resolve().parents[1]
RICH = ROOT / "tests/data/credentials/rich-openbadge.json"
JS = ROOT / "tests/interop/js"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
RDFC = "eddsa-rdfc-2022"

# Where the fast path's time goes, by the module (or function) that spends it.
PROFILE_BUCKETS = (
    ("JSON-LD expansion to quads (fast_expand, fast_contexts)", ("fast_expand", "fast_contexts")),
    ("RDFC-1.0 labelling and N-Quads (fast_rdfc, sha256)", ("fast_rdfc", "openssl_sha256")),
    ("Ed25519 sign/verify (cryptography)", ("ed25519",)),
    ("base58 multibase (proofValue, did:key)", ("base58", "multibase")),
    ("document copies (copy.deepcopy, json)", ("copy.py", "json/")),
)


def credential() -> tuple[dict[str, Any], Ed25519Multikey]:
    key = Ed25519Multikey.from_seed(bytes(range(32)))
    document = json.loads(RICH.read_text("utf-8"))
    document["issuer"]["id"] = key.controller
    return document, key


def per_cpu_second(operation: Callable[[], object], seconds: float, batches: int = 5) -> float:
    """Operations per CPU-second: the best of ``batches`` runs sharing ``seconds`` (the timeit
    convention: on a shared machine the best run is the least disturbed), after a warm-up."""
    for _ in range(3):
        operation()
    best = 0.0
    for _ in range(batches):
        count, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds / batches or count < 2:
            operation()
            count += 1
        best = max(best, count / elapsed)
    return best


def python_rates(suite: str, seconds: float) -> dict[str, float]:
    document, key = credential()
    signed = sign(document, key, suite=suite)
    if not verify_proofs(signed).verified:
        raise RuntimeError(f"{suite}: the benchmark credential does not verify")
    return {
        "sign": per_cpu_second(lambda: create_proof(document, key, suite=suite), seconds),
        "sign_document": per_cpu_second(lambda: sign(document, key, suite=suite), seconds),
        "verify": per_cpu_second(lambda: verify_proofs(signed), seconds),
    }


def reference_rates(seconds: float) -> dict[str, float]:
    """The same operations with canonicalisation forced through PyLD alone."""
    set_rdfc_implementation(lambda document, loader: reference_rdfc(document, loader))
    try:
        return python_rates(RDFC, seconds)
    finally:
        set_rdfc_implementation(None)


def js_rates(suite: str, seconds: float) -> dict[str, float] | str:
    """Digital Bazaar's stack (``di.mjs bench``), or why it was skipped."""
    if shutil.which("node") is None:
        return "skipped: node is not installed"
    if not (JS / "node_modules").is_dir():
        return "skipped: run tests/interop/install.sh to install the JS stack"
    document, key = credential()
    with tempfile.TemporaryDirectory() as folder:
        key_file, doc_file = Path(folder, "key.json"), Path(folder, "credential.json")
        key_file.write_text(json.dumps(key.to_document(include_secret=True)))
        doc_file.write_text(json.dumps(document))
        command = ["node", str(JS / "di.mjs"), "bench", "--key", str(key_file), "--suite", suite]
        command += ["--seconds", str(seconds), str(doc_file)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if run.returncode != 0:
        return f"skipped: di.mjs bench failed: {run.stderr.strip()[-300:]}"
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return {"sign": float(result["sign"]), "verify": float(result["verify"])}


def profile_fast_path(seconds: float) -> dict[str, Any]:
    """cProfile of rdfc sign + verify on the fast path: share of time per bucket, top functions."""
    document, key = credential()
    signed = sign(document, key, suite=RDFC)
    profiler = cProfile.Profile()
    deadline = time.process_time() + seconds
    profiler.enable()
    while time.process_time() < deadline:
        sign(document, key, suite=RDFC)
        verify_proofs(signed)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tottime for (_, _, tottime, _, _) in entries.values()) or 1.0
    shares = dict.fromkeys([name for name, _ in PROFILE_BUCKETS] + ["other"], 0.0)
    functions = []
    for (filename, line, name), (_, _, tottime, _, callers) in entries.items():
        functions.append((tottime / total, f"{Path(filename).name}:{line}({name})"))
        # A builtin (dict.get, sort, sha256 …) counts for the code that called it.
        owners = callers if filename == "~" and callers else {(filename, line, name): None}
        weights = {owner: (edge[2] if edge else 1.0) for owner, edge in owners.items()}
        weight_sum = sum(weights.values()) or 1.0
        for (owner_file, owner_line, owner_name), weight in weights.items():
            where = f"{owner_file}:{owner_line}({owner_name}) {name}"
            bucket = next(
                (label for label, marks in PROFILE_BUCKETS if any(m in where for m in marks)),
                "other",
            )
            shares[bucket] += tottime / total * weight / weight_sum
    functions.sort(reverse=True)
    return {
        "share_of_time": {k: round(v, 3) for k, v in shares.items()},
        "top_functions": [{"share": round(s, 3), "function": f} for s, f in functions[:12]],
    }


def run(quick: bool = False) -> dict[str, Any]:
    seconds = 0.6 if quick else 3.0
    suites: dict[str, Any] = {}
    for suite in SUITES:
        fast = python_rates(suite, seconds)
        entry: dict[str, Any] = {"fast": fast, "javascript": js_rates(suite, seconds)}
        if suite == RDFC:
            entry["reference_pyld"] = reference_rates(seconds)
        suites[suite] = entry
        entry["ratios"] = ratios(entry)
    return {
        "benchmark": "crypto_proofs",
        "credential": str(RICH.relative_to(ROOT)),
        "credential_bytes": len(RICH.read_bytes()),
        "unit": "operations per CPU-second (one core)",
        "quick": quick,
        "suites": suites,
        "profile_rdfc_fast_path": profile_fast_path(seconds),
    }


def ratios(entry: dict[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for other in ("reference_pyld", "javascript"):
        if isinstance(entry.get(other), dict):
            for op in ("sign", "verify"):
                found[f"{op}_vs_{other}"] = round(entry["fast"][op] / entry[other][op], 1)
    return found


def _row(suite: str, label: str, sign: str, verify: str, note: str = "") -> str:
    return f"{suite:<17} {label:<16} {sign:>9} {verify:>9}   {note}".rstrip()


def table(results: dict[str, Any]) -> str:
    rows = [_row("suite", "path", "sign/s", "verify/s", "note")]
    for suite, entry in results["suites"].items():
        for path, label in (("fast", "microcred"), ("reference_pyld", "PyLD reference")):
            if path in entry:
                rates = entry[path]
                note = f"sign() with the document copy: {rates['sign_document']:.0f}/s"
                sign_rate, verify_rate = f"{rates['sign']:.0f}", f"{rates['verify']:.0f}"
                rows.append(_row(suite, label, sign_rate, verify_rate, note))
        js = entry["javascript"]
        if isinstance(js, dict):
            rows.append(_row(suite, "JS (DB stack)", f"{js['sign']:.0f}", f"{js['verify']:.0f}"))
        else:
            rows.append(_row(suite, "JS (DB stack)", "-", "-", js))
        if entry["ratios"]:
            pairs = ", ".join(f"{k} ×{v}" for k, v in entry["ratios"].items())
            rows.append(f"{'':<17} ratios: {pairs}")
    rows.append("where the rdfc fast path spends its time (sign + verify):")
    for bucket, share in results["profile_rdfc_fast_path"]["share_of_time"].items():
        rows.append(f"  {share:6.1%}  {bucket}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="0.6 CPU-seconds per figure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/crypto.json")
    args = parser.parse_args()
    results = run(quick=args.quick)
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(copy.deepcopy(results), indent=2) + "\n")


if __name__ == "__main__":
    main()
