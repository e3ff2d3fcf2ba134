"""The leaders' key-figure report: the page and its CSV. HTTP only; the figures are
defined and computed in app/services/key_figures/."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.forms import parse_form
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.key_figures.export import report_csv
from app.services.key_figures.period import ReportForm, default_values
from app.services.key_figures.report import KeyFigureReport, key_figure_report
from app.web.templating import render
from app.web.timefmt import local

router = APIRouter()
PAGE, PART = "reports/key_figures.html", "reports/_key_figures.html"


async def _report(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> tuple[KeyFigureReport | None, dict[str, str], dict[str, str]]:
    """The report asked for (the current half-year by default), or the form's errors."""
    typed = {k: v for k, v in request.query_params.items() if k in ("from", "to", "scope")}
    values = typed or default_values(local(now).date())
    try:
        form = parse_form(ReportForm, values)
        report = await key_figure_report(db, actor=user, form=form, values_typed=values, now=now)
    except ValidationFailed as failed:
        return None, failed.errors, {**values, **failed.values}
    return report, {}, values


@router.get("/reports/key-figures")
@access(Role.leader)
async def key_figures(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    report, errors, values = await _report(request, db, user, now)
    context = {"report": report, "errors": errors, "values": values, "now": now}
    return render(request, PAGE, context, partial=PART, status_code=422 if errors else 200)


@router.get("/reports/key-figures.csv")
@access(Role.leader)
async def key_figures_csv(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    report, errors, values = await _report(request, db, user, now)
    if report is None:
        context = {"report": None, "errors": errors, "values": values, "now": now}
        return render(request, PAGE, context, status_code=422)
    period = report.period
    name = f"trinvis-noegletal-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
