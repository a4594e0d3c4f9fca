"""Issue 15: the pages' language (switch, cookie, Accept-Language) and the gettext catalogue."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from microcred_shared.i18n import negotiate
from microcred_shared.i18n.environment import LOCALE_DIR

REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("switch", "cookie", "accept", "expected"),
    [
        ("fr", "de", "de-DE", "fr"),
        (None, "de", "fr-FR,fr;q=0.9", "de"),
        (None, None, "it;q=1.0, fr-CH;q=0.8, de;q=0.5", "fr"),
        (None, None, "de;q=0.2, fr;q=0.9", "fr"),
        (None, None, "ja, *;q=0.1", "en"),
        ("xx", "yy", None, "en"),
    ],
    ids=[
        "the switch wins",
        "the remembered choice beats the browser",
        "the browser's best supported language",
        "weights, not order",
        "nothing supported: English",
        "unsupported switch and cookie are ignored",
    ],
)
def test_the_language_is_the_switch_then_the_cookie_then_accept_language(
    switch: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(switch, cookie, accept) == expected


@pytest.mark.parametrize("locale", ["de", "fr"])
def test_every_message_is_translated_and_the_committed_mo_matches_its_po(locale: str) -> None:
    folder = Path(LOCALE_DIR) / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po_file:
        source = read_po(po_file, locale=locale)
    compiled = read_mo(io.BytesIO((folder / "messages.mo").read_bytes()))

    untranslated = [m.id for m in source if m.id and not all(_forms(m.string))]
    assert untranslated == []
    assert [m.id for m in source if m.fuzzy and m.id] == []
    assert _pairs(source) == _pairs(compiled)


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def _pairs(catalog: Any) -> dict[Any, Any]:
    """Message id -> translation, plurals as tuples (read_mo gives lists, read_po tuples)."""
    return {_hashable(message.id): _hashable(message.string) for message in catalog if message.id}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("locale", ["de", "fr"])
def test_every_interface_text_of_every_template_is_in_the_catalogue(locale: str) -> None:
    """Extracts every template babel.cfg maps (all services' and the shared partials), as
    ``make translations`` does: a template wrapped after the catalogue was updated fails here."""
    with (REPOSITORY / "babel.cfg").open(encoding="utf-8") as mapping_file:
        method_map, options_map = parse_mapping_cfg(mapping_file)
    extracted = {
        message[2]
        for message in extract_from_dir(REPOSITORY, method_map, options_map)
        if message[0].endswith(".html")
    }
    folder = Path(LOCALE_DIR) / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po_file:
        catalogued = {_hashable(m.id) for m in read_po(po_file, locale=locale) if m.id}

    assert len(extracted) > 150  # every service's templates, not just one directory
    assert sorted(map(str, {_hashable(i) for i in extracted} - catalogued)) == []


def test_extraction_maps_every_template_directory() -> None:
    with (REPOSITORY / "babel.cfg").open(encoding="utf-8") as mapping_file:
        method_map, options_map = parse_mapping_cfg(mapping_file)
    mapped = {
        Path(filename).parent
        for filename, *_ in extract_from_dir(REPOSITORY, method_map, options_map)
    }
    templates = {
        path.parent.relative_to(REPOSITORY)
        for root in ("services", "shared")
        for path in (REPOSITORY / root).rglob("*.html")
    }
    assert templates <= mapped
