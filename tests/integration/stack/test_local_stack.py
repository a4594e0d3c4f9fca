"""The local stack's lifecycle against the real servers: idempotent start, clean stop, clear errors.

One LocalStack is shared by the module (one JVM start); the stop test runs last and tears it down.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from microcred_shared.messaging.access import KafkaAccess
from pymongo import AsyncMongoClient, UpdateOne

from stack import LocalStack, StackError, default_root, fetch_all, free_ports
from stack.layout import Layout
from stack.procs import pid_alive, port_in_use
from stack.services import KAFKA_JVM_OPTS_ENV
from tests.infra import Infra

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = default_root()
    fetch_all(Layout.at(root), report=lambda line: print(f"[stack] {line}"))
    kafka_port, mongo_port = free_ports(2)
    local = LocalStack(
        root,
        kafka_port,
        mongo_port,
        data_dir=tmp_path_factory.mktemp("lifecycle"),
        die_with_parent=True,
    )
    local.start()
    yield local
    local.stop(grace=5.0)  # no-op when test_stop_* already stopped it


def _pids(stack: LocalStack) -> dict[str, int | None]:
    return {status.name: status.pid for status in stack.status()}


def test_start_when_already_running_is_a_noop(stack: LocalStack) -> None:
    before = _pids(stack)
    started = time.monotonic()

    stack.start()

    assert time.monotonic() - started < 5
    assert _pids(stack) == before
    assert all(before.values())
    assert stack.healthy()


def test_another_handle_on_the_same_data_dir_sees_the_same_servers(stack: LocalStack) -> None:
    # What `python -m stack status/down` does from another process: only the data dir is shared.
    other = LocalStack(
        stack.layout.root, stack.kafka.port, stack.ferretdb.port, data_dir=stack.data_dir
    )

    assert _pids(other) == _pids(stack)
    other.start()
    assert _pids(other) == _pids(stack)


@pytest.mark.parametrize("taken", ["kafka", "mongo"])
def test_port_taken_by_another_process_is_a_clear_error(taken: str, tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        busy = squatter.getsockname()[1]
        (free,) = free_ports(1, avoid={busy})
        kafka_port, mongo_port = (busy, free) if taken == "kafka" else (free, busy)
        local = LocalStack(default_root(), kafka_port, mongo_port, data_dir=tmp_path)

        with pytest.raises(StackError, match=rf"port {busy} \(.*\) is already in use"):
            local.start()

    # Checked before launching anything: nothing half-started is left behind.
    assert _pids(local) == {"kafka": None, "ferretdb": None}


def test_failed_start_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A heap too small for the JVM to boot: Kafka dies at once, FerretDB must be stopped again.
    monkeypatch.setenv(KAFKA_JVM_OPTS_ENV, "-Xmx1m -Xms1m")
    kafka_port, mongo_port = free_ports(2)
    local = LocalStack(default_root(), kafka_port, mongo_port, data_dir=tmp_path)

    with pytest.raises(StackError, match="kafka exited during startup"):
        local.start(timeout=30)

    assert _pids(local) == {"kafka": None, "ferretdb": None}
    assert not port_in_use(mongo_port)


def _bin_dir_with(tmp_path: Path, *tools: str) -> Path:
    """A PATH directory holding only ``tools`` (symlinked from the real PATH)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        real = shutil.which(tool)
        assert real, f"{tool} must be installed for this test"
        (bin_dir / tool).symlink_to(real)
    return bin_dir


@pytest.mark.parametrize(
    ("args", "available", "missing"),
    [
        (["up"], (), "java"),
        (["fetch", "kafka"], ("java",), "mvn"),
        (["fetch", "ferretdb"], (), "go"),
    ],
)
def test_missing_tool_is_one_clear_line(
    args: list[str], available: tuple[str, ...], missing: str, tmp_path: Path
) -> None:
    kafka_port, mongo_port = free_ports(2)
    env = {
        **os.environ,
        "PATH": str(_bin_dir_with(tmp_path, *available)),
        "MICROCRED_STACK_DIR": str(tmp_path / "stack"),  # empty: nothing fetched yet
        "MICROCRED_KAFKA_PORT": str(kafka_port),
        "MICROCRED_MONGO_PORT": str(mongo_port),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "stack", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: '{missing}' not found: install "), lines[0]


async def test_infra_fixture_serves_real_kafka_and_mongodb(
    infra: Infra, topic_prefix: str, unique_name: Callable[[str], str]
) -> None:
    topic = f"{topic_prefix}{unique_name('roundtrip')}"
    await KafkaAccess(infra.kafka).create_topics([(topic, 1, {})])
    producer = AIOKafkaProducer(**infra.kafka.aiokafka_kwargs())
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        **infra.kafka.aiokafka_kwargs(),
        group_id=unique_name("g"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await consumer.getone()
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"k", b"hello")

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infra.mongodb_uri)
    try:
        collection = client[unique_name("db")]["things"]
        await collection.create_index("key", unique=True)
        await collection.insert_one({"key": "a", "n": 1})
        assert await collection.find_one({"key": "a"}, {"_id": 0}) == {"key": "a", "n": 1}
    finally:
        await client.close()


