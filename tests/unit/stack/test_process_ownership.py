"""A server this process has just started is ours even before it has exec'd: until then its
command line is still this Python's, and a broker restarted on a busy machine was reported as
"exited during startup" (the crash suite's broker restart failed that way)."""

from __future__ import annotations

import sys
from pathlib import Path

from stack import procs
from stack.layout import Layout
from stack.services import Kafka


def test_a_child_this_process_spawned_is_ours_whatever_its_command_line(tmp_path: Path) -> None:
    kafka = Kafka(Layout.at(tmp_path), port=1)
    kafka.dir.mkdir(parents=True)
    # A command line that names nothing of the broker's directory, as before exec.
    pid = procs.spawn(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        log_file=tmp_path / "child.out",
        cwd=tmp_path,
    )
    kafka.pid_file.write_text(f"{pid}\n")
    try:
        assert procs.cmdline(pid) is not None
        assert str(kafka.dir) not in (procs.cmdline(pid) or "")
        assert kafka.pid() == pid
    finally:
        procs.kill_group(pid, grace=1.0)


def test_a_stranger_behind_a_stale_pid_file_is_not_taken_for_the_server(tmp_path: Path) -> None:
    kafka = Kafka(Layout.at(tmp_path), port=1)
    kafka.dir.mkdir(parents=True)
    kafka.pid_file.write_text("1\n")  # init: alive, not ours, its command line names no dir

    assert kafka.pid() is None
