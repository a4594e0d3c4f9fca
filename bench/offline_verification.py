"""Offline verification benchmark: the full ``microcred verify`` check (the CLI's own
``check_file``: read, parse, schema, every term defined, proofs, dates) per CPU-second on one
rich OB 3.0 credential signed by us and the same credential signed by Digital Bazaar's
implementation (``tests/interop/js/di.mjs``, where ``make install-interop`` installed it), with
Digital Bazaar's own verification of it as the same-run reference.

    uv run python -m bench.offline_verification [--quick] [--out bench/results/offline.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.crypto.dates import utc_now
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import Freshness

from bench.crypto_proofs import JS, js_rates, per_cpu_second
from microcred.commands.verify import build_keys, build_loader, check_file

ROOT = Path(__file__).resolve().parents[1]
RICH = ROOT / "tests/data/credentials/rich-openbadge.json"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
OURS, THEIRS = "microcred", "digital_bazaar"


def unsigned(key: Ed25519Multikey) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(RICH.read_text("utf-8"))
    document.pop("proof", None)
    document["issuer"]["id"] = key.controller
    return document


def js_missing() -> str | None:
    if shutil.which("node") is None:
        return "reference not installed: node is missing"
    if not (JS / "node_modules").is_dir():
        return "reference not installed: run make install-interop"
    return None


def signed_by_digital_bazaar(document: dict[str, Any], key: Ed25519Multikey, suite: str) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        key_file, doc_file = Path(folder, "key.json"), Path(folder, "credential.json")
        key_file.write_text(json.dumps(key.to_document(include_secret=True)))
        doc_file.write_text(json.dumps(document))
        command = ["node", str(JS / "di.mjs"), "sign", "--key", str(key_file)]
        run = subprocess.run(
            [*command, "--suite", suite, str(doc_file)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return json.loads(run.stdout)


def full_check_rate(signed: Any, folder: Path, seconds: float) -> dict[str, Any]:
    """Checks per CPU-second of what ``microcred verify FILE`` does for one file."""
    path = folder / "credential.json"
    path.write_text(json.dumps(signed, ensure_ascii=False))
    keys = build_keys([])
    # As verify_command builds it.
    knowledge = Knowledge(
        resolver=keys.resolver,
        keys_freshness=Freshness("did:key and --keys files"),
        loader=build_loader(None),
    )
    now = utc_now()
    outcome = check_file(path, keys, knowledge, now)
    if not outcome["authentic"]:
        # A rate of failing checks would measure the wrong thing.
        raise RuntimeError(f"the benchmark credential is not authentic: {outcome['reason']}")
    rate = per_cpu_second(lambda: check_file(path, keys, knowledge, now), seconds)
    return {"full_checks_per_cpu_second": rate, "verdict": outcome["verdict"]}


def run(seconds: float) -> dict[str, Any]:
    key = Ed25519Multikey.from_seed(bytes(range(32)))
    document = unsigned(key)
    missing = js_missing()
    suites: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for suite in SUITES:
            entry: dict[str, Any] = {
                OURS: full_check_rate(sign(document, key, suite=suite), Path(folder), seconds)
            }
            if missing:
                entry[THEIRS] = entry["javascript"] = missing
            else:
                theirs = signed_by_digital_bazaar(document, key, suite)
                entry[THEIRS] = full_check_rate(theirs, Path(folder), seconds)
                entry["javascript"] = js_rates(suite, seconds)
            suites[suite] = entry
    return {"benchmark": "offline_verification", "credential": RICH.name, "suites": suites}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="about 2 s per figure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/offline.json")
    args = parser.parse_args()
    result = run(2.0 if args.quick else 8.0)
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
