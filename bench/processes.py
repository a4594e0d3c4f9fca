"""CPU of whole processes, read from ``/proc`` (Linux): the services', the database's and the
broker's, so a benchmark can show where each unit of work spends the machine's cores.

The infrastructure may be the project's local stack or the operator's: its processes are found by
the port they listen on (the socket's inode in ``/proc/net/tcp*``, then the process holding it),
which works for both as long as they run on this machine. A process not found is left out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

LISTEN = "0A"  # the TCP state column of /proc/net/tcp for a listening socket


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process and its reaped children (``/proc/<pid>/stat``)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process has gone
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17; fields[0] here is field 3 (state).
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            local, state, inode = columns[1], columns[3], columns[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def listener_pid(port: int) -> int | None:
    """The process listening on ``port`` on this machine, if it can be seen."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not sockets:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in sockets:
                    return int(entry.name)
        except OSError:  # gone, or not ours to read
            continue
    return None


def port_of(address: str) -> int | None:
    """The port of ``host:port`` or of a URI's first host (``mongodb://h:27017/``)."""
    authority = address.split("://", 1)[-1].split("/", 1)[0].split(",", 1)[0]
    _, _, port = authority.rpartition(":")
    return int(port) if port.isdigit() else None


class CpuMeter:
    """The CPU each named process spends between :meth:`start` and :meth:`stop`."""

    def __init__(self, pids: Mapping[str, int | None]) -> None:
        self.pids = {name: pid for name, pid in pids.items() if pid is not None}
        self._before: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) - self._before[name] for name, pid in self.pids.items()}
