"""PostgreSQL: the basket's full-text queries as functions that carry their planner settings

The planner misjudges `@@` on the expression index: with a LIMIT in sight it may scan the
table, re-parsing every row's text (a second for a word found nowhere), and starting parallel
workers costs more than these small queries. A search set `enable_seqscan` and the workers
around its statements and put them back after: two round trips of the seven of a `/koszyk`
update. A function's SET clause scopes them to the function by itself. SQLite: nothing.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 06:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SETTINGS = "SET enable_seqscan = off SET max_parallel_workers_per_gather = 0"
_MATCHES = "to_tsvector('simple', search_text) @@ to_tsquery('simple', q)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The count, the own municipality's ids and the first others, in one round trip: the first
    # count_n matches are read once (a materialized CTE).
    op.execute(
        "CREATE FUNCTION basket_find(q text, m integer, n integer, own_n integer, count_n integer)"
        " RETURNS TABLE (value bigint, part integer) LANGUAGE sql STABLE "
        f"{_SETTINGS} AS $$ "
        "WITH hits AS MATERIALIZED "
        f"(SELECT id, municipality_id FROM service WHERE {_MATCHES} LIMIT count_n) "
        "SELECT count(*), 2 FROM hits "
        "UNION ALL (SELECT id, 0 FROM service "
        f"WHERE municipality_id = m AND {_MATCHES} LIMIT own_n) "
        "UNION ALL (SELECT id, 1 FROM hits WHERE municipality_id IS DISTINCT FROM m "
        "ORDER BY id LIMIT n) $$"
    )
    op.execute(
        "CREATE FUNCTION basket_own(q text, m integer, n integer) RETURNS SETOF integer "
        f"LANGUAGE sql STABLE {_SETTINGS} AS $$ "
        f"SELECT id FROM service WHERE municipality_id = m AND {_MATCHES} LIMIT n $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION basket_own(text, integer, integer)")
    op.execute("DROP FUNCTION basket_find(text, integer, integer, integer, integer)")
