"""Community Hall (社区服务大厅): the application factory."""

from __future__ import annotations

import os

from flask import Flask, g, request
from flask_login import current_user

from . import arrangements, config, errorpages, formatting, glossary, htmx, pagecache, preferences, security, tenancy
from .converters import register as register_converters
from .extensions import babel, csrf, limiter, login_manager
from .sessions import KeptSerializerSessionInterface

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, or from test_config in tests."""
    app = Flask(__name__, instance_path=os.path.join(ROOT, "instance"),
                template_folder=os.path.join(ROOT, "templates"), static_folder=os.path.join(ROOT, "static"))
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_mapping(config.from_environment(app.instance_path))
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.config["HALL_DATA_DIR"], exist_ok=True)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    app.session_interface = KeptSerializerSessionInterface()
    register_converters(app)
    tenancy.init_app(app)
    pagecache.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    limits_checked_by_their_views(app)
    errorpages.register(app)
    register_hooks(app)
    register_commands(app)
    if app.config["HALL_ENV"] == "production":
        from . import production

        production.check(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind Babel, CSRF, Flask-Login and Flask-Limiter."""
    babel.init_app(app, locale_selector=preferences.select_locale,
                   default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"))
    csrf.init_app(app)
    # The limiter is one object shared by every app in the process, and init_app takes "enabled" from the last
    # app's setting unless this app names its own: an app built with limits off must not switch them off for others.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str):
        from .accounts.identity import session_user

        return session_user(int(user_id)) if user_id.isdigit() else None


def limits_checked_by_their_views(app: Flask) -> None:
    """Drop Flask-Limiter's check before every request when every limit is a decorator on its view."""
    # Flask-Limiter 4.1 has no switch for this. Its before_request hook checks only default, application, meta,
    # blueprint and fallback limits (it skips decorated ones, which the decorated view checks itself when
    # called), yet costs about a tenth of a cached page on every route. The app declares none of those kinds;
    # should one ever be configured (e.g. RATELIMIT_DEFAULT), the hook stays. tests/test_rate_limits.py shows
    # every limit still refusing with 429.
    manager = limiter.limit_manager
    if (manager._default_limits or manager._application_limits or manager._blueprint_limits
            or limiter._meta_limits or limiter._in_memory_fallback):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def register_blueprints(app: Flask) -> None:
    """Each capability is one blueprint."""
    from .accounts.data_views import bp as privacy_bp
    from .accounts.views import bp as accounts_bp
    from .api.views import bp as api_bp
    from .appointments.views import bp as appointments_bp
    from .auditlog.views import bp as auditlog_bp
    from .communities.views import bp as communities_bp
    from .complaints.views import bp as complaints_bp
    from .disclosure.dashboard_views import bp as dashboard_bp
    from .disclosure.district_views import bp as district_bp
    from .disclosure.views import bp as disclosure_bp
    from .floor.views import bp as floor_bp
    from .menu.views import bp as menu_bp
    from .rosters.duty_views import bp as duty_bp
    from .rosters.views import bp as rosters_bp
    from .routing.views import bp as routing_bp
    from .timebank.activity_views import bp as activities_bp
    from .timebank.certificate_views import bp as certificates_bp
    from .timebank.hours_views import bp as hours_bp
    from .timebank.order_views import bp as orders_bp
    from .timebank.views import bp as timebank_bp
    from .visits.views import bp as visits_bp
    from .window.ratings_views import bp as ratings_bp
    from .window.views import bp as window_bp

    app.register_blueprint(communities_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(preferences.bp)
    app.register_blueprint(menu_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(window_bp)
    app.register_blueprint(ratings_bp)
    app.register_blueprint(floor_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(visits_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(rosters_bp)
    app.register_blueprint(duty_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(district_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(timebank_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(hours_bp)
    app.register_blueprint(disclosure_bp)
    app.register_blueprint(auditlog_bp)


def register_hooks(app: Flask) -> None:
    """Per-response headers and template globals."""
    app.jinja_env.add_extension("jinja2.ext.do")
    glossary.register(app)
    formatting.register(app)
    app.before_request(security.refuse_nul)
    app.after_request(security.add_headers)
    app.after_request(htmx.add_vary)
    app.after_request(preferences.remember_language)

    @app.context_processor
    def hall_context():
        from flask_babel import get_locale

        from .accounts.policy import can, is_district_admin

        roles = g.get("roles", frozenset())

        def calendar_warning() -> list[int]:
            # Heads and the street office plan the weeks ahead: tell them when those weeks rest on provisional days.
            if not (can(roles, "calendar.manage") or is_district_admin(current_user)):
                return []
            return arrangements.warning_years(getattr(g.get("community"), "timezone", None))

        return {
            "community": g.get("community"),
            "roles": roles,
            "can": lambda permission: can(roles, permission),
            "is_district_admin": lambda: is_district_admin(current_user),
            "calendar_warning": calendar_warning,
            "elderly": preferences.elderly_mode(),
            "lang_url": preferences.lang_url,
            # Babel names zh_CN "zh_Hans_CN"; the page only needs to know Chinese or English.
            "locale": "zh_CN" if get_locale().language == "zh" else "en",
            "html_lang": "zh-CN" if get_locale().language == "zh" else "en",
            "current_path": request.full_path.rstrip("?") if request else "/",
        }


def register_commands(app: Flask) -> None:
    """The `flask --app app hall ...` admin commands."""
    from .cli import hall

    app.cli.add_command(hall)
