"""The app as gunicorn serves it in the soak: production code, rate limits raised (one address sends everything)."""

from community_hall import create_app

app = create_app()
# Every client of the soak comes from 127.0.0.1; the limits are tested elsewhere, here they would only refuse.
app.config.update(PUBLIC_FORM_RATE_LIMIT="1000000 per hour", LOGIN_RATE_LIMIT="1000 per minute",
                  API_RATE_LIMIT="1000000 per minute")
