"""Apache Superset over the published warehouse: `make bi` and `make bi-stop`.

    .venv-bi/bin/python bi/manage.py start      # set up, start on 127.0.0.1:8088, provision
    .venv-bi/bin/python bi/manage.py provision  # (again) the database, datasets, charts, dashboard
    .venv-bi/bin/python bi/manage.py stop

Superset runs from its own virtualenv (.venv-bi, from bi/requirements.txt) and keeps
its state in CS_BI_HOME (default .bi/). It is provisioned through its REST API from
files in this folder: a read-only DuckDB database on CS_WAREHOUSE_PATH, one dataset
per public relation (docs/marts.md), and the charts and dashboard of dashboard.json.
Provisioning is idempotent: objects are found by name and updated. Standard library
only, so that the project's venv can drive it too (tests).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BI_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BI_DIR.parent


def _load_settings():
    """cs_warehouse/settings.py (standard library only), loaded by path: Superset's
    virtualenv does not have the cs_warehouse package."""
    spec = importlib.util.spec_from_file_location("cs_settings", PROJECT_DIR / "cs_warehouse" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


settings = _load_settings()
HOST = settings.get("CS_BI_HOST")
PORT = int(settings.get("CS_BI_PORT"))
USER = settings.get("CS_BI_USER")
PASSWORD = settings.get("CS_BI_PASSWORD")
DATABASE_NAME = "CS warehouse"
PUBLIC = re.compile(r"^(mart_[a-z0-9_]+|fct_[a-z0-9_]+|dim_[a-z0-9_]+|raw_rejects)$")


def bi_home() -> Path:
    return settings.path("CS_BI_HOME").resolve()


def warehouse_path() -> Path:
    return settings.path("CS_WAREHOUSE_PATH").resolve()


def superset_env(venv: Path) -> dict:
    env = dict(os.environ)
    env["SUPERSET_CONFIG_PATH"] = str(BI_DIR / "superset_config.py")
    env["CS_BI_HOME"] = str(bi_home())
    env["FLASK_APP"] = "superset"
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env.setdefault("SUPERSET_LOAD_EXAMPLES", "no")
    return env


def superset(venv: Path, *args: str, timeout: float = 600) -> None:
    subprocess.run([str(venv / "bin" / "superset"), *args], env=superset_env(venv), check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# ---------------------------------------------------------------- REST client
class Client:
    """A logged-in session on Superset's REST API (cookie session + CSRF token)."""

    def __init__(self, base: str, user: str = USER, password: str = PASSWORD, timeout: float = 120):
        self.base, self.timeout = base.rstrip("/"), timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = self.request("POST", "/api/v1/security/login",
                             {"username": user, "password": password, "provider": "db", "refresh": False})
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}
        self.headers["X-CSRFToken"] = self.request("GET", "/api/v1/security/csrf_token/")["result"]
        self.headers["Referer"] = self.base

    def request(self, method: str, path: str, body=None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in getattr(self, "headers", {}).items():
            request.add_header(key, value)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: HTTP {error.code}: {error.read()[:2000].decode(errors='replace')}")

    def find(self, resource: str, column: str, value) -> dict | None:
        query = json.dumps({"filters": [{"col": column, "opr": "eq", "value": value}], "page_size": 100})
        rows = self.request("GET", f"/api/v1/{resource}/?q={urllib.request.quote(query)}")["result"]
        return rows[0] if rows else None

    def upsert(self, resource: str, column: str, value, body: dict) -> int:
        existing = self.find(resource, column, value)
        if existing:
            self.request("PUT", f"/api/v1/{resource}/{existing['id']}", body)
            return existing["id"]
        return self.request("POST", f"/api/v1/{resource}/", body)["id"]


def wait_until_up(base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"Superset did not answer on {base}/health within {timeout:.0f} s (log: {bi_home()}/superset.log)")


# ---------------------------------------------------------------- provisioning
def metric(expression: str, label: str) -> dict:
    return {"expressionType": "SQL", "sqlExpression": expression, "label": label}


def chart_form_data(chart: dict, dataset_id: int) -> dict:
    form = {"datasource": f"{dataset_id}__table", "viz_type": chart["viz_type"], "row_limit": 10000,
            "adhoc_filters": [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": chart["where"]}]
            if chart.get("where") else []}
    if chart["viz_type"] == "table":
        form.update({"query_mode": "raw", "all_columns": chart["columns"],
                     "order_by_cols": [json.dumps([column, True]) for column in chart.get("order_by", [])],
                     "table_timestamp_format": "%Y-%m-%d",
                     "column_config": {column: {"d3NumberFormat": number_format}
                                       for column, number_format in chart.get("formats", {}).items()}})
    else:
        form.update({"x_axis": chart["x_axis"], "time_grain_sqla": "P1M",
                     "metrics": [metric(expression, label) for label, expression in chart["metrics"].items()],
                     "groupby": [], "stack": chart.get("stack"), "show_legend": True, "rich_tooltip": True,
                     "y_axis_format": chart.get("y_axis_format", "SMART_NUMBER"), "truncate_metric": True,
                     "x_axis_time_format": "%Y-%m", "order_desc": False, "sort_series_type": "name"})
    return form


def chart_query(chart: dict, dataset_id: int) -> dict:
    """The query context the chart data API runs (what the dashboard's chart asks)."""
    form = chart_form_data(chart, dataset_id)
    if chart["viz_type"] == "table":
        query = {"columns": chart["columns"], "metrics": [],
                 "orderby": [[column, True] for column in chart.get("order_by", [])]}
    else:
        query = {"columns": [{"columnType": "BASE_AXIS", "expressionType": "SQL", "label": chart["x_axis"],
                              "sqlExpression": chart["x_axis"], "timeGrain": "P1M"}],
                 "metrics": form["metrics"], "orderby": [[form["metrics"][0], True]],
                 "series_columns": []}
    query.update({"filters": [], "extras": {"where": chart.get("where", "")}, "row_limit": 10000,
                  "time_range": "No filter"})
    return {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "queries": [query],
            "form_data": form, "result_format": "json", "result_type": "full"}


def dashboard_position(charts: list[tuple[int, dict]]) -> dict:
    position = {"DASHBOARD_VERSION_KEY": "v2", "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]}}
    rows: dict[int, list] = {}
    for chart_id, chart in charts:
        rows.setdefault(chart["row"], []).append((chart_id, chart))
    for row_number, members in sorted(rows.items()):
        row_id = f"ROW-{row_number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for chart_id, chart in members:
            key = f"CHART-{chart_id}"
            position[row_id]["children"].append(key)
            position[key] = {"type": "CHART", "id": key, "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id],
                             "meta": {"chartId": chart_id, "width": chart.get("width", 6),
                                      "height": chart.get("height", 50), "sliceName": chart["name"]}}
    return position


def provision(client: Client, warehouse: Path) -> dict:
    """Create or update the database, datasets, charts and dashboard; return their ids."""
    spec = json.loads((BI_DIR / "dashboard.json").read_text())
    extra = {"engine_params": {"connect_args": {"read_only": True}}, "allows_virtual_table_explore": True}
    database_id = client.upsert("database", "database_name", DATABASE_NAME, {
        "database_name": DATABASE_NAME, "sqlalchemy_uri": f"duckdb:///{warehouse}", "expose_in_sqllab": True,
        "allow_run_async": False, "allow_dml": False, "extra": json.dumps(extra)})
    tables = client.request("GET", f"/api/v1/database/{database_id}/tables/?q="
                            + urllib.request.quote("(schema_name:main,force:!t)"))["result"]
    public = sorted(table["value"] for table in tables if PUBLIC.match(table["value"]))
    if not public:
        raise RuntimeError(f"{warehouse}: no public relations (mart_*, fct_*, dim_*, raw_rejects) in schema main")
    datasets = {}
    for table in public:
        existing = [row for row in client.request("GET", "/api/v1/dataset/?q=" + urllib.request.quote(json.dumps(
            {"filters": [{"col": "table_name", "opr": "eq", "value": table}], "page_size": 100})))["result"]
            if row["database"]["id"] == database_id]
        if existing:
            datasets[table] = existing[0]["id"]
            client.request("PUT", f"/api/v1/dataset/{datasets[table]}/refresh")
        else:
            datasets[table] = client.request("POST", "/api/v1/dataset/",
                                             {"database": database_id, "schema": "main", "table_name": table})["id"]
    dashboard_id = client.upsert("dashboard", "slug", spec["slug"], {
        "dashboard_title": spec["title"], "slug": spec["slug"], "published": True})
    charts = []
    for chart in spec["charts"]:
        dataset_id = datasets[chart["dataset"]]
        body = {"slice_name": chart["name"], "viz_type": chart["viz_type"], "datasource_id": dataset_id,
                "datasource_type": "table", "description": chart.get("description", ""),
                "params": json.dumps(chart_form_data(chart, dataset_id)),
                "query_context": json.dumps(chart_query(chart, dataset_id)), "dashboards": [dashboard_id]}
        charts.append((client.upsert("chart", "slice_name", chart["name"], body), chart))
    client.request("PUT", f"/api/v1/dashboard/{dashboard_id}", {
        "position_json": json.dumps(dashboard_position(charts)),
        "json_metadata": json.dumps({"refresh_frequency": 0, "color_scheme": "supersetColors",
                                     "positions": dashboard_position(charts)})})
    return {"database": database_id, "datasets": datasets, "dashboard": dashboard_id,
            "charts": {chart["name"]: chart_id for chart_id, chart in charts}}


# ---------------------------------------------------------------- start / stop
def start(venv: Path, warehouse: Path, timeout: float = 180) -> dict:
    home = bi_home()
    home.mkdir(parents=True, exist_ok=True)
    if not warehouse.exists():
        raise SystemExit(f"{warehouse}: no published warehouse; run `make build` (or `make publish`) first")
    if not (home / ".initialised").exists():
        superset(venv, "db", "upgrade")
        superset(venv, "fab", "create-admin", "--username", USER, "--firstname", "CS", "--lastname", "Admin",
                 "--email", "admin@localhost", "--password", PASSWORD)
        superset(venv, "init")
        (home / ".initialised").touch()
    base = f"http://{HOST}:{PORT}"
    if not running():
        log = open(home / "superset.log", "ab")
        process = subprocess.Popen(
            [str(venv / "bin" / "superset"), "run", "-h", HOST, "-p", str(PORT), "--with-threads"],
            env=superset_env(venv), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        (home / "superset.pid").write_text(str(process.pid))
    wait_until_up(base, timeout)
    ids = provision(Client(base), warehouse)
    print(f"Superset on {base}/superset/dashboard/{json.loads((BI_DIR / 'dashboard.json').read_text())['slug']}/ "
          f"(login {USER} / {'the password in CS_BI_PASSWORD' if 'CS_BI_PASSWORD' in os.environ else PASSWORD}); "
          f"`make bi-stop` stops it")
    return ids


def running() -> int | None:
    pid_file = bi_home() / "superset.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)
    except OSError:
        pid_file.unlink()
        return None
    return pid


def stop(timeout: float = 30) -> None:
    pid = running()
    if pid is None:
        print("Superset is not running")
        return
    os.killpg(pid, signal.SIGTERM)  # its own session: the server and its reloader children
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.5)
    else:
        os.killpg(pid, signal.SIGKILL)
    (bi_home() / "superset.pid").unlink(missing_ok=True)
    print("Superset stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "provision", "stop"])
    parser.add_argument("--venv", type=Path, default=PROJECT_DIR / ".venv-bi")
    args = parser.parse_args(argv)
    if args.command == "start":
        start(args.venv, warehouse_path())
    elif args.command == "provision":
        print(json.dumps(provision(Client(f"http://{HOST}:{PORT}"), warehouse_path()), indent=2))
    else:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
