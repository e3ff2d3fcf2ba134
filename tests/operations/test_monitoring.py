"""deploy/monitoring/: the alert rules and the dashboard ask only for metrics the app
really exports (read from a real scrape of /metrics), and the rules are well formed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from app.paths import ROOT_DIR

MONITORING = ROOT_DIR / "deploy" / "monitoring"
# Series Prometheus makes itself, not the app.
PROMETHEUS_OWN = {"up"}
METRIC = re.compile(r"\b(trinvis_[a-z_]+|up)\b")


def rules() -> list[dict]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def exported_names(scrape: str) -> set[str]:
    """Every series name the scrape can produce, from its `# TYPE` lines."""
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", scrape, re.MULTILINE):
        names.add(name)
        if kind == "histogram":
            names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
        if kind == "counter":
            names.add(name if name.endswith("_total") else f"{name}_total")
    return names


async def test_rules_and_dashboard_name_only_metrics_the_app_exports(client):
    await client.get("/login")  # a request, so the histogram has a series
    scrape = (await client.get("/metrics")).text
    exported = exported_names(scrape) | PROMETHEUS_OWN
    expressions = [rule["expr"] for rule in rules()] + dashboard_expressions()
    named = {name for expr in expressions for name in METRIC.findall(expr)}
    assert named - PROMETHEUS_OWN, "the rules name no metric of the app"
    assert not named - exported, f"not exported by /metrics: {sorted(named - exported)}"
    # Prometheus adds `job` and `instance` to every series it scrapes; a label of ours by
    # either name would be renamed `exported_…` and the rules would group by the wrong one.
    labels = set(re.findall(r"[{,]([a-z_]+)=", scrape))
    assert not labels & {"job", "instance"}, labels
    # The three alerts: a growing backlog, a job that has not run, the error rate.
    alerts = " ".join(rule["expr"] for rule in rules())
    for needed in (
        "trinvis_notification_oldest_pending_age_seconds",
        "trinvis_job_last_success_timestamp_seconds",
        'trinvis_http_request_duration_seconds_count{status="5xx"}',
    ):
        assert needed in alerts


def test_every_rule_says_what_it_is_and_how_bad():
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names))
    for rule in rules():
        assert rule["labels"]["severity"] in ("page", "warn"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


def test_promtool_accepts_the_rules(tmp_path: Path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    checked = subprocess.run(
        [promtool, "check", "rules", str(MONITORING / "alerts.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
