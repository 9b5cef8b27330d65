"""The rows a person's membership is read from, in SQL written out once per process.

Every signed-in page asks for the person's membership. Composed by the ORM, its two
queries (subscriptions with their plan, organisation and oldest unpaid invoice; then
grants) cost about 2.5 ms of CPU a request, several times the database's own time. The
statements here ask exactly what those querysets asked, table and column names taken
from the models so they follow them; the rows are read into model instances with the
converters the ORM itself applies, so the access rules (subscriptions.py) see the same
objects either way.
"""

from datetime import date
from functools import cache as once

from django.db import connection, models

from members.access.seats_paid import seats_ahead_sql
from members.access.subscriptions import STATUSES_THAT_MAY_GIVE_ACCESS, UNPAID_INVOICE_STATUSES
from members.models import Invoice, MembershipGrant, Organisation, Plan, Seat, Subscription


def holder_sql(alias: str) -> str:
    """Rows of table `alias` held by the person (%(user)s) or by an organisation where
    they hold a seat. The organisations are a subquery rather than a join, so no row
    comes back twice and the statement needs no DISTINCT."""
    return (
        f"({alias}.user_id = %(user)s OR {alias}.organisation_id IN "
        f"(SELECT organisation_id FROM {Seat._meta.db_table} WHERE user_id = %(user)s))"
    )


def _converters(db, field: models.Field) -> list:
    # What the ORM's compiler applies to a column (SQLCompiler.get_converters): the
    # backend's, then the field's own.
    column = field.get_col(field.model._meta.db_table)
    return [
        (converter, column)
        for converter in db.ops.get_db_converters(column) + field.get_db_converters(db)
    ]


def _convert(db, value, converters: list):
    for converter, column in converters:
        value = converter(value, column, db)
    return value


class _Columns:
    """A model's concrete columns in a SELECT, and the reading of them back."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.pk_index = self.names.index(model._meta.pk.attname)
        self.sql = ", ".join(
            f"{alias}.{connection.ops.quote_name(field.column)}" for field in self.fields
        )
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def read(self, db, row, start: int) -> models.Model | None:
        """The instance in row[start:start + len(self)], None when a LEFT JOIN found none."""
        values = row[start : start + len(self)]
        if values[self.pk_index] is None:
            return None
        if db.alias not in self._converters:
            self._converters[db.alias] = [_converters(db, field) for field in self.fields]
        values = [
            _convert(db, value, converters) if converters else value
            for value, converters in zip(values, self._converters[db.alias], strict=True)
        ]
        return self.model.from_db(db.alias, self.names, values)


@once
def _subscription_statement() -> tuple[str, dict, _Columns, _Columns, _Columns]:
    """The statement, its parameters but the person, and the columns it reads."""
    subscription = _Columns(Subscription, "s")
    plan = _Columns(Plan, "p")
    organisation = _Columns(Organisation, "o")
    statuses = ", ".join(f"%(status_{n})s" for n in range(len(STATUSES_THAT_MAY_GIVE_ACCESS)))
    unpaid = ", ".join(f"%(unpaid_{n})s" for n in range(len(UNPAID_INVOICE_STATUSES)))
    sql = (
        f"SELECT {subscription.sql}, {plan.sql}, {organisation.sql}, "
        # The due date of the oldest unpaid invoice (subscriptions.with_earliest_unpaid_due).
        f"(SELECT MIN(i.due_date) FROM {Invoice._meta.db_table} i "
        f"WHERE i.subscription_id = s.id AND i.status IN ({unpaid}) "
        "AND i.paid_out_of_band = %(false)s AND i.due_date IS NOT NULL), "
        # Where the person's seat stands among the organisation's (access/seats_paid.py).
        f"{seats_ahead_sql('s.organisation_id')} "
        f"FROM {Subscription._meta.db_table} s "
        f"JOIN {Plan._meta.db_table} p ON p.id = s.plan_id "
        f"LEFT JOIN {Organisation._meta.db_table} o ON o.id = s.organisation_id "
        f"WHERE {holder_sql('s')} AND s.status IN ({statuses}) "
        # A personal subscription first, then seats, newest first.
        "ORDER BY CASE WHEN s.organisation_id IS NULL THEN 0 ELSE 1 END, s.organisation_id, "
        "s.created_at DESC"
    )
    params = {"false": False}
    params.update({f"status_{n}": s for n, s in enumerate(STATUSES_THAT_MAY_GIVE_ACCESS)})
    params.update({f"unpaid_{n}": s for n, s in enumerate(UNPAID_INVOICE_STATUSES)})
    return sql, params, subscription, plan, organisation


def subscriptions_that_may_give_access(user) -> list[Subscription]:
    """The person's subscriptions and their organisations' in a state that may give
    access, personal first, each with its plan, organisation, `earliest_unpaid_due` and
    `seats_ahead` (the seats before the person's own in the organisation's order)."""
    sql, params, subscription_columns, plan_columns, organisation_columns = (
        _subscription_statement()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "user": user.pk})
        rows = cursor.fetchall()
    due_converters = _converters(connection, Invoice._meta.get_field("due_date"))
    found = []
    for row in rows:
        subscription = subscription_columns.read(connection, row, 0)
        at = len(subscription_columns)
        Subscription.plan.field.set_cached_value(
            subscription, plan_columns.read(connection, row, at)
        )
        at += len(plan_columns)
        Subscription.organisation.field.set_cached_value(
            subscription, organisation_columns.read(connection, row, at)
        )
        at += len(organisation_columns)
        subscription.earliest_unpaid_due = _convert(connection, row[at], due_converters)
        subscription.seats_ahead = row[at + 1]
        found.append(subscription)
    return found


@once
def _grant_statement() -> tuple[str, _Columns, _Columns]:
    grant = _Columns(MembershipGrant, "g")
    organisation = _Columns(Organisation, "o")
    sql = (
        f"SELECT {grant.sql}, {organisation.sql}, {seats_ahead_sql('g.organisation_id')} "
        f"FROM {MembershipGrant._meta.db_table} g "
        f"LEFT JOIN {Organisation._meta.db_table} o ON o.id = g.organisation_id "
        f"WHERE g.starts_on <= %(today)s AND g.ends_on >= %(today)s AND {holder_sql('g')} "
        # A personal grant first, then the one with most seats, then the one that runs
        # longest.
        "ORDER BY CASE WHEN g.organisation_id IS NULL THEN 0 ELSE 1 END, g.organisation_id, "
        "g.seats DESC, g.ends_on DESC"
    )
    return sql, grant, organisation


def current_grants(user, today: date) -> list[MembershipGrant]:
    """The grants that may give the person access on `today`, in order of preference,
    each with its organisation and `seats_ahead` (as for subscriptions)."""
    sql, grant_columns, organisation_columns = _grant_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "today": today.isoformat()})
        rows = cursor.fetchall()
    found = []
    for row in rows:
        grant = grant_columns.read(connection, row, 0)
        MembershipGrant.organisation.field.set_cached_value(
            grant, organisation_columns.read(connection, row, len(grant_columns))
        )
        grant.seats_ahead = row[len(grant_columns) + len(organisation_columns)]
        found.append(grant)
    return found
