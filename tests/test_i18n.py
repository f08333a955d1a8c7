"""Translations: a complete, compiled Simplified Chinese catalogue; Chinese by default, English on request."""

from __future__ import annotations

import gettext as gettext_module
import os
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import get_locale, gettext

from community_hall.glossary import role_label

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "community_hall", "translations")
# Babel parses zh_CN as zh_Hans_CN, and gettext then looks in zh_Hans_CN/ or zh/ (see the loading test).
ZH_DIR = next((os.path.join(TRANSLATIONS, name, "LC_MESSAGES") for name in ("zh_Hans_CN", "zh", "zh_CN")
               if os.path.exists(os.path.join(TRANSLATIONS, name, "LC_MESSAGES", "messages.po"))),
              os.path.join(TRANSLATIONS, "zh_CN", "LC_MESSAGES"))
ZH_PO = os.path.join(ZH_DIR, "messages.po")
ZH_MO = os.path.join(ZH_DIR, "messages.mo")
# The same keywords as `make extract` (-k _l -k lazy_gettext on top of Babel's defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# %(name)s, %s, %d, %% ...: Jinja's gettext always applies %, so a stray % in a msgstr breaks the page.
FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def _read_po():
    with open(ZH_PO, "rb") as f:
        return read_po(f)


def _extracted():
    """(msgid, context, plural, filename) of every UI string in the source, per babel.cfg."""
    with open(os.path.join(ROOT, "babel.cfg")) as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = []
    for filename, _lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if msgid:
            found.append((msgid, context, plural, filename))
    return found


def _specs(text: str) -> list[str]:
    """The format specifications in text, and a bare "%" for each percent sign that is not part of one."""
    text = text or ""
    return sorted(FORMAT_SPEC.findall(text)) + ["%"] * FORMAT_SPEC.sub("", text).count("%")


@pytest.fixture(scope="module")
def catalogue():
    return _read_po()


def zh(msgid: str) -> str:
    """The Chinese translation of msgid, as the catalogue has it."""
    message = _read_po().get(msgid)
    assert message is not None and message.string, f"{msgid!r} is not translated"
    return message.string


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


def test_extraction_covers_python_and_templates_only(extracted):
    files = {filename.replace(os.sep, "/") for *_rest, filename in extracted}
    assert any(f.startswith("templates/") for f in files)
    assert any(f.startswith("community_hall/") and f.endswith(".py") for f in files)
    assert not [f for f in files if f.startswith((".venv/", "tests/"))]
    msgids = {msgid for msgid, *_rest in extracted}
    assert {"Skip to main content", "Station head", "This field is required."} <= msgids


def test_every_ui_string_is_translated(catalogue, extracted):
    """Fails when a string is added to the code or templates without a Chinese translation: run `make extract`."""
    assert catalogue.locale is not None and catalogue.locale.language == "zh"
    assert not catalogue.fuzzy, "the catalogue header is fuzzy, so pybabel compile would skip it"
    problems = []
    for msgid, context, plural, filename in extracted:
        message = catalogue.get(msgid, context)
        if message is None:
            problems.append(f"missing from messages.po: {msgid!r} ({filename})")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r} ({filename})")
        if plural is not None and not message.pluralizable:
            problems.append(f"needs plural forms: {msgid!r} ({filename})")
    assert not problems, "\n".join(problems)


def test_translations_keep_placeholders(catalogue):
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = _specs(ids[-1])
        for string in strings:
            if _specs(string) != expected:
                problems.append(f"{ids[0]!r}: {_specs(string)} != {expected}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_po(catalogue):
    """The .mo (built by `make messages`, not committed) is present and not older in content than the .po."""
    assert os.path.exists(ZH_MO), "messages.mo is missing: run `make messages`"
    with open(ZH_MO, "rb") as f:
        compiled = read_mo(f)
    def same(a, b):  # read_mo gives plural forms as a list, read_po as a tuple
        return (list(a) if isinstance(a, (list, tuple)) else a) == (list(b) if isinstance(b, (list, tuple)) else b)

    stale = [m.id for m in catalogue if m.id and (compiled.get(m.id, m.context) is None
                                                  or not same(compiled.get(m.id, m.context).string, m.string))]
    assert not stale, f"messages.mo is stale, run `make messages`: {stale[:5]}"


def test_flask_babel_finds_the_catalogue(app):
    """Flask-Babel loads <dir>/<str(get_locale())>/LC_MESSAGES/messages.mo, falling back only to the language."""
    with app.test_request_context("/"):
        locale = str(get_locale())
    found = gettext_module.find("messages", TRANSLATIONS, [locale])
    assert found is not None and os.path.samefile(found, ZH_MO), (
        f"Flask-Babel looks for the default locale as {locale!r} (directories {locale} or "
        f"{locale.split('_')[0]}), but the catalogue is {os.path.relpath(ZH_MO, ROOT)}")


def test_gettext_uses_the_compiled_chinese_catalogue(app):
    with app.test_request_context("/"):
        assert gettext("Sign in") == "登录"
        assert gettext("Community Hall") == "社区服务大厅"
        assert [role_label(r) for r in ("resident", "staff", "head", "district")] == [
            "居民", "工作人员", "站长", "街道管理员"]
    with app.test_request_context("/?lang=en"):
        assert gettext("Sign in") == "Sign in"
        assert role_label("head") == "Station head"


def test_chinese_by_default_english_on_request(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert zh("Community Hall") in html and zh("Skip to main content") in html
    assert "Skip to main content" not in html

    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Community Hall" in html and "Skip to main content" in html
    assert zh("Skip to main content") not in html
    assert client.get_cookie("hall_lang").value == "en"

    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Skip to main content" in html

    html = client.get("/?lang=zh_CN").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and zh("Skip to main content") in html
    assert client.get_cookie("hall_lang").value == "zh_CN"
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_unknown_language_falls_back_to_chinese(client):
    response = client.get("/?lang=xx")
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and zh("Community Hall") in html
    assert client.get_cookie("hall_lang") is None


def test_not_found_page_in_both_languages(client):
    response = client.get("/c/nope/")
    assert response.status_code == 404
    assert f"<h1>{zh('Page not found')}</h1>" in response.get_data(as_text=True)

    response = client.get("/c/nope/?lang=en")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)


def test_forbidden_page_in_both_languages(client, build, auth):
    build.two_communities()
    auth.login("res-a")
    response = client.get("/c/comm-a/members/new")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert f"<h1>{zh('Not allowed')}</h1>" in html and zh("Your account does not have permission to do this.") in html

    response = client.get("/c/comm-a/members/new?lang=en")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "<h1>Not allowed</h1>" in html and "Your account does not have permission to do this." in html
