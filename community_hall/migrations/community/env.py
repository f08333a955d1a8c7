"""Alembic environment: shared with the other script directory, see community_hall.migrate."""

from community_hall.migrate import run_env

run_env()
