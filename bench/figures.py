"""From each benchmark script's JSON result to the rows of the one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.report import Figure, Goal, Reference

PER_CORE = "/s/core"
RDFC = "eddsa-rdfc-2022"

# Issue 18's goals on this 2-core machine.
ISSUANCE_RATE = Goal(500)  # credentials/s end to end
ISSUER_CPU_MS = Goal(2, at_most=True)  # issuer CPU per credential
OFFLINE_RATE = Goal(1000)  # full offline checks per core
HTTP_RATE, HTTP_P99_MS = Goal(500), Goal(50, at_most=True)  # POST /verify, 8 clients
WEBHOOK_RATE = Goal(1000)  # deliveries/s through the database
NONE = Goal(0, at_most=True)  # duplicates, losses

# The crash run is a test suite of its own (minutes to hours), not part of the bench.
SCALE = Figure(
    "scale",
    "100,000 completions with crashes",
    None,
    "",
    goal_text="< 10 min",
    note="make test-reliability-scale (not part of make bench); 0 duplicates, 0 losses",
)


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
        offline = "verification offline"
        rows += [
            Figure(
                offline,
                f"{name} verify_credential in-process",
                figures["full_checks_per_s"],
                "/s",
                note="wall clock, no file read",
            ),
            Figure(offline, f"{name} proof check alone", figures["proof_only_per_s"], "/s"),
            Figure(
                "verification HTTP",
                f"{name} POST /verify ({http['concurrency']} concurrent)",
                http["per_second"],
                "req/s",
                note=f"p50 {http['p50_ms']:.1f} ms",
                goal=HTTP_RATE,
            ),
            Figure(
                "verification HTTP",
                f"{name} POST /verify p99",
                http["p99_ms"],
                "ms",
                goal=HTTP_P99_MS,
            ),
        ]
    return rows + _live(result.get("live"))


def _live(live: dict[str, Any] | None) -> list[Figure]:
    """POST /verify against the verifier running as its own process on knowledge published
    to Kafka: the service as it runs (in memory) beside the database-backed projection."""
    if not live:
        return []
    served, database = live["runs"].get("in memory"), live["runs"].get("database-backed")
    if served is None:
        return []
    reference = (Reference("database-backed", database["per_second"]),) if database else ()
    note = (
        f"{served['concurrency']} clients; p50 {served['p50_ms']:.0f} ms; "
        f"{served['server_cpu_ms']:.1f} ms verifier CPU per request"
    )
    rows = [
        Figure(
            "verification HTTP",
            "live POST /verify, verifier process",
            served["per_second"],
            "req/s",
            references=reference,
            note=note,
            goal=HTTP_RATE,
        ),
        Figure(
            "verification HTTP",
            "live POST /verify p99",
            served["p99_ms"],
            "ms",
            goal=HTTP_P99_MS,
        ),
    ]
    return rows + _replicas(live["runs"].get(REPLICA_PER_CORE), served)


REPLICA_PER_CORE = "in memory, a replica per core"


def _replicas(run: dict[str, Any] | None, one: dict[str, Any]) -> list[Figure]:
    """The deployment the README states: a verifier process per core, clients spread over them."""
    if run is None:
        return []
    note = f"{run['replicas']} processes; {run['server_cpu_ms']:.1f} ms verifier CPU per request"
    return [
        Figure(
            "verification HTTP",
            "live POST /verify, a replica per core",
            run["per_second"],
            "req/s",
            references=(Reference("one process", one["per_second"]),),
            note=note,
            goal=HTTP_RATE,
        ),
        Figure(
            "verification HTTP",
            "live POST /verify p99, a replica per core",
            run["p99_ms"],
            "ms",
            goal=HTTP_P99_MS,
        ),
    ]


def _digital_bazaar(entry: dict[str, Any]) -> tuple[Reference, ...]:
    """Digital Bazaar's verification of the same credential: the proof alone (it checks no
    schema and no OB 3.0 rule), so a lighter task than ours."""
    javascript = entry.get("javascript")
    if not isinstance(javascript, dict):
        return ()
    return (Reference("DB proof check", javascript["verify"]),)


def offline(result: dict[str, Any]) -> list[Figure]:
    """The full ``microcred verify`` on our credential and on Digital Bazaar's signing of it."""
    rows = []
    for suite, entry in result["suites"].items():
        for signer, label in (("microcred", "our"), ("digital_bazaar", "DB-signed")):
            measured = entry[signer]
            value = measured["full_checks_per_cpu_second"] if isinstance(measured, dict) else None
            rows.append(
                Figure(
                    "verification offline",
                    f"{_short(suite)} microcred verify, {label} credential",
                    value,
                    PER_CORE,
                    _digital_bazaar(entry),
                    note="" if isinstance(measured, dict) else str(measured),
                    goal=OFFLINE_RATE,
                )
            )
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
                "issuance",
                f"{_short(row['suite'])} end to end (Kafka+DB)",
                row["credentials_per_second"],
                "cred/s",
                _pyld_reference(end_to_end, row["suite"], "credentials_per_second"),
                note=f"{row['issued']}/{row['completions']} issued; "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
                goal=ISSUANCE_RATE,
            )
        )
        if "cpu_ms_per_credential" in row:
            rows.append(
                Figure(
                    "issuance",
                    f"{_short(row['suite'])} CPU per issued credential",
                    row["cpu_ms_per_credential"],
                    "ms",
                    _pyld_reference(end_to_end, row["suite"], "cpu_ms_per_credential"),
                    note="in-process issuer, end to end",
                    goal=ISSUER_CPU_MS,
                )
            )
    for row in _fast(signing):
        rows.append(
            Figure(
                "issuance",
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
        # The goal is through the database; the in-memory store is the parts' figure.
        goal = WEBHOOK_RATE if store == "mongodb" else None
        rows.append(
            Figure(
                "webhooks",
                f"deliveries ({store} store)",
                alone["deliveries_per_second"],
                "/s",
                note=f"p99 arrival {alone['p99_arrival_ms']:.0f} ms; {alone['events']} events",
                goal=goal,
            )
        )
        rows.append(
            Figure(
                "webhooks",
                f"  beside one dead receiver ({store})",
                beside["deliveries_per_second"],
                "/s",
                note=f"{added:.0f} ms added by the dead receiver",
                goal=goal,
            )
        )
    return rows


def cohort(result: dict[str, Any]) -> list[Figure]:
    """Issuance measured from outside: cohort upload → every signed webhook at a receiver."""
    duplicates = result["duplicate_webhook_ids"] + result["duplicate_credential_ids"]
    cpu = result["issuer_cpu_ms_per_credential"]
    notifier_cpu = result["notifier_cpu_ms_per_webhook"]
    return [
        Figure(
            "issuance",
            f"cohort CSV of {result['rows']:,} → all signed webhooks",
            result["credentials_per_second"],
            "cred/s",
            note=f"{result['seconds_to_last_webhook']:.1f} s upload → last webhook; "
            f"upload answered in {result['seconds_to_upload_answer']:.1f} s",
            goal=ISSUANCE_RATE,
        ),
        Figure(
            "issuance",
            "  issuer process CPU per credential",
            cpu,
            "ms",
            note="/proc, whole process"
            + ("" if notifier_cpu is None else f"; notifier {notifier_cpu:.1f} ms per webhook"),
            goal=ISSUER_CPU_MS,
        ),
        *_cpu_budget(result),
        Figure(
            "issuance",
            "  webhooks duplicated, lost or refused",
            duplicates + result["losses"] + result["webhooks_rejected"],
            "",
            note=f"{result['webhooks_verified']:,} verified by standardwebhooks; duplicates "
            f"{result['duplicate_webhook_ids']} by webhook-id, "
            f"{result['duplicate_credential_ids']} by credential; {result['losses']} lost; "
            f"{result['webhooks_rejected']} refused",
            goal=NONE,
        ),
    ]


def _cpu_budget(result: dict[str, Any]) -> list[Figure]:
    """Every process's CPU per credential and the rate the cores allow at that cost: what bounds
    the path on this machine when the processes together keep every core busy."""
    if "total_cpu_ms_per_credential" not in result:
        return []
    shares = ", ".join(
        f"{name} {ms:.2f}" for name, ms in result["cpu_ms_per_credential"].items() if ms >= 0.05
    )
    return [
        Figure(
            "issuance",
            "  CPU per credential, every process",
            result["total_cpu_ms_per_credential"],
            "ms",
            note=f"{shares} ms; {result['cores']} cores allow "
            f"{result['ceiling_credentials_per_second']:,.0f} cred/s at this cost",
        )
    ]


def relay(result: dict[str, Any]) -> list[Figure]:
    """The outbox relay draining documents stored with two events each, beside the relay it
    replaced, alternating in the same run."""
    rows = result["rows"]
    ours = [row for row in rows if not row["relay"].startswith("one at a time")]
    before = [row for row in rows if row["relay"].startswith("one at a time")]
    if not ours:
        return []
    best = max(ours, key=lambda row: row["events_per_second"])
    references = (
        (Reference("one at a time", max(row["events_per_second"] for row in before)),)
        if before
        else ()
    )
    return [
        Figure(
            "issuance",
            f"outbox relay, {best['documents']:,} documents × 2 events",
            best["events_per_second"],
            "events/s",
            references,
            note=f"{best['database_commands_per_document']:.2f} database commands per document",
        )
    ]


EXTRACTORS: dict[str, Callable[[dict[str, Any]], list[Figure]]] = {
    "crypto_proofs": crypto,
    "verifier_throughput": verifier,
    "offline_verification": offline,
    "ecosystem_cohort": cohort,
    "issuer_throughput": issuer,
    "catalogue_search": catalogue,
    "notifier_delivery": notifier,
    "outbox_relay": relay,
}
