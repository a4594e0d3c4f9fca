"""``python -m stack fetch|up|down|status``: the local Kafka + FerretDB stack, no Docker.

Environment: MICROCRED_STACK_DIR (default <repo>/.stack), MICROCRED_KAFKA_PORT (9092),
MICROCRED_MONGO_PORT (27017), MICROCRED_KAFKA_BROKERS (1: one broker; 3: a cluster of three on
MICROCRED_KAFKA_PORT and the next two ports). Errors print one ``error: ...`` line and exit
non-zero.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from stack.cluster import BROKERS_ENV, MAX_BROKERS
from stack.errors import StackError
from stack.fetch import fetch_all
from stack.layout import KAFKA_PORT_ENV, MONGO_PORT_ENV, Layout, default_root
from stack.local import LocalStack
from stack.services import KAFKA_ADMIN_USER

PARTS = ("kafka", "ferretdb")


def _port(env: str, default: int) -> int:
    raw = os.environ.get(env, str(default))
    try:
        return int(raw)
    except ValueError:
        raise StackError(f"{env}={raw!r} is not a port number") from None


def stack_from_env() -> LocalStack:
    """The stack the CLI (and `make stack-*`) manages: default ports, data in <root>/run."""
    root, kafka_port, mongo_port = (
        default_root(),
        _port(KAFKA_PORT_ENV, 9092),
        _port(MONGO_PORT_ENV, 27017),
    )
    single = LocalStack(root, kafka_port, mongo_port)
    cluster_ports = _cluster_ports(single, kafka_port)
    if not cluster_ports:
        return single
    return LocalStack(root, kafka_port, mongo_port, kafka_cluster_ports=cluster_ports)


def _cluster_ports(single: LocalStack, kafka_port: int) -> list[int]:
    """The brokers' ports when MICROCRED_KAFKA_BROKERS asks for a cluster, or when a cluster
    started earlier still runs (so `down` and `status` need not be told again)."""
    raw = os.environ.get(BROKERS_ENV)
    if raw is None:
        if single.cluster_record.is_file():
            return [int(port) for port in single.cluster_record.read_text().split()]
        return []
    try:
        brokers = int(raw)
    except ValueError:
        raise StackError(f"{BROKERS_ENV}={raw!r} is not a number of brokers") from None
    if not 1 <= brokers <= MAX_BROKERS:
        raise StackError(f"{BROKERS_ENV}={brokers}: choose 1 (one broker) to {MAX_BROKERS}")
    return [kafka_port + n for n in range(brokers)] if brokers > 1 else []


def _fetch(args: argparse.Namespace) -> int:
    which = set(args.what or PARTS)
    if not which <= set(PARTS):
        raise StackError(f"fetch: unknown part(s) {sorted(which - set(PARTS))}; choose {PARTS}")
    fetch_all(Layout.at(default_root()), kafka="kafka" in which, ferretdb="ferretdb" in which)
    return 0


def _up(args: argparse.Namespace) -> int:
    stack = stack_from_env()
    started = time.monotonic()
    launched = stack.start(timeout=args.timeout)
    elapsed = time.monotonic() - started
    what = f"started {' and '.join(launched)} in {elapsed:.1f}s" if launched else "already up"
    print(f"stack healthy: {what} (data: {stack.data_dir})")
    print(f"KAFKA_BOOTSTRAP_SERVERS={stack.kafka_bootstrap}")
    print(f"MONGODB_URI={stack.mongodb_uri}")
    # Every client authenticates; the operator's principal is in a file, not on the screen.
    print("MICROCRED_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT")
    print(f"MICROCRED_KAFKA_USERNAME={KAFKA_ADMIN_USER}")
    print(f'MICROCRED_KAFKA_PASSWORD=<the "admin" entry of {stack.kafka.credentials_file}>')
    if stack.is_cluster:
        # Topics then get 3 copies, min ISR 2 (microcred_shared/messaging/topic_layout.py).
        print(f"# a cluster of {len(stack.kafka_nodes)} brokers; stop it with `make stack-down`")
    return 0


def _down(args: argparse.Namespace) -> int:
    started = time.monotonic()
    stack_from_env().stop(grace=args.grace)
    print(f"stack stopped in {time.monotonic() - started:.1f}s")
    return 0


def _status(args: argparse.Namespace) -> int:
    statuses = stack_from_env().status()
    for status in statuses:
        print(status.describe())
    # Non-zero unless everything is up, so scripts can do `python -m stack status && ...`.
    return 0 if all(s.healthy for s in statuses) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download Kafka jars (Maven) and build FerretDB (Go)")
    # No `choices=`: Python 3.11's argparse rejects an empty nargs="*" list against choices.
    fetch.add_argument("what", nargs="*", metavar="{kafka,ferretdb}", help="default: both")
    fetch.set_defaults(func=_fetch)
    up = sub.add_parser("up", help="start Kafka and FerretDB, wait until healthy")
    up.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for health")
    up.set_defaults(func=_up)
    down = sub.add_parser("down", help="stop both servers, leaving no process or port behind")
    down.add_argument(
        "--grace", type=float, default=20.0, help="seconds between SIGTERM and SIGKILL"
    )
    down.set_defaults(func=_down)
    sub.add_parser("status", help="show pid and health of each server").set_defaults(func=_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
