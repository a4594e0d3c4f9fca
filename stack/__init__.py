"""The real local stack for development and tests: Apache Kafka (KRaft) + FerretDB, no Docker.

``python -m stack fetch|up|down|status`` drives it from the shell; tests use :class:`LocalStack`
through the ``infra`` fixture in ``tests/infra.py``.
"""

from stack.errors import StackError, ToolMissingError
from stack.fetch import fetch_all
from stack.layout import Layout, default_root
from stack.local import LocalStack
from stack.procs import free_port, free_ports
from stack.services import ServiceStatus

__all__ = [
    "Layout",
    "LocalStack",
    "ServiceStatus",
    "StackError",
    "ToolMissingError",
    "default_root",
    "fetch_all",
    "free_port",
    "free_ports",
]
