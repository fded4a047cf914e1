"""Fast inserts of many rows: one `executemany` of a plain INSERT, without the ORM.

`Model.objects.bulk_create` builds a model instance per row and compiles every value of every row
through its field (about 40 µs a row for a ten-column model); an import that adds thousands of suppliers
spent most of its database time there. Here a row is a tuple of values already in the database's Python
form (str, int, bool, None); the timestamps of `TimeStampedModel` are filled in once for all rows. It
works on SQLite and PostgreSQL alike (both drivers take `%s` placeholders through Django's cursor).

Nothing here runs model `save()` or signals, so use it only for models that need neither. The ids of the
new rows are not returned: look them up by a unique key afterwards.
"""

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

BATCH_ROWS = 2000


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_rows: int = BATCH_ROWS
) -> int:
    """Insert `rows` (tuples in the order of the field names `columns`) into `model`'s table; return how many.

    A ForeignKey is named by its field name ("supplier") and given the related row's id. `created_at` and
    `updated_at` (auto_now_add / auto_now fields) not in `columns` are set to now."""
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    database = router.db_for_write(model)
    connection = connections[database]
    now = timezone.now()
    stamped = [
        field
        for field in meta.concrete_fields
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or field.auto_now_add)
        and field.name not in columns
    ]
    stamps = tuple(field.get_db_prep_save(now, connection) for field in stamped)
    names = [str(field.column) for field in [*fields, *stamped]]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(name) for name in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := [tuple(row) + stamps for row in islice(iterator, batch_rows)]:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
