"""The hand-written full-text objects of the service basket, and schema comparisons blind to them.

Migration 0004 creates them outside the ORM metadata: an FTS5 table with its triggers on
SQLite, GIN indexes on PostgreSQL. Alembic's comparison of models and database (autogenerate,
and the models-vs-migrations test) would report them as "to be removed"; the filter below,
registered on Alembic's global comparators, drops exactly these objects from every comparison.
"""

from __future__ import annotations

from alembic.autogenerate import compare
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult

FTS_TABLE = "service_fts"  # SQLite: external-content FTS5 over service.search_text
TSVECTOR_INDEX = "ix_service_search_fts"  # PostgreSQL: GIN on to_tsvector('simple', ...)
TRIGRAM_INDEX = "ix_service_word_trgm"  # PostgreSQL: GIN trigram on service_word, if pg_trgm


def is_hand_made(name: object) -> bool:
    """The FTS5 table and its shadow tables (service_fts_data, ...) and the GIN indexes."""
    text = str(name or "")
    return (
        text == FTS_TABLE
        or text.startswith(f"{FTS_TABLE}_")
        or text
        in (
            TSVECTOR_INDEX,
            TRIGRAM_INDEX,
        )
    )


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """For `context.configure(include_name=...)`: do not even reflect them."""
    return not (type_ in ("table", "index") and is_hand_made(name))


def _keep(op: ops.MigrateOperation) -> bool:
    if isinstance(op, ops.DropTableOp):
        return not is_hand_made(op.table_name)
    if isinstance(op, ops.DropIndexOp):
        return not is_hand_made(op.index_name)
    if isinstance(op, ops.ModifyTableOps):
        op.ops = [inner for inner in op.ops if _keep(inner)]
        return bool(op.ops)
    return True


def _drop_hand_made(
    _context: AutogenContext, upgrade_ops: ops.UpgradeOps
) -> PriorityDispatchResult:
    upgrade_ops.ops = [op for op in upgrade_ops.ops if _keep(op)]
    return PriorityDispatchResult.CONTINUE


_registered = False


def hide_from_schema_comparisons() -> None:
    """Register the filter once per process, after Alembic's own comparators."""
    global _registered
    if not _registered:
        compare.comparators.dispatch_for("autogenerate", priority=DispatchPriority.LAST)(
            _drop_hand_made
        )
        _registered = True
