"""Queued tasks whose worker stopped half way (killed, or its machine lost) are retried or failed with
the reason, so none stays "running" for ever. Every task the project queues is safe to run again: a spend
import runs only from "queued", reminders are recorded once per period, an email at worst goes twice."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .recovery import is_stale, process_tag

WORKER_LOST = "commonweal.core.services_tasks.WorkerLost"
# The task worker's id: its process tag (host:pid, for `process_ended`) and a random part (ids are unique).
WORKER_ID_MAX = 64


def worker_id(random_part: str) -> str:
    return f"{process_tag()}:{random_part}"[:WORKER_ID_MAX]


def _worker_process(result: DBTaskResult) -> str:
    """The process tag in the id of the worker that claimed `result` last ("" if it has none)."""
    last = result.worker_ids[-1] if result.worker_ids else ""
    return last.rpartition(":")[0] if last.count(":") >= 2 else ""


def _lost_before(result: DBTaskResult) -> int:
    """How many times the same task with the same arguments was lost with its worker already."""
    earlier = DBTaskResult.objects.filter(
        task_path=result.task_path, status="FAILED", exception_class_path=WORKER_LOST
    ).exclude(pk=result.pk)
    return sum(1 for other in earlier.only("args_kwargs") if other.args_kwargs == result.args_kwargs)


def task_results_recover() -> list[str]:
    """Fail every running task whose worker has ended (or has run it past `TASK_STALE_SECONDS`), and
    queue it again unless it has been lost `TASK_RETRIES_MAX` times already."""
    now = timezone.now()
    window = timedelta(seconds=settings.TASK_STALE_SECONDS)
    lines = []
    for result in DBTaskResult.objects.filter(status="RUNNING"):
        process = _worker_process(result)
        if not is_stale(tag=process, heartbeat_at=result.started_at, now=now, window=window):
            continue
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().filter(pk=result.pk, status="RUNNING").first()
            if locked is None:
                continue  # finished or recovered meanwhile
            locked.status = "FAILED"
            locked.finished_at = now
            locked.exception_class_path = WORKER_LOST
            locked.traceback = f"The worker running this task ({process or 'unknown'}) stopped before it finished."
            locked.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            name = locked.task_path.rsplit(".", 1)[-1]
            if _lost_before(locked) < settings.TASK_RETRIES_MAX:
                locked.task.enqueue(*locked.args_kwargs["args"], **locked.args_kwargs["kwargs"])
                lines.append(f"Task {name} ({locked.pk}) lost its worker: queued again.")
            else:
                lines.append(f"Task {name} ({locked.pk}) lost its worker too often: failed.")
    return lines
