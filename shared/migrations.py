"""Alembic helpers: every service's ``migrations/env.py`` is three lines calling ``run_env``."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Engine, MetaData, engine_from_config, pool


def alembic_config(script_location: str | Path, url: str | None = None) -> Config:
    """An Alembic config for one service's migration folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, script_location: str | Path, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``."""
    cfg = alembic_config(script_location)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of a service's Alembic ``env.py`` (online mode; offline renders SQL)."""
    cfg = context.config
    if context.is_offline_mode():
        context.configure(
            url=cfg.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = cfg.attributes.get("connection")
    if connection is None:
        engine = engine_from_config(
            cfg.get_section(cfg.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.begin() as connection:
            _run(connection, target_metadata)
    else:
        _run(connection, target_metadata)


def _run(connection, target_metadata: MetaData) -> None:
    # Batch mode lets ALTER TABLE work on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
