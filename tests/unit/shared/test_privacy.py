"""Recognising e-mail addresses and a learner's name in free text."""

import pytest
from microcred_shared.privacy import (
    REDACTED_EMAIL,
    carries_email_address,
    names_person,
    redact_email_addresses,
)


@pytest.mark.parametrize(
    "text",
    [
        "ada.brennan@learners.example",
        "contact: Ada.Brennan+cert@Learners.Example.",
        "https://lms.example/portfolio?user=ada.brennan%40learners.example",
        "demo/ada.brennan@learners.example/VET-PLC",
    ],
)
def test_an_email_address_is_recognised_also_inside_ids_and_urls(text: str) -> None:
    assert carries_email_address(text)
    redacted = redact_email_addresses(text)
    assert REDACTED_EMAIL in redacted
    assert "brennan" not in redacted.lower()
    assert not carries_email_address(redacted)


@pytest.mark.parametrize(
    "text",
    ["2025-cohort-3/42", "https://lms.example/portfolio/42", "Final grade: 1 @ 95%", "a @ b"],
)
def test_text_without_an_address_is_left_as_it_is(text: str) -> None:
    assert not carries_email_address(text)
    assert redact_email_addresses(text) == text


def test_a_learners_full_name_is_recognised_in_any_case_and_spacing() -> None:
    assert names_person("Portfolio of ADA  brennan, 2026", "Ada Brennan")
    assert names_person("ada\nbrennan", " Ada Brennan ")
    assert not names_person("Ada's portfolio", "Ada Brennan")
    assert not names_person("Adabrennan", "Ada Brennan")


def test_a_one_word_name_is_never_matched() -> None:
    assert not names_person("max torque reached", "Max")
    assert not names_person("anything", None)
