"""Alembic environment: runs on the connection handed over by storage.db."""

from alembic import context

from storage.fulltext import include_name
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `kooperacje-bot db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,  # the hand-made full-text objects of 0004
)
with context.begin_transaction():
    context.run_migrations()
