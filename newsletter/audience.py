"""Freezing an audience: one delivery row per subscriber, written by the database.

Editions (Delivery) and digests (DigestDelivery) both fix their recipients when sending
starts, so that who receives a message no longer depends on who subscribes or leaves
while it goes out. One INSERT ... SELECT writes every row without bringing the audience
into Python; ON CONFLICT DO NOTHING on the (parent, subscriber) unique constraint makes
running it twice (a retried task, beat firing twice) add only who is missing.
"""

from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import F, Model, QuerySet

from newsletter.models import Subscriber


def audience_freeze(
    *,
    model: type[Model],
    parent: str,
    parent_id: int,
    audience: QuerySet[Subscriber],
    copied: Iterable[str] = (),
    values: Mapping[str, object],
) -> int:
    """Add one `model` row per subscriber of `audience` to the parent `parent_id` (the
    foreign key named `parent`) and return how many were added. The subscriber's fields
    named in `copied` are copied to the row's fields of the same name; `values` gives
    every other column (the database sets no defaults of Django's)."""
    copied = list(copied)
    meta = model._meta
    rows = audience.values(
        audience_id=F("pk"), **{f"audience_{name}": F(name) for name in copied}
    ).order_by()
    select_sql, select_params = rows.query.sql_with_params()
    parent_column = meta.get_field(parent).column
    subscriber_column = meta.get_field("subscriber").column
    columns = [
        parent_column,
        subscriber_column,
        *(meta.get_field(name).column for name in copied),
        *(meta.get_field(name).column for name in values),
    ]
    selected = [
        "%s",
        "audience.audience_id",
        *(f"audience.audience_{name}" for name in copied),
        *(["%s"] * len(values)),
    ]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM ({select_sql}) AS audience WHERE true "
        f"ON CONFLICT ({parent_column}, {subscriber_column}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [parent_id, *values.values(), *select_params])
        return cursor.rowcount
