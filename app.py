"""Entry point: `flask --app app run` and `gunicorn app:app`."""

from community_hall import create_app

app = create_app()
