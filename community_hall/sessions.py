"""Flask's signed-cookie sessions, without rebuilding the signing serializer on every request."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's; the serializer is built once per set of keys, and not at all for a request
    without a session cookie (a first-time visitor of a cached page: it was about a tenth of such a request)."""

    def __init__(self):
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is not None:   # a serializer keeps no per-request state: one per key set is enough
                self._serializers = {key: found}
        return found

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
