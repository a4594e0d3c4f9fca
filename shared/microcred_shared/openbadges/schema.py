"""Validate Open Badges 3.0 credentials against the official 1EdTech JSON Schemas, reading the
document the way JSON-LD is written.

The official schemas are the strict "JSON" flavour: every collection must be an array. JSON-LD
(and VC 2.0) lets a single value stand for a one-element set, so a credential with one ``proof``
object, one ``type`` string or one ``@context`` URL is valid VC 2.0. Before validating we walk
the document beside the schema and wrap such single values in a list wherever the schema asks
for an array; everything else the schema says still applies, so a real violation still fails.

The verdict comes from the schema compiled once by ``jsonschema-rs`` (Rust, draft 2019-09; about
a tenth of the Python validator's time on a rich credential); the violations of a document that
fails are listed by ``jsonschema``, whose messages and paths the checks have always shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMAS_PACKAGE = "microcred_shared.openbadges"
ACHIEVEMENT_CREDENTIAL_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_CREDENTIAL_SCHEMA = "ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA = "ob_v3p0_profile_schema.json"

# RFC 3339 date-time with a mandatory offset, as JSON Schema's "date-time" format means.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One violation: where in the document (a JSON pointer), and what is wrong."""

    path: str
    message: str
    keyword: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A bundled schema by file name, parsed once per process."""
    text = resources.files(SCHEMAS_PACKAGE).joinpath("schemas", name).read_text("utf-8")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _check_date_time(value: object) -> bool:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return not isinstance(value, str)
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == len("YYYY-MM-DD")


def _format_checker() -> FormatChecker:
    # Our own checks: jsonschema's date-time check silently passes without an extra package.
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_check_date_time)
    checker.checks("date")(_check_date)
    return checker


@cache
def _validator(name: str) -> Draft201909Validator:
    schema = load_schema(name)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_format_checker())


@cache
def _compiled(name: str) -> jsonschema_rs.Validator:
    """The schema compiled by jsonschema-rs, with our two format checks (the only formats the
    OB 3.0 schemas use) in place of its own, so both validators read formats alike."""
    return jsonschema_rs.validator_for(
        load_schema(name),
        formats={"date-time": _check_date_time, "date": _check_date},
        validate_formats=True,
    )


def _passes(schema_name: str, normalised: Any) -> bool:
    """The compiled validator's verdict; False (the Python validator decides) for a value it
    cannot take, such as NaN or an integer beyond 64 bits, which Python's JSON parser allows."""
    try:
        return _compiled(schema_name).is_valid(normalised)
    except (ValueError, TypeError, OverflowError):
        return False


def validate_achievement_credential(doc: Any) -> list[SchemaError]:
    """Violations of the OB 3.0 AchievementCredential schema, after JSON-LD normalisation."""
    return validate_against(ACHIEVEMENT_CREDENTIAL_SCHEMA, doc)


def validate_endorsement_credential(doc: Any) -> list[SchemaError]:
    """Violations of the OB 3.0 EndorsementCredential schema, after JSON-LD normalisation."""
    return validate_against(ENDORSEMENT_CREDENTIAL_SCHEMA, doc)


def validate_against(schema_name: str, doc: Any) -> list[SchemaError]:
    schema = load_schema(schema_name)
    if _written_form_decides(schema_name) and _passes(schema_name, _top_level_arrays(doc, schema)):
        return []  # normalising would change nothing more (see _written_form_decides)
    normalised = normalise_for_schema(doc, schema)
    if _passes(schema_name, normalised):
        return []
    errors = _validator(schema_name).iter_errors(normalised)
    return sorted((_to_schema_error(e) for e in errors), key=lambda e: (e.path, e.message))


