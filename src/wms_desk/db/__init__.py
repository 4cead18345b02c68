"""Persistence: SQLAlchemy 2.0 models, engine factory, screen queries and Alembic migrations."""
