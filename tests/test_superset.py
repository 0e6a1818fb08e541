"""Superset smoke test (`make bi`): install from bi/requirements.txt (the venv is
reused when it is up to date), start on a free local port, provision, and check
that every chart of the CS overview dashboard answers through the API with the
marts' figures and draws in Chromium; then publish changed data while a long query
still runs on the old file, and check that the publish did not wait for it and that
the charts and the dashboard show the new data.

Deselect locally with `-m "not superset"` (it installs about 900 MB the first time).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from cs_warehouse.dbt_runner import PROJECT_DIR
from cs_warehouse.publish import Publisher

sys.path.insert(0, str(PROJECT_DIR / "bi"))
import manage  # noqa: E402  (bi/manage.py: standard library only)

pytestmark = pytest.mark.superset

BI_VENV = Path(os.environ.get("CS_BI_VENV", PROJECT_DIR / ".venv-bi"))
REQUIREMENTS = PROJECT_DIR / "bi" / "requirements.txt"
CHROMIUM = Path("/usr/bin/chromium")
DASHBOARD = json.loads((PROJECT_DIR / "bi" / "dashboard.json").read_text())
# a query that keeps a connection to the warehouse open for a while (a cross join of
# 50,000 x 50,000 rows: seconds of CPU), with a figure of the warehouse read first
LONG_QUERY = ("select (select count(*) from main.mart_revenue_monthly) as months, sum(a.range % 7 + b.range % 5) "
              "from range(50000) as a cross join range(50000) as b")


def install_venv() -> None:
    marker = BI_VENV / ".installed"
    if marker.exists() and marker.stat().st_mtime >= REQUIREMENTS.stat().st_mtime:
        return
    if not (BI_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BI_VENV)], check=True, timeout=300)
    subprocess.run([str(BI_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
                   check=True, timeout=1200)
    marker.touch()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def publish_copy(source: Path, published: Path) -> None:
    """Publish a built warehouse over `published` the way cs_warehouse.publish does:
    a copy beside it, checkpointed, renamed over it in one step."""
    build = published.parent / "warehouse__build.duckdb"
    shutil.copyfile(source, build)
    Publisher(published, raw_dir=None, dbt_vars={}, dbt_args=[], quiet=True).publish(build)


def mart(published: Path, sql: str):
    with duckdb.connect(str(published), read_only=True) as connection:
        return connection.execute(sql).fetchall()


class Server:
    def __init__(self, base: str, env: dict, published: Path):
        self.base, self.env, self.published = base, env, published

    def client(self) -> manage.Client:
        return manage.Client(self.base)

    def chart_data(self) -> dict[str, list[dict]]:
        client = self.client()
        dashboard = client.find("dashboard", "slug", DASHBOARD["slug"])
        charts = client.request("GET", f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]
        return {chart["slice_name"]: client.request("GET", f"/api/v1/chart/{chart['id']}/data/?format=json")
                ["result"][0]["data"] for chart in charts}


@pytest.fixture(scope="module")
def server(demo_warehouse, tmp_path_factory):
    install_venv()
    home = tmp_path_factory.mktemp("superset")
    published = home / "warehouse.duckdb"
    publish_copy(demo_warehouse.path, published)
    port = free_port()
    env = dict(os.environ, CS_BI_HOME=str(home / "state"), CS_WAREHOUSE_PATH=str(published), CS_BI_PORT=str(port))
    python = str(BI_VENV / "bin" / "python")
    started = subprocess.run([python, str(PROJECT_DIR / "bi" / "manage.py"), "start"], env=env, capture_output=True,
                             text=True, timeout=900)
    try:
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-5000:]
        yield Server(f"http://127.0.0.1:{port}", env, published)
    finally:
        subprocess.run([python, str(PROJECT_DIR / "bi" / "manage.py"), "stop"], env=env, capture_output=True,
                       text=True, timeout=120)
        log = home / "state" / "superset.log"
        if log.exists():
            print(log.read_text()[-3000:])


def latest(rows: list[dict], key: str = "month") -> dict:
    return max(rows, key=lambda row: row[key])


def expected_figures(published: Path) -> dict[str, tuple]:
    """One figure per chart, straight from the marts."""
    (nrr_12m,) = mart(published, "select nrr_12m from main.mart_revenue_monthly order by month desc limit 1")[0]
    (churned,) = mart(published, "select churned_mrr from main.mart_revenue_monthly order by month desc limit 1")[0]
    (loyal,) = mart(published, "select churn_rate from main.mart_stage_churn where basis = 'horizon' and stage = 'loyal'")[0]
    coverage = mart(published, "select tier, customers from main.mart_tier_coverage "
                               "where month = (select max(month) from main.mart_tier_coverage) order by tier")
    (renewals,) = mart(published, "select renewals_due from main.mart_revenue_monthly order by month desc limit 1")[0]
    return {"nrr_12m": float(nrr_12m), "churned_mrr": float(churned), "loyal_churn": float(loyal),
            "coverage": [(tier, int(customers)) for tier, customers in coverage], "renewals_due": int(renewals)}


def figures_from_charts(data: dict[str, list[dict]]) -> dict[str, tuple]:
    return {"nrr_12m": latest(data["NRR and GRR (trailing 12 months)"])["NRR 12m"],
            "churned_mrr": -latest(data["MRR movements"])["Churn"],
            "loyal_churn": next(row["churn_rate"] for row in data["Churn by stage, with 95% intervals"]
                                if row["basis"] == "horizon" and row["stage"] == "loyal"),
            "coverage": sorted((row["tier"], int(row["customers"])) for row in data["Tier coverage (latest month)"]),
            "renewals_due": int(latest(data["Renewals due"])["Renewals due"])}


def assert_same_figures(actual: dict, expected: dict) -> None:
    for key in ("nrr_12m", "churned_mrr", "loyal_churn"):
        assert actual[key] == pytest.approx(expected[key], rel=1e-9), key
    assert actual["coverage"] == expected["coverage"]
    assert actual["renewals_due"] == expected["renewals_due"]


def test_datasets_are_the_public_relations_only(server):
    client = server.client()
    datasets = client.request("GET", "/api/v1/dataset/?q=" + manage.urllib.request.quote(
        json.dumps({"page_size": 100})))["result"]
    names = {row["table_name"] for row in datasets}
    public = {name for (name,) in mart(server.published, "select table_name from information_schema.tables "
                                                         "where table_schema = 'main'") if manage.PUBLIC.match(name)}
    assert names == public
    assert {chart["dataset"] for chart in DASHBOARD["charts"]} <= names
    database = client.find("database", "database_name", manage.DATABASE_NAME)
    connection = client.request("GET", f"/api/v1/database/{database['id']}/connection")["result"]
    assert connection["sqlalchemy_uri"] == f"duckdb:///{server.published}"
    assert json.loads(connection["extra"])["engine_params"]["connect_args"] == {"read_only": True}


def test_every_chart_answers_with_the_marts_figures(server):
    data = server.chart_data()
    assert sorted(data) == sorted(chart["name"] for chart in DASHBOARD["charts"])
    assert all(rows for rows in data.values()), {name: len(rows) for name, rows in data.items()}
    assert_same_figures(figures_from_charts(data), expected_figures(server.published))




def open_dashboard(browser, server, screenshot: Path) -> dict[str, str]:
    """Log in, open the dashboard, wait until every chart has drawn; the text of each chart."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = browser.new_page(viewport={"width": 1400, "height": 1300})
    try:
        # the login page's script may not be ready for the first Enter on a loaded
        # machine: up to three attempts, each from a fresh login page. Leaving /login is
        # not proof of a session (on a loaded machine the page once went on to the welcome
        # page and back to /login), so the page's own cookies must be let into the API.
        for attempt in range(3):
            page.goto(f"{server.base}/login/", timeout=120_000)
            page.fill("#username", manage.USER)
            page.fill("#password", manage.PASSWORD)
            page.keyboard.press("Enter")
            try:
                page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
                continue
            if page.request.get(f"{server.base}/api/v1/me/", timeout=60_000).ok:
                break
            assert attempt < 2, "three logins to Superset left the browser without a session"
        page.goto(f"{server.base}/superset/dashboard/{DASHBOARD['slug']}/", timeout=120_000)
        holders = "[data-test=chart-grid-component]"
        # drawn: an ECharts canvas or table rows in every chart, and no chart still loading
        page.wait_for_function(
            """([selector, count]) => {
                const charts = [...document.querySelectorAll(selector)];
                return charts.length === count && charts.every(chart =>
                    chart.querySelector('canvas, tbody tr') && !chart.querySelector('.loading, [aria-label=loading]'));
            }""", arg=[holders, len(DASHBOARD["charts"])], timeout=180_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(screenshot), full_page=True)
        texts = {}
        for element in page.locator(holders).all():
            text = element.inner_text()
            name = next((chart["name"] for chart in DASHBOARD["charts"] if chart["name"] in text), None)
            assert name, text[:200]
            texts[name] = text
        return texts
    finally:
        page.close()


