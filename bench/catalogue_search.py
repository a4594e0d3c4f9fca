"""Catalogue search latency over many achievements, against a real MongoDB-wire database.

    uv run python -m bench.catalogue_search --achievements 100000
    uv run python -m bench.catalogue_search --quick

Reads ``MONGODB_URI`` (default mongodb://127.0.0.1:27017/), fills a throw-away database with
synthetic achievements through the service's own document mapping, indexes them in the
service's search projection, and times typical searches as the API runs them: p50/p99 per
query (end to end through the query handler, and the projection's lookup alone). It also prints
what the database's ``explain`` says of an ``_id`` lookup and of a plain field filter: why the
search does not read the database (FerretDB 1.24 answers both with a table SCAN).
Writes bench/results/catalogue_search.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from microcred_catalogue.adapters import mongo_achievements
from microcred_catalogue.adapters.documents import achievement_document
from microcred_catalogue.adapters.memory_search import MemorySearchIndex
from microcred_catalogue.adapters.mongo_achievements import MongoAchievements
from microcred_catalogue.domain.achievements import (
    Achievement,
    AchievementStatus,
    Definition,
    ProviderFacts,
    Skill,
)
from microcred_catalogue.domain.completeness import assess
from microcred_catalogue.domain.search import SearchQuery, SortOrder
from microcred_catalogue.domain.vocabularies import isced_fields
from microcred_catalogue.service_layer.queries import AchievementQueries
from microcred_shared.mongo import MongoDatabase, create_client, ensure_indexes

TOPICS = (  # noqa: SIM905
    "plc robotics welding hydraulics pneumatics sensors automation cad cam machining "
    "python data analytics cloud networking security databases accounting marketing "
    "leadership nursing pharmacy logistics tourism catering carpentry solar batteries "
    "electric vehicles drones statistics biology chemistry ethics law design photography"
).split()
PROVIDER_TYPES = ("university", "vet", "private", "company")
COUNTRIES = ("AT", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "FI", "IE")
LANGUAGES = ("en", "de", "fr", "it", "es", "nl", "pl", "sv")
FORMS = ("online", "onsite", "blended", "work_based")

QUERIES: dict[str, SearchQuery] = {
    "browse (sorted by name)": SearchQuery(),
    "text: one word": SearchQuery(text="robotics"),
    "text: two words + EQF": SearchQuery(text="plc automation", eqf_levels=(5,)),
    "provider": SearchQuery(provider_ids=("provider-7",)),
    "ISCED broad field + ECTS range": SearchQuery(isced_f="07", ects_min=2, ects_max=6),
    "language + participation": SearchQuery(languages=("de",), participation_forms=("online",)),
    "country + provider type": SearchQuery(countries=("AT",), provider_types=("vet",)),
    "min completeness, best first": SearchQuery(min_completeness=0.8, sort=SortOrder.COMPLETENESS),
    "newest first": SearchQuery(sort=SortOrder.NEWEST),
}


def synthetic(index: int, rng: random.Random, fields: list[str]) -> Achievement:
    words = rng.sample(TOPICS, 3)
    provider = index % 200
    facts = ProviderFacts(
        provider_id=f"provider-{provider}",
        provider_type=PROVIDER_TYPES[provider % 4],
        country=COUNTRIES[(provider // 4) % len(COUNTRIES)],
        quality_assurance="accredited by a QA agency" if provider % 3 else None,
    )
    definition = Definition(
        name=f"{words[0].title()} and {words[1]} {index}",
        description=f"A short course on {words[0]}, {words[1]} and {words[2]}.",
        learning_outcomes=tuple(f"Apply {w} in practice" for w in words),
        ects=rng.choice((None, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0)),
        eqf_level=rng.choice((None, 3, 4, 5, 5, 6, 6, 7)),
        isced_f_code=rng.choice(fields),
        languages=tuple(rng.sample(LANGUAGES, rng.choice((1, 1, 2)))),
        participation_forms=(rng.choice(FORMS),),
        assessment_type=rng.choice((None, "exam", "project")),
        grading_scheme=rng.choice((None, "pass/fail", "1-5")),
        skills=(Skill(f"use {words[2]}", f"http://data.europa.eu/esco/skill/{index}"),),
        tags=(words[0],),
    )
    return Achievement(
        achievement_id=f"provider-{provider}:C{index}",
        course_code=f"C{index}",
        version=1,
        status=AchievementStatus.ACTIVE if index % 20 else AchievementStatus.RETIRED,
        definition=definition,
        completeness=assess(definition, facts),
        provider=facts,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index),
    )


async def fill(
    database: MongoDatabase, projection: MemorySearchIndex, count: int, seed: int
) -> float:
    rng = random.Random(seed)
    fields = [code for code in isced_fields() if len(code) == 4]
    collection = database[mongo_achievements.COLLECTION]
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for index in range(count):
        achievement = synthetic(index, rng, fields)
        projection.add(achievement)
        batch.append({"_id": achievement.achievement_id, **achievement_document(achievement)})
        if len(batch) == 2000:
            await collection.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await collection.insert_many(batch, ordered=False)
    await ensure_indexes(database, mongo_achievements.INDEXES)
    return time.perf_counter() - started


async def plan_of(database: MongoDatabase, filter_: dict[str, Any]) -> str:
    """The database's own word on how it answers ``filter_`` (index, pushdown or full scan)."""
    explained = await database.command(
        "explain", {"find": mongo_achievements.COLLECTION, "filter": filter_}
    )
    planner = explained.get("queryPlanner", {})
    if "winningPlan" in planner:  # MongoDB
        stages: list[str] = []
        node = planner["winningPlan"]
        while isinstance(node, dict):
            index = f"({node['indexName']})" if "indexName" in node else ""
            stages.append(node.get("stage", "?") + index)
            node = node.get("inputStage") or (node.get("inputStages") or [None])[0]
        return " <- ".join(stages)
    pushdown = "filter pushdown" if explained.get("filterPushdown") else "NO filter pushdown"
    return f"{'; '.join(planner.get('Plan', []))} ({pushdown})"  # FerretDB: the SQL plan


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p99_index = min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))
    return round(statistics.median(ordered), 3), round(ordered[p99_index], 3)


