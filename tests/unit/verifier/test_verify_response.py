"""The API's answer is the report the offline CLI prints, plus the link that re-runs it: one
mapping of a report, whatever the verdict."""

from __future__ import annotations

import pytest
from conftest import offline_knowledge, registered_knowledge
from microcred_verifier.entrypoints.schemas import VerifyResponse
from microcred_verifier.service_layer.intake import present

from tests.unit.verifier.test_verdicts_say_what_is_known import credential, verify


@pytest.mark.parametrize("known", ["registered", "offline"])
def test_the_api_answer_carries_exactly_what_the_cli_report_says(known: str) -> None:
    document = credential()
    knowledge = registered_knowledge(document) if known == "registered" else offline_knowledge()
    report = verify(document, knowledge)

    answer = VerifyResponse.of(report, "https://verifier.example/?url=x").model_dump(mode="json")

    assert answer == {**report.to_dict(), "verification_url": "https://verifier.example/?url=x"}
    assert answer["checks"]
    if known == "offline":  # no registry, status list or catalogue at hand
        assert answer["not_checked"]


def test_a_credential_string_is_presented_as_a_jwt_and_an_object_as_json_ld() -> None:
    document = credential()

    assert present(document, 64).jwt is None
    with pytest.raises(ValueError, match="must be a VC-JWT"):
        present("not a token", 64)
