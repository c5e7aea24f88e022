"""Alembic migrations shared by SQLite and PostgreSQL (run through app.db.migrate)."""