async def measure(
    queries: AchievementQueries, query: SearchQuery, repeats: int, budget: float
) -> dict[str, Any]:
    """Time ``query`` end to end ``repeats`` times, or fewer (at least 3) once ``budget``
    seconds are spent; and the projection alone (no database), which is cheap to repeat."""
    timings: list[float] = []
    page = None
    deadline = time.perf_counter() + budget
    for run_number in range(repeats):
        if run_number >= 3 and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        page = await queries.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    projection_timings = []
    for _ in range(max(repeats, 100)):
        started = time.perf_counter()
        queries.projection.search(query)
        projection_timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = _percentiles(timings)
    index_p50, index_p99 = _percentiles(projection_timings)
    return {
        "p50_ms": p50,
        "p99_ms": p99,
        "projection_p50_ms": index_p50,
        "projection_p99_ms": index_p99,
        "hits_on_page": len(page.items) if page else 0,
        "runs": len(timings),
    }


async def run(count: int, repeats: int, keep: bool, seed: int, budget: float) -> dict[str, Any]:
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
    client = create_client(uri, app_name="bench-catalogue")
    name = f"bench_catalogue_{uuid.uuid4().hex[:8]}"
    database = client[name]
    try:
        projection = MemorySearchIndex()
        fill_seconds = await fill(database, projection, count, seed)
        print(f"stored and indexed {count} achievements in {fill_seconds:.1f} s ({name})")
        server = await database.command("buildInfo")
        queries = AchievementQueries(MongoAchievements(database), projection)
        results: dict[str, Any] = {}
        for label, query in QUERIES.items():
            results[label] = await measure(queries, query, repeats, budget)
        first = await queries.search(SearchQuery())
        if first.next_after:
            page_two = replace(QUERIES["browse (sorted by name)"], after=first.next_after)
            results["browse page 2 (cursor)"] = await measure(queries, page_two, repeats, budget)
        some_id = first.items[0].achievement_id if first.items else "none"
        plans = {
            "_id lookup (GET /achievements/{id})": await plan_of(database, {"_id": some_id}),
            "field filter (what search would need)": await plan_of(
                database, {"provider_id": "provider-7"}
            ),
        }
        return {
            "benchmark": "catalogue_search",
            "achievements": count,
            "repeats": repeats,
            "server": server.get("ferretdbVersion", f"MongoDB {server.get('version')}"),
            "insert_seconds": round(fill_seconds, 1),
            "queries": results,
            "plans": plans,
        }
    finally:
        if not keep:
            await client.drop_database(name)
        await client.close()


def print_table(report: dict[str, Any]) -> None:
    print(f"\ncatalogue search, {report['achievements']} achievements, {report['server']}")
    print(
        f"{'query':32} {'p50 ms':>9} {'p99 ms':>9} {'runs':>4} {'hits':>4}"
        f" {'projection p50':>15} {'p99':>8}"
    )
    for label, row in report["queries"].items():
        print(
            f"{label:32} {row['p50_ms']:9.2f} {row['p99_ms']:9.2f} {row['runs']:4} "
            f"{row['hits_on_page']:4} {row['projection_p50_ms']:15.3f}"
            f" {row['projection_p99_ms']:8.3f}"
        )
    for label, plan in report["plans"].items():
        print(f"explain, {label}: {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="5,000 achievements, 10 repeats")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query (min 3 runs)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/catalogue_search.json"))
    args = parser.parse_args()
    count, repeats = (5_000, 10) if args.quick else (args.achievements, args.repeats)
    report = asyncio.run(run(count, repeats, args.keep, args.seed, args.budget))
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
