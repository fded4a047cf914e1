"""Worked-out budget figures shared by every process: an open year's `Budget` is kept in the database
(`StoredFigures`) under the organisation's figures version and the day, so any web process serves it
without working it out again, and the task worker works the open years out again after each change
(`refresh_schedule`, called by `signals.figures_changed`), so that a page after a change rarely waits.

Like a cache, this holds derived data only: a stored row whose version or day is not the current one is
never served, so a change is never hidden."""

from datetime import date

from django.db import IntegrityError, transaction

from .budget import Budget, budget_from_dict
from .models import FiguresVersion, FinancialYear, StoredFigures


def figures_read(*, year: FinancialYear, shares: bool, as_at: date, version: int) -> Budget | None:
    """The stored figures of the year, if they were worked out for this version and day."""
    data = (
        StoredFigures.objects.filter(year=year, shares=shares, as_at=as_at, version=version)
        .values_list("figures", flat=True)
        .first()
    )
    return budget_from_dict(data) if data is not None else None


def figures_keep(*, year: FinancialYear, shares: bool, as_at: date, version: int, figures: Budget) -> None:
    """Store the figures worked out for `version` (read before they were worked out, so a change made
    meanwhile leaves them stale, not wrong). An older version never replaces a newer one."""
    values = {"as_at": as_at, "version": version, "figures": figures.as_dict()}
    with transaction.atomic():
        updated = StoredFigures.objects.filter(year=year, shares=shares, version__lte=version).update(**values)
        if updated or StoredFigures.objects.filter(year=year, shares=shares).exists():
            return
        try:
            with transaction.atomic():  # another process may store the first row at the same moment
                StoredFigures.objects.create(organisation_id=year.organisation_id, year=year, shares=shares, **values)
        except IntegrityError:
            pass


def refresh_schedule(organisation_id: int) -> None:
    """Ask the worker, once the change commits, to work the organisation's open years out again; at most
    one such task waits at a time (`FiguresVersion.refresh_queued`)."""
    if FiguresVersion.objects.filter(organisation_id=organisation_id, refresh_queued=False).update(refresh_queued=True):
        from .tasks import figures_refresh_task

        transaction.on_commit(lambda: figures_refresh_task.enqueue(organisation_id=organisation_id))
