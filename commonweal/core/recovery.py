"""Long tasks that stop half way are found and put right, so nothing stays "running" for ever.

A process that runs a long task stamps it with `process_tag()` (host and process id) and a heartbeat.
A task is stale when its process is known to have ended (same host, no such process) or its heartbeat is
older than the task's window. Each app registers how its own tasks are recovered (`recovery_register`);
`recovery_run` runs them all, and runs when a task worker starts, before a spend import from the command
line, and from `commonweal recover`.

`pause_point` is the fault-injection hook the kill tests use: with COMMONWEAL_PAUSE_AT set to its name,
the process writes its id to COMMONWEAL_PAUSE_FILE and waits there to be killed.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

logger = logging.getLogger(__name__)
Recovery = Callable[[], list[str]]
_RECOVERIES: list[tuple[str, Recovery]] = []


def process_tag() -> str:
    """“host:pid” of this process, stored on what it runs so another process can tell if it has ended."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def process_ended(tag: str) -> bool:
    """True when `tag` names a process on this host that no longer exists; False when it runs, or runs
    elsewhere (then only its heartbeat can tell)."""
    host, _, pid = tag.rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, as another user's
        return False
    return _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A killed child its parent has not reaped yet still answers signal 0; it is as ended as can be."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


def is_stale(*, tag: str, heartbeat_at: datetime | None, now: datetime, window: timedelta) -> bool:
    if tag and process_ended(tag):
        return True
    return heartbeat_at is None or heartbeat_at < now - window


def recovery_register(name: str, recovery: Recovery) -> None:
    """Add an app's recovery (called from its AppConfig.ready); it returns a line per thing put right."""
    if all(existing != name for existing, _ in _RECOVERIES):
        _RECOVERIES.append((name, recovery))


def recovery_run() -> list[str]:
    """Run every registered recovery; one failing does not stop the others (it is logged)."""
    lines: list[str] = []
    for name, recovery in _RECOVERIES:
        try:
            lines.extend(recovery())
        except Exception:
            logger.exception("Recovering %s failed", name)
    return lines


def pause_point(name: str) -> None:
    """Wait here for ever when the environment asks (the kill tests); otherwise do nothing."""
    if os.environ.get("COMMONWEAL_PAUSE_AT") != name:
        return
    Path(os.environ["COMMONWEAL_PAUSE_FILE"]).write_text(str(os.getpid()))
    while True:
        time.sleep(0.05)
