"""Templates compiled per language give the HTML that rendering their source gives.

`app/web/templating.py` compiles each language's texts into its templates and places
included templates' bodies into the templates that include them. Each case here is
rendered twice: by that environment, and by a plain Jinja environment with Jinja's own
newstyle gettext looking the texts up at render time (what the app did before).
"""

from __future__ import annotations

import re

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from app.i18n import CATALOG_DIR, LOCALES, _current, template_gettext, template_ngettext
from app.web.templating import PageEnvironment, _choose_plural, environments

# Message ids with a Danish translation in the catalogs, so both paths translate.
TEMPLATES = {
    "page.html": (
        "<p>{{ _('Sign out') }}</p>"
        "<p>{{ _('Waiting since %(when)s', when=when) }}</p>"
        "<p>{{ _('100%% sure') }}</p>"
        "<p>{{ _(dynamic) }}</p>"
        "{% for n in counts %}<i>{{ ngettext('%(num)d day ago', '%(num)d days ago', n) }}</i>"
        "<b>{{ ngettext('%(num)d alert', '%(num)d alerts', n, extra=1) }}</b>{% endfor %}"
        "{% set outer = 'outer' %}"
        "{% for row in rows %}{% include 'row.html' %}{% endfor %}"
        "{% with trend = 5 %}{% include 'with.html' %}{% endwith %}"
        "<em>{{ inner is defined }}</em>{{ outer }}"
        "{% include 'macros.html' %}"
    ),
    "row.html": (
        "{% set inner = row.name ~ '!' %}<li>{{ inner }} {{ outer }} "
        "{{ _('Today') }}</li>{% include 'nested.html' %}"
    ),
    "nested.html": "<s>{{ row.name }}</s>",
    "with.html": "<u>{{ trend }}</u>",
    "macros.html": "{% macro m(x) %}<q>{{ x }}</q>{% endmacro %}{{ m(_('Never')) }}",
    "mail.txt": "{{ _('Waiting since %(when)s', when=when) }} {{ _('Sign out') }}",
}
CONTEXT = {
    "when": "<script>alert(1)</script> 5. dec",
    "dynamic": "Today",
    "counts": [0, 1, 2, 21],
    "rows": [{"name": "<Ada>"}, {"name": "Bo & Co"}],
}


def plain_environment() -> Environment:
    env = Environment(
        loader=DictLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def compiled_environment(locale: str) -> PageEnvironment:
    env = PageEnvironment(
        locale,
        loader=DictLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_trinvis_plural"] = _choose_plural()
    return env


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ["page.html", "mail.txt"])
def test_compiled_templates_render_what_the_source_renders(locale, name):
    token = _current.set(locale)
    try:
        expected = plain_environment().get_template(name).render(CONTEXT)
        got = compiled_environment(locale).get_template(name).render(CONTEXT)
    finally:
        _current.reset(token)
    assert got == expected
    if name == "page.html":
        assert "&lt;script&gt;" in got and "<script>" not in got  # placeholders escaped
        assert "100% sure" in got
        assert ("Log ud" if locale == "da" else "Sign out") in got
        assert "<em>False</em>outer" in got  # an include's own `set` stays inside it
        assert "&lt;Ada&gt;! outer" in got  # loop variables reach the included body


def test_the_texts_are_compiled_in_and_the_includes_placed_inside():
    source = compiled_environment("da").compile(TEMPLATES["page.html"], name="page.html", raw=True)
    assert "Log ud" in source and "Sign out" not in source  # the Danish text, no lookup
    assert "row.html" not in source and "nested.html" not in source  # placed inside
    assert "macros.html" in source  # a template with a macro stays an include


def test_a_template_that_includes_itself_is_left_to_jinja():
    env = compiled_environment("da")
    env.loader = DictLoader(
        {"loop.html": "{% if n %}{% set n = n - 1 %}{% include 'loop.html' %}{% endif %}x"}
    )
    assert env.get_template("loop.html").render(n=2) == "xxx"


def test_every_catalog_picks_the_first_form_for_exactly_one():
    # `_choose_plural` relies on it; a language with other plural rules needs its own.
    # (A catalog without the header gets gettext's default, which is this rule.)
    for po_file in sorted(CATALOG_DIR.glob("*/*.po")):
        header = re.search(r'"Plural-Forms: ([^"\\]*)', po_file.read_text(encoding="utf-8"))
        if header:
            assert header.group(1).replace(" ", "") == "nplurals=2;plural=(n!=1);", po_file


def test_the_app_compiles_every_template_in_both_languages():
    for env in environments.values():
        for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
            env.get_template(name)
