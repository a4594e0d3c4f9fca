"""Process and port helpers: spawn in own process group, pid files, liveness, port probes.

Every service runs as the leader of its own session/process group so that ``stop`` can signal
the whole group (a JVM or Go binary plus anything they spawn) and leave nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

LOCALHOST = "127.0.0.1"

# Popen objects of children started by this process, keyed by pid. Keeping them lets ``stop`` in
# the same process reap its children (no zombies, no "still running" ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


def _die_with_parent() -> None:
    """preexec hook: ask Linux to SIGTERM the child when the spawning thread dies (crash safety)."""
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(
    argv: Sequence[str],
    *,
    log_file: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    die_with_parent: bool = False,
) -> int:
    """Start ``argv`` detached in a new session, stdout+stderr appended to ``log_file``."""
    preexec: Callable[[], None] | None = None
    if die_with_parent and sys.platform.startswith("linux"):
        preexec = _die_with_parent
    with log_file.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - argv built by us, no shell
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Only calls prctl(2), which is safe between fork and exec even with threads.
            preexec_fn=preexec,
        )
    _children[proc.pid] = proc
    return proc.pid


def is_own_child(pid: int) -> bool:
    """``pid`` was started by :func:`spawn` in this process (and not reaped yet)."""
    return pid in _children


def _reap(pid: int) -> None:
    """Collect the exit status if ``pid`` is our own child, so it does not linger as a zombie."""
    proc = _children.get(pid)
    if proc is not None and proc.poll() is not None:
        del _children[pid]


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # Field 3, after the parenthesised command name (which may itself contain spaces).
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def pid_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def group_alive(pgid: int) -> bool:
    """True while any member of process group ``pgid`` is alive (a zombie leader counts as gone)."""
    _reap(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid_alive(pgid) or _group_has_live_member(pgid)


def _group_has_live_member(pgid: int) -> bool:
    proc = Path("/proc")
    if not proc.is_dir():
        return True  # cannot tell without /proc; killpg said the group exists
    for entry in proc.iterdir():
        if entry.name.isdigit() and int(entry.name) != pgid:
            with contextlib.suppress(OSError, ValueError):
                if os.getpgid(int(entry.name)) == pgid and not _is_zombie(int(entry.name)):
                    return True
    return False


def cmdline(pid: int) -> str | None:
    """The command line of ``pid`` (NUL-separated args joined by spaces), None if unknowable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace")


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def kill_group(pgid: int, *, grace: float, term_first: bool = True) -> None:
    """SIGTERM the group, wait up to ``grace`` seconds, then SIGKILL and wait until it is gone
    (``term_first=False``: SIGKILL alone, a crash with no shutdown at all)."""
    signals = ((signal.SIGTERM, grace),) if term_first else ()
    for sig, wait in (*signals, (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                _children.pop(pgid, None)
                return
            time.sleep(0.05)
    if group_alive(pgid):
        raise OSError(f"process group {pgid} survived SIGKILL")


def port_in_use(port: int, host: str = LOCALHOST) -> bool:
    """True if something listens on ``host:port`` (binding there would fail)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so sockets left in TIME_WAIT by a stopped server do not count as "in use"
        # (the servers bind with SO_REUSEADDR too).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def port_accepts(port: int, host: str = LOCALHOST, timeout: float = 0.5) -> bool:
    """True if a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_ports(count: int, host: str = LOCALHOST, avoid: Collection[int] = ()) -> list[int]:
    """``count`` distinct ports free right now, none in ``avoid``.

    The OS picks them; all sockets stay open until every port is chosen so no two are equal.
    A small race remains until a server actually binds the port.
    """
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
            if port not in avoid:
                ports.append(port)
        return ports


def free_port(host: str = LOCALHOST, avoid: Collection[int] = ()) -> int:
    return free_ports(1, host, avoid)[0]


def wait_port_free(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while port_in_use(port):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
