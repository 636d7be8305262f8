"""Alembic migrations of the readiness database (see `readiness.storage.migrate.upgrade_schema`).

`readiness db upgrade` applies them; `Store()` does so on first use. No alembic.ini is needed:
the configuration is built in code by `readiness.storage.migrate.alembic_config`.
"""
