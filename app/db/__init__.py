"""Database layer: models, engine, migrations and typed errors."""