async def test_ferretdb_finds_updates_and_deletes_by_id_through_its_index(
    stack: LocalStack, unique_name: Callable[[str], str]
) -> None:
    """Unpatched FerretDB 1.24 filters on an expression its `_id` index does not cover, so each
    lookup, update and delete by `_id` scans the table. Its `explain` shows SQLite's plan; the
    update and delete statements use the same `_id` expression as the query explained here."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongodb_uri)
    try:
        database = client[unique_name("db")]
        await database["things"].insert_many([{"_id": f"thing-{n}"} for n in range(3)])
        by_id = await database.command("explain", {"find": "things", "filter": {"_id": "thing-2"}})
        by_field = await database.command("explain", {"find": "things", "filter": {"n": 1}})
    finally:
        await client.close()

    assert "USING INDEX" in " ".join(by_id["queryPlanner"]["Plan"]), by_id["queryPlanner"]
    assert "SCAN" in " ".join(by_field["queryPlanner"]["Plan"]), by_field["queryPlanner"]


@pytest.mark.timeout(60)
async def test_ferretdb_answers_update_commands_of_hundreds_of_statements_at_once(
    stack: LocalStack, unique_name: Callable[[str], str]
) -> None:
    """Unpatched FerretDB 1.24 holds one pooled SQLite connection per statement of an update
    command until the command ends: from 100 statements (in one command or several at once)
    it waits forever for a connection to write with."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongodb_uri, socketTimeoutMS=20_000
    )
    try:
        things = client[unique_name("db")]["things"]
        await things.insert_many([{"_id": f"thing-{n}"} for n in range(600)])

        def updates(start: int) -> list[UpdateOne]:
            return [
                UpdateOne({"_id": f"thing-{n}"}, {"$set": {"seen": True}})
                for n in range(start, start + 150)
            ]

        results = await asyncio.gather(*(things.bulk_write(updates(s)) for s in (0, 150, 300, 450)))
        seen = await things.count_documents({"seen": True})
    finally:
        await client.close()

    assert [r.modified_count for r in results] == [150] * 4
    assert seen == 600


def test_stop_from_another_process_frees_ports_and_ends_processes(stack: LocalStack) -> None:
    pids = _pids(stack)
    ports = [stack.kafka.port, stack.kafka.controller_port, stack.ferretdb.port]
    # Only the data dir and ports are shared, as with `python -m stack down`.
    stop_elsewhere = (
        "import sys; from pathlib import Path; from stack import LocalStack; "
        "LocalStack(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), "
        "data_dir=Path(sys.argv[4])).stop(grace=10.0)"
    )
    args = [stack.layout.root, stack.kafka.port, stack.ferretdb.port, stack.data_dir]

    subprocess.run([sys.executable, "-c", stop_elsewhere, *map(str, args)], check=True, timeout=60)

    assert not [pid for pid in pids.values() if pid is not None and pid_alive(pid)]
    assert not [port for port in ports if port_in_use(port)]
    assert not list(stack.data_dir.glob("*/*.pid"))
    assert _pids(stack) == {"kafka": None, "ferretdb": None}
    stack.stop()  # stopping a stopped stack is fine


async def test_the_local_broker_refuses_a_client_that_does_not_authenticate(infra: Infra) -> None:
    if not infra.kafka.uses_sasl:
        pytest.skip("this session's broker was not started by the project (no SASL to test)")
    anonymous = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=3000)
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.stop()
    impostor = AIOKafkaProducer(
        **infra.kafka.as_principal("admin", "not-the-password").aiokafka_kwargs(),
        request_timeout_ms=3000,
    )
    with pytest.raises(KafkaConnectionError):
        await impostor.start()
    await impostor.stop()
