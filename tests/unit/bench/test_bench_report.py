"""The one benchmark table and its JSON form (formatting only: no benchmark runs here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench import figures, report
from bench.report import Figure, Outcome, Reference

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
        Outcome("issuer_throughput", 3.0, error="local stack did not start:\n  no java"),
    ]


def test_a_figure_shows_each_reference_with_the_ratio_of_ours_to_it() -> None:
    lines = report.table(outcomes()).splitlines()

    assert "crypto: rdfc sign" in lines[2]
    assert "1,000" in lines[2]
    assert "PyLD 40.0" in lines[2]
    assert "×25.0" in lines[2]
    assert "JS (DB) 200" in lines[3]
    assert "×5.0" in lines[3]


def test_a_failed_benchmark_is_one_row_with_its_error_on_one_line() -> None:
    text = report.table(outcomes())

    failed = [line for line in text.splitlines() if "issuer_throughput: FAILED" in line]
    assert len(failed) == 1
    assert "local stack did not start: no java" in failed[0]


def test_a_figure_without_a_value_has_no_ratio() -> None:
    figure = Figure("crypto", "where the time goes", None, "", (Reference("PyLD", 1.0),))

    assert figure.ratio(figure.references[0]) is None
    assert "-" in report.table([Outcome("crypto_proofs", 1.0, [figure])]).splitlines()[2]


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
