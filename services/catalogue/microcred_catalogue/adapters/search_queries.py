"""A :class:`SearchQuery` as a MongoDB filter and sort, with keyset (cursor) pagination.

Only operators FerretDB 1.24 serves: equality, $in, $all, range operators, $or/$and.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from ..domain.search import SearchQuery, SortOrder

SORT_FIELDS: dict[SortOrder, tuple[str, int]] = {
    SortOrder.NAME: ("name_key", ASCENDING),
    SortOrder.NEWEST: ("updated_at", DESCENDING),
    SortOrder.ECTS: ("ects_key", ASCENDING),
    SortOrder.ECTS_DESC: ("ects_key", DESCENDING),
    SortOrder.COMPLETENESS: ("completeness_score", DESCENDING),
}

# One index per typical entry point: the planner starts from the most selective filter.
# A compound index may hold at most one array field (MongoDB's multikey rule).
SEARCH_INDEXES = [
    IndexModel([("status", ASCENDING), ("name_key", ASCENDING), ("_id", ASCENDING)]),
    IndexModel([("search_terms", ASCENDING), ("status", ASCENDING)]),
    IndexModel([("provider_id", ASCENDING), ("name_key", ASCENDING)]),
    IndexModel([("isced_f_path", ASCENDING), ("eqf_level", ASCENDING)]),
    IndexModel([("eqf_level", ASCENDING), ("ects_key", ASCENDING)]),
    IndexModel([("ects_key", ASCENDING), ("_id", ASCENDING)]),
    IndexModel([("country", ASCENDING), ("provider_type", ASCENDING)]),
    IndexModel([("languages", ASCENDING)]),
    IndexModel([("participation_forms", ASCENDING)]),
    IndexModel([("completeness_score", DESCENDING), ("_id", DESCENDING)]),
    IndexModel([("updated_at", DESCENDING), ("_id", DESCENDING)]),
]


def search_filter(query: SearchQuery) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = []
    if not query.include_retired:
        conditions.append({"status": "active"})
    if query.text_terms:
        conditions.append({"search_terms": {"$all": query.text_terms}})
    for field, values in (
        ("provider_id", query.provider_ids),
        ("provider_type", query.provider_types),
        ("country", query.countries),
        ("eqf_level", query.eqf_levels),
        ("participation_forms", query.participation_forms),
        ("languages", query.languages),
    ):
        if values:
            conditions.append({field: {"$in": list(values)}})
    if query.isced_f:
        conditions.append({"isced_f_path": query.isced_f})
    ects: dict[str, float] = {}
    if query.ects_min is not None:
        ects["$gte"] = query.ects_min
    if query.ects_max is not None:
        ects["$lte"] = query.ects_max
    if ects:
        conditions.append({"ects_key": ects if "$gte" in ects else {**ects, "$gte": 0}})
    if query.min_completeness is not None:
        conditions.append({"completeness_score": {"$gte": query.min_completeness}})
    if query.after is not None:
        conditions.append(_after(query))
    if not conditions:
        return {}
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def search_sort(query: SearchQuery) -> list[tuple[str, int]]:
    field, direction = SORT_FIELDS[query.sort]
    return [(field, direction), ("_id", direction)]


def sort_value(query: SearchQuery, document: dict[str, Any]) -> object:
    """The cursor value of a hit: JSON-friendly (datetimes as ISO strings)."""
    value = document.get(SORT_FIELDS[query.sort][0])
    return value.isoformat() if isinstance(value, datetime) else value


def _after(query: SearchQuery) -> dict[str, Any]:
    assert query.after is not None
    field, direction = SORT_FIELDS[query.sort]
    value, last_id = query.after
    if field == "updated_at" and isinstance(value, str):
        value = datetime.fromisoformat(value)
    beyond = "$gt" if direction == ASCENDING else "$lt"
    return {"$or": [{field: {beyond: value}}, {field: value, "_id": {beyond: last_id}}]}
