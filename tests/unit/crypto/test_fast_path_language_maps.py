"""The fast canonicalisation expands ``@language`` maps (the EU context v2's translations) to
the reference's bytes, and hands PyLD what it does not model."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_shared.crypto import reference_rdfc
from microcred_shared.crypto.fast_rdfc import fast_canonicalize
from microcred_shared.crypto.loader import default_loader

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://microcred.example/contexts/eu-microcredential/v2",
]


def achievement_with(**terms: Any) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": "https://issuer.example/achievements/a-1",
        "type": ["Achievement"],
        "name": "PLC programming",
        **terms,
    }


@pytest.mark.parametrize(
    "terms",
    [
        {"nameTranslations": {"en": "PLC", "de": "SPS", "fr": "Automates"}},
        {"nameTranslations": {"de-CH": "SPS", "SR-latn": "PLC"}},  # tags written lower case
        {"descriptionTranslations": {"de": 'Zeile 1\nZeile "2" \\ Ende'}},
        {"learningOutcomesTranslations": {"de": ["Eins", "Zwei", "Eins"], "fr": "Un"}},
        {"criteriaTranslations": {"de": None, "fr": "Valider"}},
        {"nameTranslations": {}, "textLanguage": "en"},
    ],
    ids=["three languages", "region and script", "escapes", "lists", "null", "empty"],
)
def test_a_language_map_takes_the_fast_path_with_the_reference_bytes(terms: Any) -> None:
    document = achievement_with(**terms)

    fast = fast_canonicalize(document, default_loader())

    assert fast is not None
    assert fast == reference_rdfc(document)


@pytest.mark.parametrize(
    "terms",
    [
        {"nameTranslations": {"not a tag": "x"}},
        {"nameTranslations": {"de": 5}},
        {"nameTranslations": "SPS"},
    ],
    ids=["a malformed tag", "a number", "not a map"],
)
def test_what_the_fast_path_does_not_model_is_left_to_the_reference(terms: Any) -> None:
    assert fast_canonicalize(achievement_with(**terms), default_loader()) is None
