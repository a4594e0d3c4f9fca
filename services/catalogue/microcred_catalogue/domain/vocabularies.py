"""The standard vocabularies partner values are normalised onto: EQF, ISCED-F 2013, ECTS, ISO.

Each ``parse_…`` returns the normal form or raises :class:`Unrecognised` saying what it expected.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

from .languages import LANGUAGE_NAMES

# ECTS Users' Guide (2015): one ECTS credit is 25 to 30 hours of work. We convert hours at the
# midpoint, 27.5 h, so a conversion over- or under-states by at most 10 % whichever national
# rate the provider had in mind; the original hours are kept next to the derived ECTS.
HOURS_PER_ECTS = 27.5

PARTICIPATION_SYNONYMS: dict[str, str] = {
    "online": "online",
    "distance": "online",
    "remote": "online",
    "e-learning": "online",
    "elearning": "online",
    "virtual": "online",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "in person": "onsite",
    "in-person": "onsite",
    "face-to-face": "onsite",
    "face to face": "onsite",
    "classroom": "onsite",
    "campus": "onsite",
    "blended": "blended",
    "hybrid": "blended",
    "mixed": "blended",
    "work_based": "work_based",
    "work-based": "work_based",
    "work based": "work_based",
    "workplace": "work_based",
    "apprenticeship": "work_based",
    "on the job": "work_based",
    "volunteering": "volunteering",
    "volunteer": "volunteering",
    "voluntary": "volunteering",
}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8}
_EQF_TEXT = re.compile(r"^(?:eqf)?\s*(?:level)?\s*[:\-]?\s*(\d+|[ivx]+)$")
_ISCED_CODE = re.compile(r"^(\d{2,4})\b")

# ISO 3166-1 alpha-2, every officially assigned code.
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC
    EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK
    HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB
    LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU
    RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN
    TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()  # noqa: SIM905
)
# Names providers commonly write instead of the code (EU/EEA and neighbours).
COUNTRY_NAMES: dict[str, str] = {
    "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR", "cyprus": "CY",
    "czechia": "CZ", "czech republic": "CZ", "denmark": "DK", "estonia": "EE", "finland": "FI",
    "france": "FR", "germany": "DE", "greece": "GR", "hungary": "HU", "ireland": "IE",
    "italy": "IT", "latvia": "LV", "lithuania": "LT", "luxembourg": "LU", "malta": "MT",
    "netherlands": "NL", "the netherlands": "NL", "poland": "PL", "portugal": "PT",
    "romania": "RO", "slovakia": "SK", "slovenia": "SI", "spain": "ES", "sweden": "SE",
    "iceland": "IS", "liechtenstein": "LI", "norway": "NO", "switzerland": "CH",
    "united kingdom": "GB", "uk": "GB", "ukraine": "UA", "serbia": "RS", "turkey": "TR",
    "türkiye": "TR", "united states": "US", "usa": "US",
}  # fmt: skip


class Unrecognised(ValueError):
    """A value that cannot be mapped onto the standard vocabulary."""


def fold(text: str) -> str:
    """Lower case without accents or surrounding space: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_eqf_level(value: int | str) -> int:
    """5, "5", "EQF 5", "level 5", "EQF level V" -> 5 (EQF has levels 1 to 8)."""
    if isinstance(value, int):
        level = value
    else:
        match = _EQF_TEXT.match(fold(value))
        if not match:
            raise Unrecognised(f"{value!r} is not an EQF level (expected 1-8 or 'EQF 5')")
        token = match.group(1)
        level = int(token) if token.isdigit() else _ROMAN.get(token, 0)
    if not 1 <= level <= 8:
        raise Unrecognised(f"EQF levels run from 1 to 8, not {value!r}")
    return level


@cache
def isced_fields() -> dict[str, str]:
    """ISCED-F 2013 code -> English name (broad, narrow and detailed fields)."""
    source = resources.files(__package__).joinpath("data/isced_f_2013.csv")
    with source.open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


@cache
def _isced_by_name() -> dict[str, str]:
    by_name: dict[str, str] = {}
    for code, name in sorted(isced_fields().items(), key=lambda item: len(item[0])):
        by_name[fold(name)] = code  # longest code last: a shared name means the detailed field
    return by_name


def parse_isced_f(value: str) -> str:
    """ "0714", "0714 Electronics and automation" or "Electronics and automation" -> "0714"."""
    text = value.strip()
    code_match = _ISCED_CODE.match(text)
    if code_match:
        code = code_match.group(1)
        if code in isced_fields():
            return code
        raise Unrecognised(f"{code!r} is not an ISCED-F 2013 field code")
    code_for_name = _isced_by_name().get(fold(text))
    if code_for_name is None:
        raise Unrecognised(f"{value!r} is not an ISCED-F 2013 field code or name")
    return code_for_name


def isced_f_path(code: str) -> list[str]:
    """The broad, narrow and detailed codes a field belongs to: "0714" -> ["07", "071", "0714"]."""
    return [code[:length] for length in range(2, len(code) + 1)]


def ects_from_hours(hours: float) -> float:
    """Notional hours -> ECTS at :data:`HOURS_PER_ECTS`, to one decimal."""
    return round(hours / HOURS_PER_ECTS, 1)


def parse_language(value: str) -> str:
    """ "en", "en-GB", "EN", "English", "Deutsch" -> an ISO 639-1 code."""
    folded = fold(value).replace("_", "-")
    primary = folded.split("-", 1)[0]
    if len(primary) == 2 and primary in LANGUAGE_NAMES.values():
        return primary
    code = LANGUAGE_NAMES.get(folded)
    if code is None:
        raise Unrecognised(f"{value!r} is not an ISO 639-1 language code or a known name")
    return code


def parse_participation_form(value: str) -> str:
    """ "hybrid" -> "blended", "in person" -> "onsite" … (the Recommendation's forms)."""
    form = PARTICIPATION_SYNONYMS.get(fold(value))
    if form is None:
        known = ", ".join(sorted(set(PARTICIPATION_SYNONYMS.values())))
        raise Unrecognised(f"{value!r} is not a form of participation ({known})")
    return form


def parse_country(value: str) -> str:
    """ "de", "DE", "Germany" -> "DE" (ISO 3166-1 alpha-2)."""
    upper = value.strip().upper()
    if upper in COUNTRY_CODES:
        return upper
    code = COUNTRY_NAMES.get(fold(value))
    if code is None:
        raise Unrecognised(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code
