"""From each benchmark script's JSON result to the rows of the one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.report import Figure, Reference

PER_CORE = "/s/core"
RDFC = "eddsa-rdfc-2022"


def _short(suite: str) -> str:
    return suite.removeprefix("eddsa-").removesuffix("-2022")


def crypto(result: dict[str, Any]) -> list[Figure]:
    rows = []
    for suite, entry in result["suites"].items():
        for op in ("sign", "verify"):
            references = []
            if isinstance(entry.get("reference_pyld"), dict):
                references.append(Reference("PyLD", entry["reference_pyld"][op]))
            if isinstance(entry.get("javascript"), dict):
                references.append(Reference("JS (DB)", entry["javascript"][op]))
            note = "" if isinstance(entry.get("javascript"), dict) else str(entry.get("javascript"))
            rows.append(
                Figure(
                    "crypto",
                    f"{_short(suite)} {op}",
                    entry["fast"][op],
                    PER_CORE,
                    tuple(references),
                    note,
                )
            )
    shares = result.get("profile_rdfc_fast_path", {}).get("share_of_time", {})
    if shares:
        top = sorted(shares.items(), key=lambda item: -item[1])[:3]
        where = ", ".join(f"{share:.0%} {bucket.split(' (')[0]}" for bucket, share in top)
        rows.append(Figure("crypto", "rdfc time goes to", None, "", (), where))
    return rows


def verifier(result: dict[str, Any]) -> list[Figure]:
    rows = []
    for suite, figures in result["suites"].items():
        http = result["http"][suite]
        name = _short(suite)
        rows += [
            Figure("verifier", f"{name} full offline check", figures["full_checks_per_s"], "/s"),
            Figure("verifier", f"{name} proof check alone", figures["proof_only_per_s"], "/s"),
            Figure(
                "verifier",
                f"{name} POST /verify ({http['concurrency']} concurrent)",
                http["per_second"],
                "req/s",
                note=f"p50 {http['p50_ms']:.1f} ms, p99 {http['p99_ms']:.1f} ms",
            ),
        ]
    return rows


def _pyld_reference(rows: list[dict[str, Any]], suite: str, key: str) -> tuple[Reference, ...]:
    """The same measurement with the PyLD reference canonicaliser, when the run made one."""
    found = [r for r in rows if r["suite"] == suite and r.get("canonicaliser") == "reference"]
    return (Reference("PyLD path", found[0][key]),) if found else ()


def _fast(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("canonicaliser", "fast") == "fast"]


def issuer(result: dict[str, Any]) -> list[Figure]:
    rows = []
    end_to_end, signing = result["end_to_end"], result["signing"]
    for row in _fast(end_to_end):
        p50, p99 = row["p50_latency_ms"] or 0.0, row["p99_latency_ms"] or 0.0
        rows.append(
            Figure(
                "issuer",
                f"{_short(row['suite'])} end to end (Kafka+DB)",
                row["credentials_per_second"],
                "cred/s",
                _pyld_reference(end_to_end, row["suite"], "credentials_per_second"),
                note=f"{row['issued']}/{row['completions']} issued; "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
            )
        )
        if "cpu_ms_per_credential" in row:
            rows.append(
                Figure(
                    "issuer",
                    f"{_short(row['suite'])} CPU per issued credential",
                    row["cpu_ms_per_credential"],
                    "ms",
                    _pyld_reference(end_to_end, row["suite"], "cpu_ms_per_credential"),
                    note="issuer process, end to end",
                )
            )
    for row in _fast(signing):
        rows.append(
            Figure(
                "issuer",
                f"{_short(row['suite'])} build + sign one credential",
                row["signs_per_second_per_core"],
                PER_CORE,
                _pyld_reference(signing, row["suite"], "signs_per_second_per_core"),
                note=f"{row['credential_bytes']} bytes",
            )
        )
    return rows


def catalogue(result: dict[str, Any]) -> list[Figure]:
    count = result["achievements"]
    rows = []
    for label, row in result["queries"].items():
        rows.append(
            Figure(
                "catalogue",
                f"search p50: {label}",
                row["p50_ms"],
                "ms",
                note=f"p99 {row['p99_ms']:.2f} ms; {count:,} achievements",
            )
        )
    return rows


def notifier(result: dict[str, Any]) -> list[Figure]:
    rows = []
    for store, figures in result["stores"].items():
        alone = figures["fast_receiver_alone"]
        beside = figures["fast_receiver_beside_a_dead_one"]
        added = figures["delay_added_by_dead_receiver_ms"]["total"]
        rows.append(
            Figure(
                "notifier",
                f"webhook deliveries ({store} store)",
                alone["deliveries_per_second"],
                "/s",
                note=f"p99 arrival {alone['p99_arrival_ms']:.0f} ms; {alone['events']} events",
            )
        )
        rows.append(
            Figure(
                "notifier",
                f"  beside one dead receiver ({store})",
                beside["deliveries_per_second"],
                "/s",
                note=f"{added:.0f} ms added by the dead receiver",
            )
        )
    return rows


EXTRACTORS: dict[str, Callable[[dict[str, Any]], list[Figure]]] = {
    "crypto_proofs": crypto,
    "verifier_throughput": verifier,
    "issuer_throughput": issuer,
    "catalogue_search": catalogue,
    "notifier_delivery": notifier,
}
