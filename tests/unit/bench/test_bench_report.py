"""The one benchmark table and its JSON form (formatting only: no benchmark runs here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench import figures, report
from bench.report import Figure, Goal, Outcome, Reference

STARTED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
RDFC_SIGN = Figure(
    "crypto",
    "rdfc sign",
    1000.0,
    "/s/core",
    (Reference("PyLD", 40.0), Reference("JS (DB)", 200.0)),
)


def outcomes() -> list[Outcome]:
    return [
        Outcome("crypto_proofs", 12.0, [RDFC_SIGN]),
        Outcome(
            "issuer_throughput",
            3.0,
            error="local stack did not start:\n  no java",
            area="issuance",
        ),
    ]


def line_of(text: str, name: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(f"  {name} ")]
    return line


def test_a_figure_shows_each_reference_with_the_ratio_of_ours_to_it() -> None:
    lines = report.table(outcomes()).splitlines()
    row = lines.index(line_of(report.table(outcomes()), "rdfc sign"))

    assert lines[row - 1] == "CRYPTO"
    assert "1,000" in lines[row]
    assert "PyLD 40 " in lines[row]
    assert "×25.0" in lines[row]
    assert "JS (DB) 200" in lines[row + 1]
    assert "×5.0" in lines[row + 1]


def test_a_failed_benchmark_is_one_row_with_its_error_on_one_line() -> None:
    text = report.table(outcomes())

    failed = [line for line in text.splitlines() if "issuer_throughput: FAILED" in line]
    assert len(failed) == 1
    assert "local stack did not start: no java" in failed[0]


def test_a_figure_without_a_value_has_no_ratio() -> None:
    figure = Figure("crypto", "where the time goes", None, "", (Reference("PyLD", 1.0),))

    assert figure.ratio(figure.references[0]) is None
    assert "-" in line_of(report.table([Outcome("crypto_proofs", 1.0, [figure])]), figure.name)


def test_issue_18s_areas_come_first_in_its_order_and_a_failure_shows_in_its_area() -> None:
    text = report.table(outcomes())

    headings = [line for line in text.splitlines()[2:] if not line.startswith(" ")]
    assert headings == ["ISSUANCE", "CRYPTO"]
    below_issuance = text.splitlines()[text.splitlines().index("ISSUANCE") + 1]
    assert "issuer_throughput: FAILED" in below_issuance


def test_each_goal_is_shown_beside_the_figure_and_says_whether_it_is_reached() -> None:
    fast = Figure("issuance", "rate", 600.0, "cred/s", goal=Goal(500))
    slow = Figure("issuance", "cpu", 3.5, "ms", goal=Goal(2, at_most=True))
    missing = Figure("issuance", "gone", None, "/s", goal=Goal(1000))
    elsewhere = Figure("scale", "crash run", None, "", goal_text="< 10 min")
    text = report.table([Outcome("x", 1.0, [fast, slow, missing, elsewhere])])

    assert "≥ 500 reached" in line_of(text, "rate")
    assert "≤ 2 NOT REACHED" in line_of(text, "cpu")
    assert "≥ 1,000 no figure" in line_of(text, "gone")
    assert "< 10 min not run here" in line_of(text, "crash run")
    assert [f.reached for f in (fast, slow, missing)] == [True, False, None]
    assert Goal(0, at_most=True).reached(0) is True


def test_the_json_says_each_goal_and_whether_it_was_reached() -> None:
    figure = Figure("webhooks", "deliveries", 900.0, "/s", goal=Goal(1000))
    document = report.document([Outcome("n", 1.0, [figure])], quick=True, started=STARTED)

    [row] = document["figures"]
    assert (row["goal"], row["goal_reached"]) == ("≥ 1,000", False)


def test_the_json_holds_the_figures_with_ratios_and_each_benchmark_outcome() -> None:
    document = report.document(outcomes(), quick=True, started=STARTED, infrastructure="env")

    assert document["started_at"] == "2026-01-02T03:04:05+00:00"
    assert document["quick"] is True
    assert document["infrastructure"] == "env"
    [figure] = document["figures"]
    assert figure["value"] == 1000.0
    assert figure["references"] == [
        {"label": "PyLD", "value": 40.0, "ratio": 25.0},
        {"label": "JS (DB)", "value": 200.0, "ratio": 5.0},
    ]
    assert document["benchmarks"]["issuer_throughput"]["error"].startswith("local stack")
    assert document["benchmarks"]["crypto_proofs"]["error"] is None


def test_the_report_is_written_timestamped_and_as_latest(tmp_path: Path) -> None:
    document = report.document(outcomes(), quick=False, started=STARTED)

    written = report.write(document, tmp_path / "results", STARTED)

    assert written.name == "bench-20260102T030405.json"
    assert json.loads(written.read_text()) == document
    assert (tmp_path / "results/latest.json").read_text() == written.read_text()


def test_crypto_results_become_rows_beside_pyld_and_javascript() -> None:
    result = {
        "suites": {
            "eddsa-rdfc-2022": {
                "fast": {"sign": 1000.0, "verify": 900.0},
                "reference_pyld": {"sign": 40.0, "verify": 30.0},
                "javascript": {"sign": 150.0, "verify": 180.0},
            },
            "eddsa-jcs-2022": {
                "fast": {"sign": 3000.0, "verify": 2000.0},
                "javascript": "skipped: node is not installed",
            },
        },
        "profile_rdfc_fast_path": {"share_of_time": {"expansion": 0.5, "rdfc": 0.3}},
    }

    rows = figures.crypto(result)

    by_name = {row.name: row for row in rows}
    assert [r.label for r in by_name["rdfc verify"].references] == ["PyLD", "JS (DB)"]
    assert by_name["jcs sign"].references == ()
    assert by_name["jcs sign"].note == "skipped: node is not installed"
    assert by_name["rdfc time goes to"].note == "50% expansion, 30% rdfc"


def test_issuance_with_the_fast_path_is_shown_beside_the_same_run_on_the_pyld_path() -> None:
    def end_to_end(suite: str, path: str, rate: float) -> dict[str, object]:
        return {"suite": suite, "canonicaliser": path, "credentials_per_second": rate,
                "cpu_ms_per_credential": 120.0 / rate, "issued": 40, "completions": 40,
                "p50_latency_ms": 9.0, "p99_latency_ms": 30.0}  # fmt: skip

    def signing(suite: str, path: str, rate: float) -> dict[str, object]:
        return {"suite": suite, "canonicaliser": path, "signs_per_second_per_core": rate,
                "credential_bytes": 7000}  # fmt: skip

    result = {
        "end_to_end": [
            end_to_end("eddsa-rdfc-2022", "fast", 120.0),
            end_to_end("eddsa-rdfc-2022", "reference", 30.0),
            end_to_end("eddsa-jcs-2022", "fast", 200.0),
        ],
        "signing": [
            signing("eddsa-rdfc-2022", "fast", 900.0),
            signing("eddsa-jcs-2022", "fast", 2500.0),
            signing("eddsa-rdfc-2022", "reference", 45.0),
        ],
    }

    rows = {row.name: row for row in figures.issuer(result)}

    assert sorted(rows) == [
        "jcs CPU per issued credential",
        "jcs build + sign one credential",
        "jcs end to end (Kafka+DB)",
        "rdfc CPU per issued credential",
        "rdfc build + sign one credential",
        "rdfc end to end (Kafka+DB)",
    ]
    [end_reference] = rows["rdfc end to end (Kafka+DB)"].references
    assert (end_reference.label, end_reference.value) == ("PyLD path", 30.0)
    assert rows["rdfc end to end (Kafka+DB)"].ratio(end_reference) == 4.0
    assert rows["rdfc build + sign one credential"].references[0].value == 45.0
    assert rows["jcs end to end (Kafka+DB)"].references == ()
    cpu = rows["rdfc CPU per issued credential"]
    assert (cpu.value, cpu.references[0].value) == (1.0, 4.0)
    assert cpu.ratio(cpu.references[0]) == 4.0  # a quarter of the CPU: four times better


def cohort_result(**changes: object) -> dict[str, object]:
    return {
        "rows": 200, "seconds_to_last_webhook": 20.0, "credentials_per_second": 10.0,
        "seconds_to_upload_answer": 19.0, "webhooks_verified": 201, "webhooks_rejected": 0,
        "duplicate_webhook_ids": 0, "duplicate_credential_ids": 1, "losses": 0,
        "issuer_cpu_ms_per_credential": 15.0, "notifier_cpu_ms_per_webhook": 9.0, **changes,
    }  # fmt: skip


def test_the_cohort_figure_is_issuance_measured_from_outside_with_duplicates_counted() -> None:
    rate, cpu, faults = figures.cohort(cohort_result())

    assert (rate.area, rate.value, rate.reached) == ("issuance", 10.0, False)
    assert "200" in rate.name
    assert (cpu.value, cpu.reached) == (15.0, False)
    assert (faults.value, faults.reached) == (1, False)
    assert "201 verified by standardwebhooks" in faults.note
    clean = figures.cohort(cohort_result(duplicate_credential_ids=0))[2]
    assert clean.reached is True


def test_offline_verification_of_digital_bazaar_credentials_or_why_there_is_none() -> None:
    result = {
        "suites": {
            "eddsa-rdfc-2022": {
                "microcred": {"full_checks_per_cpu_second": 1200.0},
                "digital_bazaar": {"full_checks_per_cpu_second": 800.0},
                "javascript": {"sign": 70.0, "verify": 90.0},
            },
            "eddsa-jcs-2022": {
                "microcred": {"full_checks_per_cpu_second": 1100.0},
                "digital_bazaar": "reference not installed: run make install-interop",
                "javascript": "reference not installed: run make install-interop",
            },
        }
    }

    rows = {row.name: row for row in figures.offline(result)}

    ours, theirs = (
        rows["rdfc microcred verify, our credential"],
        rows["rdfc microcred verify, DB-signed credential"],
    )
    assert (ours.reached, theirs.reached) == (True, False)
    assert theirs.references[0].value == 90.0
    missing = rows["jcs microcred verify, DB-signed credential"]
    assert (missing.value, missing.reached, missing.references) == (None, None, ())
    assert missing.note == "reference not installed: run make install-interop"


def test_the_webhook_goal_is_judged_through_the_database_only() -> None:
    def store(rate: float) -> dict[str, object]:
        run = {"deliveries_per_second": rate, "p99_arrival_ms": 5.0, "events": 40}
        return {"fast_receiver_alone": run, "fast_receiver_beside_a_dead_one": run,
                "delay_added_by_dead_receiver_ms": {"total": 3.0}}  # fmt: skip

    rows = figures.notifier({"stores": {"memory": store(500.0), "mongodb": store(1500.0)}})

    assert [(row.goal is not None, row.reached) for row in rows] == [
        (False, None), (False, None), (True, True), (True, True),
    ]  # fmt: skip


def test_post_verify_has_a_rate_goal_and_a_p99_goal() -> None:
    result = {
        "suites": {"eddsa-rdfc-2022": {"full_checks_per_s": 90.0, "proof_only_per_s": 900.0}},
        "http": {"eddsa-rdfc-2022": {"concurrency": 8, "per_second": 600.0, "p50_ms": 9.0,
                                     "p99_ms": 70.0}},
    }  # fmt: skip

    http = [row for row in figures.verifier(result) if row.area == "verification HTTP"]

    assert [(row.unit, row.reached) for row in http] == [("req/s", True), ("ms", False)]


def test_live_post_verify_is_judged_on_the_served_process_beside_the_database_backed_one() -> None:
    run = {"concurrency": 8, "requests": 400, "p50_ms": 20.0, "server_cpu_ms": 2.0}
    result = {
        "suites": {},
        "http": {},
        "live": {
            "runs": {
                "in memory": {**run, "per_second": 520.0, "p99_ms": 45.0},
                "database-backed": {**run, "per_second": 25.0, "p99_ms": 800.0},
            }
        },
    }

    [rate, p99] = figures.verifier(result)

    assert (rate.name, rate.value, rate.reached) == (
        "live POST /verify, verifier process",
        520.0,
        True,
    )
    assert [(r.label, r.value) for r in rate.references] == [("database-backed", 25.0)]
    assert (p99.value, p99.reached) == (45.0, True)


def test_a_replica_per_core_is_judged_beside_one_process() -> None:
    run = {"concurrency": 8, "requests": 400, "p50_ms": 9.0, "server_cpu_ms": 2.4}
    result = {
        "suites": {},
        "http": {},
        "live": {
            "runs": {
                "in memory": {**run, "per_second": 370.0, "p99_ms": 25.0},
                "in memory, a replica per core": {
                    **run,
                    "replicas": 2,
                    "per_second": 680.0,
                    "p99_ms": 30.0,
                },
            }
        },
    }

    [one, _, replicas, p99] = figures.verifier(result)

    assert (one.value, one.reached) == (370.0, False)
    assert (replicas.name, replicas.value, replicas.reached) == (
        "live POST /verify, a replica per core",
        680.0,
        True,
    )
    assert [(r.label, r.value) for r in replicas.references] == [("one process", 370.0)]
    assert (p99.name, p99.reached) == ("live POST /verify p99, a replica per core", True)
