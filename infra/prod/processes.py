"""Detached processes with pid files: started in a session of their own, stopped by pid.

Each process leads its own session, so it outlives `make prod-up` and a Ctrl-C in that
terminal does not reach it; stopping signals the leader (which stops its own children:
granian its workers, nginx its workers), waits, then kills whatever of the session is left.
A pid file is trusted only for a process that already existed when the file was written, so
a pid the kernel has since handed to another program is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from infra.prod.layout import Layout

# Clock granularity between a process's start time and the pid file's mtime.
_START_SLACK_SECONDS = 1.0


@dataclass(frozen=True)
class Stopped:
    """What stopping one process took, for the operator's report."""

    name: str
    pid: int
    seconds: float
    forced: bool

    def line(self) -> str:
        how = "killed (SIGKILL after SIGTERM)" if self.forced else "stopped (SIGTERM)"
        return f"{self.name:<10} pid {self.pid:<8} {how} in {self.seconds:.1f} s"


def start(
    layout: Layout,
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> int:
    """Start `argv` detached, output appended to logs/NAME.log, pid in pids/NAME.pid."""
    with layout.log(name).open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own fixed programs, no shell
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    layout.pid_file(name).write_text(f"{process.pid}\n")
    return process.pid


def running(layout: Layout, name: str) -> psutil.Process | None:
    """The live process named by pids/NAME.pid, or None (absent, exited, or pid reused)."""
    path = layout.pid_file(name)
    try:
        pid = int(path.read_text().strip())
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            process.wait(0)  # our own child that has exited: reap it
            return None
        if process.create_time() > path.stat().st_mtime + _START_SLACK_SECONDS:
            return None
    except (FileNotFoundError, ValueError, psutil.Error):
        return None
    return process


def names(layout: Layout) -> list[str]:
    """The names of every process that has a pid file in this run."""
    return sorted(path.stem for path in layout.pids.glob("*.pid"))


def stop(layout: Layout, name: str, *, grace_seconds: float) -> Stopped | None:
    """SIGTERM the process, wait up to the grace period, then SIGKILL its whole session."""
    process = running(layout, name)
    layout.pid_file(name).unlink(missing_ok=True)
    if process is None:
        return None
    started = time.monotonic()
    session = _session_of(process.pid)
    with contextlib.suppress(psutil.NoSuchProcess):
        process.terminate()
    forced = False
    try:
        process.wait(grace_seconds)
    except psutil.TimeoutExpired:
        forced = True
    for member in [process, *session]:
        with contextlib.suppress(psutil.NoSuchProcess):
            if member.is_running() and member.status() != psutil.STATUS_ZOMBIE:
                member.kill()
                forced = True
    for member in [process, *session]:
        with contextlib.suppress(psutil.Error):
            member.wait(5)
    return Stopped(name, process.pid, time.monotonic() - started, forced)


def _session_of(leader: int) -> list[psutil.Process]:
    """Every other process in the session the leader started (its workers and helpers)."""
    members = []
    for candidate in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if candidate.pid != leader and os.getsid(candidate.pid) == leader:
                members.append(candidate)
    return members