# Keywords under which a value is checked against a subschema the normaliser does not follow
# the way the validator does: with any of them, a valid document could still be reshaped.
_KEYWORDS_THE_NORMALISER_READS_OTHERWISE = frozenset(
    {"patternProperties", "if", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems"}
)


@cache
def _written_form_decides(schema_name: str) -> bool:
    """Whether a document valid as written (top-level single values read as arrays) is known to
    be left as it is by normalising, so validity as written is the normalised verdict.

    It holds when the root is a plain object schema and every oneOf/anyOf alternative names its
    JSON type: normalising then follows, at each value, a subschema the validator applies to
    that value too (the alternative a valid value satisfies is the one its type matches), and
    only wraps a value where that subschema wants an array, which a valid value already is.
    The bundled OB 3.0 schemas meet it (tested); another schema simply takes the long way.
    """
    root = load_schema(schema_name)
    if root.get("type") != "object" or any(k in root for k in ("allOf", "oneOf", "anyOf", "$ref")):
        return False
    resolve = _normaliser(root)._resolve
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            if any(isinstance(node.get(k), dict) for k in _KEYWORDS_THE_NORMALISER_READS_OTHERWISE):
                return False
            for key in ("oneOf", "anyOf"):
                branches = node.get(key)
                if isinstance(branches, list) and any(
                    not isinstance(b, dict) or "type" not in resolve(b) for b in branches
                ):
                    return False
            pending.extend(node.values())
    return True


def _top_level_arrays(doc: Any, schema: Mapping[str, Any]) -> Any:
    """``doc`` with each top-level single value the schema wants as an array wrapped (the first
    step of normalising, and all it does to a valid credential with a single proof or type)."""
    if not isinstance(doc, dict):
        return doc
    normaliser = _normaliser(schema)
    properties: Mapping[str, Any] = schema.get("properties", {})
    wrapped = dict(doc)
    for key, value in doc.items():
        sub = properties.get(key)
        single = value is not None and not isinstance(value, list)
        if single and sub is not None and normaliser.wants_array(sub):
            wrapped[key] = [value]
    return wrapped


def _to_schema_error(error: ValidationError) -> SchemaError:
    best = _deepest(error)
    pointer = "".join(f"/{_escape(part)}" for part in best.absolute_path)
    return SchemaError(path=pointer, message=_message(best), keyword=str(best.validator))


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the sub-error that got furthest into the document reads best."""
    if not error.context:
        return error
    deepest = max(error.context, key=lambda e: len(e.absolute_path))
    if len(deepest.absolute_path) > len(error.absolute_path):
        return _deepest(deepest)
    return error


def _message(error: ValidationError) -> str:
    text = error.message
    if error.validator == "contains" and isinstance(error.validator_value, dict):
        wanted = error.validator_value.get("enum")
        if wanted:
            text = f"{error.instance!r} must include one of {wanted!r}"
    return text if len(text) <= 300 else text[:297] + "..."


def _escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def normalise_for_schema(doc: Any, schema: Mapping[str, Any]) -> Any:
    """A copy of ``doc`` where each single value the schema wants as an array is a 1-item list."""
    return _normaliser(schema).apply(doc, schema, 0)


# Normalisers by the identity of their root schema (the bundled ones are parsed once), so each
# schema node's plan is worked out once per process rather than once per document.
_NORMALISERS: dict[int, tuple[Mapping[str, Any], _Normaliser]] = {}
_MAX_NORMALISERS = 16


def _normaliser(root: Mapping[str, Any]) -> _Normaliser:
    known = _NORMALISERS.get(id(root))
    if known is not None and known[0] is root:
        return known[1]
    normaliser = _Normaliser(root)
    if len(_NORMALISERS) < _MAX_NORMALISERS:
        _NORMALISERS[id(root)] = (root, normaliser)
    return normaliser


@dataclass(frozen=True, slots=True)
class _NodePlan:
    """What normalising does at one schema node, read from the node once."""

    schema: Mapping[str, Any]  # the node with its $ref chain followed
    wants_array: bool
    all_of: tuple[Mapping[str, Any], ...]
    alternatives: tuple[tuple[Mapping[str, Any], ...], ...]  # oneOf, then anyOf
    scalars_unchanged: bool  # nothing to do for a value that is neither an object nor a list


class _Normaliser:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._plans: dict[int, tuple[Mapping[str, Any], _NodePlan]] = {}

    def apply(self, value: Any, schema: Mapping[str, Any], depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return value
        plan = self._plan(schema)
        if plan.scalars_unchanged and not isinstance(value, dict | list):
            return value
        if plan.wants_array and value is not None and not isinstance(value, list):
            value = [value]
        for sub in plan.all_of:
            value = self.apply(value, sub, depth + 1)
        for alternatives in plan.alternatives:
            matching = [s for s in alternatives if self._shape_matches(value, s)]
            if len(matching) == 1:
                value = self.apply(value, matching[0], depth + 1)
        if isinstance(value, dict):
            return self._object(value, plan.schema, depth)
        if isinstance(value, list):
            return self._array(value, plan.schema, depth)
        return value

    def wants_array(self, schema: Mapping[str, Any]) -> bool:
        return self._plan(schema).wants_array

    def _plan(self, schema: Mapping[str, Any]) -> _NodePlan:
        known = self._plans.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1]
        resolved = self._resolve(schema)
        wants_array = _wants_array(resolved, self._resolve)
        all_of = tuple(resolved.get("allOf", ()))
        alternatives = tuple(tuple(resolved.get(key, ())) for key in ("oneOf", "anyOf"))
        plan = _NodePlan(
            resolved,
            wants_array,
            all_of,
            alternatives,
            not wants_array and not all_of and not any(alternatives),
        )
        self._plans[id(schema)] = (schema, plan)  # bounded by the schema's own nodes
        return plan

    def _object(self, value: dict[str, Any], schema: Mapping[str, Any], depth: int) -> Any:
        props: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            out[key] = self.apply(item, sub, depth + 1) if sub is not None else item
        return out

    def _array(self, value: list[Any], schema: Mapping[str, Any], depth: int) -> Any:
        items = schema.get("items")
        if isinstance(items, dict):
            return [self.apply(v, items, depth + 1) for v in value]
        if isinstance(items, list):
            extra = schema.get("additionalItems")
            out = []
            for index, item in enumerate(value):
                sub = items[index] if index < len(items) else extra
                out.append(self.apply(item, sub, depth + 1) if isinstance(sub, dict) else item)
            return out
        return value

    def _shape_matches(self, value: Any, schema: Mapping[str, Any]) -> bool:
        """Whether an alternative of a oneOf/anyOf is about this JSON type at all."""
        schema = self._resolve(schema)
        wanted = schema.get("type")
        if wanted is None:
            return isinstance(value, dict) and "properties" in schema
        types = wanted if isinstance(wanted, list) else [wanted]
        return any(_is_json_type(value, t) for t in types)

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while "$ref" in schema and seen < _MAX_DEPTH:
            ref = str(schema["$ref"])
            if not ref.startswith("#/"):
                return schema
            node: Any = self._root
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
            seen += 1
        return schema


def _wants_array(schema: Mapping[str, Any], resolve: Any) -> bool:
    if schema.get("type") == "array":
        return True
    parts: list[Any] = schema.get("allOf") or []
    return bool(parts) and all(resolve(p).get("type") == "array" for p in parts)


def _is_json_type(value: Any, name: str) -> bool:
    checks: dict[str, Any] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    check = checks.get(name)
    return bool(check and check(value))
