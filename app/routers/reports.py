"""The leaders' key-figure report: the page and its CSV. HTTP only; the figures are
defined and computed in app/services/key_figures/."""

from __future__ import annotations

from fastapi import Request, Response

from app.clock import in_copenhagen
from app.db import SessionDep
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.key_figures.export import report_csv
from app.services.key_figures.period import ReportForm, default_values, half_years_offered
from app.services.key_figures.report import KeyFigureReport, key_figure_report
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
PAGE, PART = "reports/key_figures.html", "reports/_key_figures.html"


async def _report(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, *, csv: bool
) -> Response:
    """The report asked for (the last half-year that has ended by default), as the page or
    its CSV; or the page with the form's errors. Only whole half-years: no other period
    can be asked for (see `period.py`)."""
    today = in_copenhagen(now).date()
    typed = {k: v for k, v in request.query_params.items() if k in ("half", "scope")}
    values = {**default_values(today), **typed}

    def page(report: KeyFigureReport | None, form: FormState) -> Response:
        options = [(h.key, h.label) for h in half_years_offered(today)]
        context = {
            "report": report,
            "errors": form.errors,
            "values": form.values,
            "now": now,
            "half_years": options,
        }
        return render(request, PAGE, context, partial=None if csv else PART)

    return await handle_form(
        request,
        ReportForm,
        save=lambda form: key_figure_report(
            db, actor=user, form=form, values_typed=values, now=now
        ),
        then=_csv if csv else lambda report: page(report, FormState(values=values)),
        page=lambda form: page(None, form),
        data=values,
    )


def _csv(report: KeyFigureReport) -> Response:
    period = report.period
    name = f"trinvis-noegletal-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/key-figures")
@access(Role.leader)
async def key_figures(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _report(request, db, user, now, csv=False)


@router.get("/reports/key-figures.csv")
@access(Role.leader)
async def key_figures_csv(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await _report(request, db, user, now, csv=True)
