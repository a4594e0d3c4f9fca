"""The offline CLI: ``microcred keys new``, ``sign`` and ``verify`` (exit codes 0 / 1 / 2)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from crypto_data import ONEEDTECH, RICH, W3C, load
from microcred_verifier.domain.model import Verdict
from typer.testing import CliRunner

from microcred.cli import app
from microcred.commands.verify import exit_code

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "issuer.key.json"
    result = runner.invoke(app, ["keys", "new", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def credential_file(tmp_path: Path, key_file: Path) -> Path:
    credential = load(RICH)
    credential["issuer"]["id"] = load(key_file)["controller"]
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential), "utf-8")
    return path


def _sign(credential_file: Path, key_file: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["sign", "--key", str(key_file), *extra, str(credential_file)])
    assert result.exit_code == 0, result.output
    signed: dict[str, Any] = json.loads(result.stdout)
    return signed


def test_keys_new_writes_a_private_multikey_file(key_file: Path) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    doc = load(key_file)
    assert doc["@context"] == "https://w3id.org/security/multikey/v1"
    assert doc["type"] == "Multikey"
    assert doc["controller"].startswith("did:key:z6Mk")
    assert doc["id"] == f"{doc['controller']}#{doc['publicKeyMultibase']}"
    assert doc["publicKeyMultibase"].startswith("z6Mk")
    assert doc["secretKeyMultibase"].startswith("z")


def test_keys_new_refuses_to_overwrite_without_force(key_file: Path) -> None:
    before = key_file.read_text()
    result = runner.invoke(app, ["keys", "new", "--out", str(key_file)])
    assert result.exit_code == 2
    assert "exists" in result.output
    assert key_file.read_text() == before
    assert runner.invoke(app, ["keys", "new", "--out", str(key_file), "--force"]).exit_code == 0
    assert key_file.read_text() != before


def test_keys_new_prints_to_stdout_and_takes_a_controller() -> None:
    result = runner.invoke(app, ["keys", "new", "--controller", "did:web:example.com"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["controller"] == "did:web:example.com"
    assert doc["id"].startswith("did:web:example.com#z6Mk")


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_sign_then_verify(
    tmp_path: Path, credential_file: Path, key_file: Path, suite: str
) -> None:
    signed = _sign(credential_file, key_file, "--suite", suite)
    assert signed["proof"]["cryptosuite"] == suite
    assert signed["proof"]["verificationMethod"] == load(key_file)["id"]
    out = tmp_path / "signed.json"
    out.write_text(json.dumps(signed), "utf-8")
    result = runner.invoke(app, ["verify", str(out)])
    # Authentic, but offline its self-made did:key issuer is not known to be a provider.
    assert result.exit_code == 2, result.output
    assert f"{out}: UNKNOWN" in result.output
    assert "✓ Signatures: 1 proof(s) verified" in result.output


def test_sign_refuses_an_issuer_that_is_not_the_keys_controller(
    tmp_path: Path, key_file: Path
) -> None:
    result = runner.invoke(app, ["sign", "--key", str(key_file), str(RICH)])
    assert result.exit_code == 2
    assert "is not the key's controller" in result.output
    assert result.stdout == ""
    as_string = load(RICH) | {"issuer": "did:key:z6MkhWqdDBPojHA7cprTGTt5yHv5yUi1B8cnXn8ReLumkw6E"}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(as_string), "utf-8")
    assert runner.invoke(app, ["sign", "--key", str(key_file), str(path)]).exit_code == 2


def test_sign_accepts_an_issuer_given_as_a_string(tmp_path: Path, key_file: Path) -> None:
    credential = load(RICH) | {"issuer": load(key_file)["controller"]}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(credential), "utf-8")
    assert _sign(path, key_file)["issuer"] == credential["issuer"]


def test_sign_usage_errors(tmp_path: Path, credential_file: Path, key_file: Path) -> None:
    public_only = tmp_path / "public.json"
    doc = load(key_file)
    del doc["secretKeyMultibase"]
    public_only.write_text(json.dumps(doc), "utf-8")
    result = runner.invoke(app, ["sign", "--key", str(public_only), str(credential_file)])
    assert result.exit_code == 2
    assert "holds a public key only; cannot sign" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", "utf-8")
    assert runner.invoke(app, ["sign", "--key", str(key_file), str(broken)]).exit_code == 2
    assert runner.invoke(app, ["sign", "--key", str(broken), str(credential_file)]).exit_code == 2
    suite = ["--suite", "Ed25519Signature2020"]
    assert (
        runner.invoke(app, ["sign", "--key", str(key_file), *suite, str(credential_file)]).exit_code
        == 2
    )
    assert runner.invoke(app, ["sign", str(credential_file)]).exit_code == 2  # no --key


def test_verify_reports_each_file_and_fails_when_any_fails(
    tmp_path: Path, credential_file: Path, key_file: Path
) -> None:
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    signed = _sign(credential_file, key_file)
    good.write_text(json.dumps(signed), "utf-8")
    signed["credentialSubject"]["achievement"]["name"] += "!"
    bad.write_text(json.dumps(signed), "utf-8")
    result = runner.invoke(app, ["verify", "--json", str(good), str(bad)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["authentic"], r["verdict"]) for r in lines] == [
        (str(good), True, "unknown"),
        (str(bad), False, "not_verified"),
    ]
    assert [r["verified"] for r in lines] == [False, False]  # offline, never verified
    assert lines[1]["proofs"][0]["status"] == "failed"
    assert "signature does not match" in lines[1]["proofs"][0]["reason"]
    assert lines[0]["proofs"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_w3c_vectors_pass_the_proof_check_offline() -> None:
    # Their issuer (https://vc.example/issuers/5678) is not the did:key that signed them, so the
    # full verifier refuses them (exit 1) while every proof itself verifies.
    files = [
        W3C / "eddsa-rdfc-2022" / "signedDataInt.json",
        W3C / "eddsa-jcs-2022" / "signedJCS.json",
        W3C / "proof-set-chain" / "signedProofChain2.json",
    ]
    result = runner.invoke(app, ["verify", "--json", *map(str, files)])
    assert result.exit_code == 1
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outcomes) == len(files)
    for outcome in outcomes:
        assert outcome["proofs"], outcome
        assert all(proof["ok"] for proof in outcome["proofs"]), outcome["proofs"]


def test_verify_with_keys_for_https_verification_methods() -> None:
    simple = str(ONEEDTECH / "simple.json")
    without = runner.invoke(app, ["verify", "--json", simple])
    assert without.exit_code == 1
    assert "not resolved" in json.loads(without.stdout)["reason"]
    with_keys = runner.invoke(
        app, ["verify", "--json", "--keys", str(ONEEDTECH / "keys.json"), simple]
    )
    assert with_keys.exit_code == 2, with_keys.output
    assert json.loads(with_keys.stdout)["authentic"] is True


def test_verify_treats_unreadable_content_as_not_verified(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    result = runner.invoke(app, ["verify", "--json", str(broken)])
    assert result.exit_code == 1
    assert "not valid JSON" in json.loads(result.stdout)["reason"]


def test_verify_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["verify"]).exit_code == 2
    assert runner.invoke(app, ["verify", str(tmp_path / "missing.json")]).exit_code == 2
    bad_keys = tmp_path / "keys.json"
    bad_keys.write_text(json.dumps({"not": 1}), "utf-8")
    result = runner.invoke(app, ["verify", "--keys", str(bad_keys), str(RICH)])
    assert result.exit_code == 2


def test_verify_offline_lists_the_checks_it_could_not_make_and_exits_2(
    tmp_path: Path, credential_file: Path, key_file: Path
) -> None:
    path = tmp_path / "signed.json"
    path.write_text(json.dumps(_sign(credential_file, key_file)), "utf-8")
    human = runner.invoke(app, ["verify", str(path)])
    as_json = runner.invoke(app, ["verify", "--json", str(path)])
    assert human.exit_code == as_json.exit_code == 2
    outcome = json.loads(as_json.stdout)
    assert outcome["verdict"] == "unknown"
    assert outcome["headline"].startswith("Authentic signature, but ")
    assert not outcome["headline"].startswith("Verified")
    assert [(c["name"], c["reason"][:9]) for c in outcome["not_checked"]] == [
        ("issuer_trust", "offline: "),
        ("entitlement", "offline: "),
    ]
    below = human.output.split("Could not check:")[1]
    assert "Issuer trust: offline: there is no provider registry" in below
    assert "Issuer entitled to this achievement: offline:" in below


def test_verify_offline_says_a_did_web_issuers_key_could_not_be_checked_without_keys(
    tmp_path: Path,
) -> None:
    did = "did:web:badges.example.org:issuers:7"
    key_path = tmp_path / "web.key.json"
    runner.invoke(app, ["keys", "new", "--controller", did, "--out", str(key_path)])
    credential = load(RICH)
    credential["issuer"]["id"] = did
    unsigned = tmp_path / "c.json"
    unsigned.write_text(json.dumps(credential), "utf-8")
    signed = tmp_path / "signed.json"
    signed.write_text(json.dumps(_sign(unsigned, key_path)), "utf-8")
    public = tmp_path / "did.json"
    public.write_text(
        json.dumps({k: v for k, v in load(key_path).items() if k != "secretKeyMultibase"}),
        "utf-8",
    )

    without = runner.invoke(app, ["verify", "--json", str(signed)])
    with_keys = runner.invoke(app, ["verify", "--json", "--keys", str(public), str(signed)])

    assert without.exit_code == 2
    outcome = json.loads(without.stdout)
    assert outcome["verdict"] == "unknown"  # never "not verified" for a document not had
    assert outcome["headline"].startswith("Unknown: the signature could not be checked")
    assert "give it with --keys" in outcome["not_checked"][0]["reason"]
    assert with_keys.exit_code == 2
    assert json.loads(with_keys.stdout)["authentic"] is True


def test_verify_exits_1_when_any_file_is_not_verified_else_2_when_any_is_unknown() -> None:
    assert exit_code([Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS]) == 0
    assert exit_code([Verdict.VERIFIED, Verdict.UNKNOWN]) == 2
    assert exit_code([Verdict.UNKNOWN, Verdict.NOT_VERIFIED, Verdict.VERIFIED]) == 1