def coverage_cells(text: str) -> list[str]:
    """The table's cells in reading order (no cell of it has a space)."""
    return text.split()


def test_the_dashboard_draws_every_chart_with_data(server, browser, tmp_path):
    texts = open_dashboard(browser, server, tmp_path / "dashboard.png")
    assert sorted(texts) == sorted(chart["name"] for chart in DASHBOARD["charts"])
    for name, text in texts.items():
        assert "No results" not in text and "Error" not in text, (name, text[:300])
    # the tables show the marts' rows
    for tier, customers in expected_figures(server.published)["coverage"]:
        assert tier in texts["Tier coverage (latest month)"]
    assert "loyal" in texts["Churn by stage, with 95% intervals"]


def test_a_publish_during_a_long_query_is_seen_by_the_next_query_and_the_dashboard(server, browser,
                                                                                    small_warehouse, tmp_path):
    before = expected_figures(server.published)
    after = expected_figures(small_warehouse.path)
    assert before != after, "the second warehouse must differ for this test to mean anything"
    (old_months,) = mart(server.published, "select count(*) from main.mart_revenue_monthly")[0]

    # a long query on the published file, in the same Superset process
    client = server.client()
    database = client.find("database", "database_name", manage.DATABASE_NAME)
    outcome: dict = {}

    def long_query():
        try:
            outcome["result"] = server.client().request("POST", "/api/v1/sqllab/execute/", {
                "database_id": database["id"], "sql": LONG_QUERY, "runAsync": False, "schema": "main",
                "queryLimit": 10, "client_id": secrets.token_hex(5)})
        except Exception as error:  # reported below
            outcome["error"] = error

    thread = threading.Thread(target=long_query, daemon=True)
    thread.start()
    thread.join(timeout=3)
    assert thread.is_alive(), f"the long query should still run: {outcome}"
    publish_copy(small_warehouse.path, server.published)
    # the publish did not wait for the reader
    assert thread.is_alive(), "the long query ended before the publish finished: make LONG_QUERY longer"
    assert_same_figures(figures_from_charts(server.chart_data()), after)
    # ... and the charts read the new file while the old one was still open in Superset
    assert thread.is_alive(), "the long query ended before the charts were read: make LONG_QUERY longer"
    thread.join(timeout=300)
    assert not thread.is_alive(), "the long query did not finish"
    assert "error" not in outcome, outcome.get("error")
    # the long query read the old file, to its end
    assert outcome["result"]["data"][0]["months"] == old_months
    texts = open_dashboard(browser, server, tmp_path / "dashboard_after_publish.png")
    coverage = texts["Tier coverage (latest month)"]
    for tier, customers in after["coverage"]:
        assert tier in coverage
    cells = coverage_cells(coverage)
    for tier, customers in after["coverage"]:
        index = cells.index(tier)
        assert cells[index + 1] == str(customers), (tier, cells[index:index + 3])
