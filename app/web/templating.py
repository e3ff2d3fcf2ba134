"""Jinja2 rendering: the full page for a normal request, the partial for htmx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2.parser import Parser
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from app.i18n import (
    LOCALE_NAMES,
    LOCALES,
    current_locale,
    template_gettext,
    template_ngettext,
    translations,
)
from app.web import timefmt
from app.web.linkify import linkify
from app.web.static_assets import static_url

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


class PageEnvironment(Environment):
    """The templates of one language, with that language's texts compiled in.

    Rendering a page used to look up each of its texts (`_('...')`, a few hundred on a
    caseload) in the catalog on every request, and to build a new template context for
    every `{% include %}` (three per caseload row). Both are decided by the template's
    source and the language alone, so they are done once, when a template is compiled
    (`fold_translations`, `inline_includes` below): each language has its own compiled
    templates, and the HTML is the same as rendering the source.
    """

    def __init__(self, locale: str, **options: Any) -> None:
        super().__init__(**options)
        self.locale = locale
        self.catalog = translations(locale)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        tree = inline_includes(self, tree, including=(name,))
        return fold_translations(self.catalog, tree)


def _build_environment(locale: str) -> PageEnvironment:
    env = PageEnvironment(
        locale,
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process (a changed template shows after a restart):
        # checking every template file on disk on every render cost each page its stats.
        auto_reload=False,
        cache_size=-1,  # every template stays compiled (there are about 150 per language)
    )
    # Texts that are not literals (`_(variable)`) are still looked up when rendered.
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals[_PLURAL] = _choose_plural()
    env.filters["date"] = timefmt.format_date
    env.filters["datetime"] = timefmt.format_datetime
    env.filters["time"] = timefmt.format_time
    env.filters["weekday_in_sentence"] = timefmt.weekday_in_sentence
    env.filters["last_whole_day"] = timefmt.last_whole_day
    env.filters["linkify"] = linkify
    env.globals["current_locale"] = current_locale
    env.globals["LOCALES"] = LOCALES
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    # Every static reference goes through this: hashed names, cached for good.
    env.globals["static_url"] = static_url
    return env


# -- compiling the texts in ------------------------------------------------------------

_GETTEXT = frozenset({"_", "gettext"})
_PLURAL = "_trinvis_plural"


def fold_translations(catalog: Any, tree: nodes.Template) -> nodes.Template:
    """`_('Text')` becomes the translated text, as Jinja's newstyle gettext would give it."""
    return _FoldTranslations(catalog).visit(tree)  # type: ignore[no-any-return]


class _FoldTranslations(NodeTransformer):
    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        name = node.node.name if isinstance(node.node, nodes.Name) else None
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return node
        literals = [a.value for a in node.args if isinstance(a, nodes.Const)]
        if name in _GETTEXT and len(node.args) == 1 and _all_text(literals, 1):
            return self._gettext(node, literals[0])
        if name == "ngettext" and len(node.args) == 3 and _all_text(literals[:2], 2):
            return self._ngettext(node, literals[0], literals[1])
        return node

    def _gettext(self, node: nodes.Call, message: str) -> nodes.Node:
        text = self.catalog.gettext(message)
        if not node.kwargs:
            try:
                text = text % {}  # newstyle gettext always formats ("%%" -> "%")
            except (KeyError, TypeError, ValueError):
                return node  # fails when rendered, as before
            return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)
        return nodes.Mod(
            nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno),
            _variables(node.kwargs, node.lineno),
            lineno=node.lineno,
        )

    def _ngettext(self, node: nodes.Call, singular: str, plural: str) -> nodes.Node:
        # The form depends on the number, known only when rendering: both translated
        # forms are compiled in, and the catalog's plural rule picks one.
        forms = (
            self.catalog.ngettext(singular, plural, 1),
            self.catalog.ngettext(singular, plural, 2),
        )
        count = node.args[2]
        pick = nodes.Call(
            nodes.Name(_PLURAL, "load", lineno=node.lineno),
            [nodes.Const(forms), count],
            [nodes.Keyword(k.key, k.value, lineno=node.lineno) for k in node.kwargs],
            None,
            None,
            lineno=node.lineno,
        )
        return pick


def _all_text(values: list[Any], count: int) -> bool:
    return len(values) == count and all(isinstance(v, str) for v in values)


def _variables(keywords: list[nodes.Keyword], lineno: int) -> nodes.Dict:
    return nodes.Dict(
        [nodes.Pair(nodes.Const(k.key), k.value, lineno=lineno) for k in keywords], lineno=lineno
    )


def _choose_plural() -> Callable[..., str]:
    # Both languages have two forms, the first for exactly one (`plural=(n != 1)`; a
    # test holds every catalog to it), so the form is picked without the catalog.
    @pass_eval_context
    def plural(eval_ctx: EvalContext, forms: tuple[str, str], num: int, **variables: Any) -> str:
        # What Jinja's newstyle ngettext does, with the lookup done at compile time.
        text = forms[0] if num == 1 else forms[1]
        rv: str = Markup(text) if eval_ctx.autoescape else text  # noqa: S704 (our catalog's text, as Jinja's ngettext)
        variables.setdefault("num", num)
        return rv % variables

    return plural


# -- includes compiled into the including template ---------------------------------------

# An included template with any of these is left as an include: they do not mean the
# same thing moved into another template.
_NOT_INLINED = (nodes.Extends, nodes.Block, nodes.Macro, nodes.Import, nodes.FromImport)


def inline_includes(
    env: Environment, tree: nodes.Template, *, including: tuple[str | None, ...]
) -> nodes.Template:
    """`{% include "x.html" %}` becomes x.html's body, in a scope of its own.

    Jinja renders an include with a new context holding the includer's variables; the
    included body placed in a `Scope` sees the same names and keeps its own `{% set %}`s
    to itself, as an include does, without the context built per render.
    """
    return _InlineIncludes(env, including).visit(tree)  # type: ignore[no-any-return]


class _InlineIncludes(NodeTransformer):
    def __init__(self, env: Environment, including: tuple[str | None, ...]) -> None:
        self.env = env
        self.including = including

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        name = node.template.value if isinstance(node.template, nodes.Const) else None
        if (
            not isinstance(name, str)
            or not node.with_context
            or node.ignore_missing
            or name in self.including  # an include of itself: leave it to Jinja
            or self.env.loader is None
        ):
            return node
        source, filename, _uptodate = self.env.loader.get_source(self.env, name)
        included = Parser(self.env, source, name, filename).parse()
        if any(True for _ in included.find_all(_NOT_INLINED)):
            return node
        inlined = _InlineIncludes(self.env, (*self.including, name)).visit(included)
        return nodes.Scope(inlined.body, lineno=node.lineno)


# Built last: they use the compiling helpers above.
environments = {locale: _build_environment(locale) for locale in LOCALES}


def environment() -> PageEnvironment:
    """The templates of the request's language."""
    return environments[current_locale()]


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template`, or `partial` when htmx asked for a fragment."""
    name = partial if partial and is_htmx(request) else template
    body = environment().get_template(name).render(page_context(request, context or {}))
    return HTMLResponse(body, status_code=status_code, headers=headers)


def render_fragment(template: str, request: Request, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(page_context(request, context))


def page_context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    state = request.state
    base = {
        "request": request,
        "user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "locale": current_locale(),
        "demo_mode": request.app.state.settings.demo_mode,
        "nav": getattr(state, "nav", None),
    }
    base.update(context)
    return base
