"""Alembic environment: the studio passes an open connection (see
`studio.store.db.Database.migrate`); run from the `alembic` command line, the URL comes from
$STUDIO_DATABASE_URL."""

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import studio.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from studio.store.db import database_url

    with create_engine(database_url()).begin() as new_connection:
        _run(new_connection)
