"""The one helper the notebooks use: read the marts, say what is missing, format figures.

Notebooks read the public marts (docs/marts.md) through this module and compute no
metric. It opens the warehouse at ``CS_WAREHOUSE_PATH`` (default ``warehouse.duckdb``
at the project root) READ-ONLY, so a report can never change the warehouse, and
returns pandas DataFrames:

    from cs_warehouse import warehouse as wh
    revenue = wh.mart("mart_revenue_monthly", order_by="month")
    nps = wh.availability("mart_nps_monthly", what="NPS", source="surveys")
    if nps: ...                      # else: wh.say(nps.message)

It also holds the formatting the reports share: yen with thousands separators,
percentages, a plotly template whose font renders Japanese, and the renderer that
embeds plotly.js in the rendered HTML (no CDN) when ``cs_warehouse.reports`` runs
the notebooks.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPORT_MODE_ENV = "CS_REPORT_RENDER"
FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"

# One colour per meaning, used by every report.
COLORS = {
    "good": "#2e7d32",
    "bad": "#c62828",
    "neutral": "#607d8b",
    "accent": "#1565c0",
    "threshold": "#d84315",
    "band": "rgba(96, 125, 139, 0.12)",
}
STAGE_ORDER = ["entry", "onboard", "active", "loyal"]
STAGE_COLORS = {"entry": "#b0bec5", "onboard": "#ffb74d", "active": "#4fc3f7", "loyal": "#2e7d32"}
CONDITION_ORDER = ["bad", "normal", "good"]
CONDITION_COLORS = {"bad": "#c62828", "normal": "#ffb300", "good": "#2e7d32"}
MOVEMENT_COLORS = {
    "new": "#1565c0",
    "reactivation": "#64b5f6",
    "expansion": "#2e7d32",
    "contraction": "#ff8f00",
    "churn": "#c62828",
}

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_connections: dict[str, duckdb.DuckDBPyConnection] = {}


# --- reading the warehouse -------------------------------------------------------

def warehouse_path() -> Path:
    """The warehouse file: $CS_WAREHOUSE_PATH, or warehouse.duckdb at the project root."""
    configured = os.environ.get("CS_WAREHOUSE_PATH")
    path = Path(configured) if configured else PROJECT_DIR / "warehouse.duckdb"
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path


class WarehouseNotFound(FileNotFoundError):
    pass


def connect() -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse (one per file, reused)."""
    path = warehouse_path()
    key = str(path)
    if key not in _connections:
        if not path.exists():
            raise WarehouseNotFound(
                f"No warehouse at {path}. Build one first (`make publish`), or point "
                f"CS_WAREHOUSE_PATH at an existing warehouse file."
            )
        _connections[key] = duckdb.connect(key, read_only=True)
    return _connections[key]


def close() -> None:
    """Close every open connection (the next call reopens)."""
    for connection in _connections.values():
        connection.close()
    _connections.clear()


def query(sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run read-only SQL against the warehouse and return a DataFrame."""
    return connect().execute(sql, params or []).df()


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a relation name: {name!r}")
    return name


def relation_exists(name: str) -> bool:
    """True when main.<name> is a table or view in the warehouse."""
    found = connect().execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
        [_identifier(name)],
    ).fetchone()
    return bool(found and found[0])


def mart(name: str, *, where: str | None = None, order_by: str | None = None,
         params: list | None = None) -> pd.DataFrame:
    """Every row of main.<name> (optionally filtered and ordered) as a DataFrame.

    DuckDB returns DATE columns as pandas datetimes, so plotly draws them as dates.
    """
    sql = f"select * from main.{_identifier(name)}"
    if where:
        sql += f" where {where}"
    if order_by:
        sql += f" order by {order_by}"
    return query(sql, params)


def seed(name: str) -> pd.DataFrame:
    """A reference table (seed) such as tier_policy or maturity_levels."""
    return mart(name)


def row_count(name: str, where: str | None = None) -> int:
    sql = f"select count(*) from main.{_identifier(name)}"
    if where:
        sql += f" where {where}"
    return int(connect().execute(sql).fetchone()[0])


# --- what data is available --------------------------------------------------------

@dataclass(frozen=True)
class Availability:
    """Whether a report section can be drawn, and if not, a plain sentence saying why."""

    available: bool
    message: str = ""

    def __bool__(self) -> bool:
        return self.available


SOURCE_FILES = {
    "surveys": "surveys.csv",
    "community": "community.csv",
    "touchpoints": "touchpoints.csv",
    "csms": "csms.csv",
    "csm_assignments": "csm_assignments.csv",
    "tickets": "tickets.csv",
    "milestones": "milestones.csv",
}
SOURCE_NOUNS = {
    "surveys": "survey",
    "community": "community activity",
    "touchpoints": "touchpoint",
    "csms": "CSM",
    "csm_assignments": "CSM assignment",
    "tickets": "support ticket",
    "milestones": "onboarding milestone",
}


def source_provided(source: str) -> bool | None:
    """Whether the raw source had any accepted row (None when the warehouse cannot tell).

    An absent optional file gives no accepted row (mart_raw_intake), so this tells a
    missing export apart from a mart that is empty for another reason.
    """
    if not relation_exists("mart_raw_intake"):
        return None
    return row_count("mart_raw_intake", f"source = '{_identifier(source)}' and rows_accepted > 0") > 0


def availability(name: str, *, what: str, source: str | None = None,
                 rows_where: str | None = None) -> Availability:
    """Can the section that shows `what` from mart `name` be drawn?

    Not when the mart does not exist in this warehouse, or has no rows (no rows
    matching `rows_where`, when given). `source` names the optional raw source the
    mart depends on, so that the message can say which export is missing.
    """
    if not relation_exists(name):
        return Availability(False, f"The mart `{name}` is not available in this warehouse, "
                                   f"so {what} cannot be shown.")
    if row_count(name, rows_where) > 0:
        return Availability(True)
    if source is not None and source_provided(source) is False:
        file_name = SOURCE_FILES.get(source, f"{source}.csv")
        noun = SOURCE_NOUNS.get(source, source)
        return Availability(False, f"No {noun} data was provided ({file_name} absent or empty), "
                                   f"so {what} cannot be shown.")
    return Availability(False, f"`{name}` has no rows{' for this section' if rows_where else ''} "
                               f"in this warehouse, so {what} cannot be shown.")


def require(*names: str, what: str) -> Availability:
    """Availability of a section that needs several marts (each must exist and have rows)."""
    for name in names:
        status = availability(name, what=what)
        if not status:
            return status
    return Availability(True)


# --- the reporting calendar -----------------------------------------------------------

def months() -> pd.DataFrame:
    """The reporting months with their snapshot day and whether the month is partial."""
    frame = mart("dim_months", order_by="month")
    for column in ("month", "month_end_date", "snapshot_date", "as_of_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def as_of_date() -> pd.Timestamp:
    return months()["as_of_date"].iloc[-1]


def latest_complete_month(available: pd.Series | None = None) -> pd.Timestamp:
    """The latest month whose snapshot day is its last day (and, if given, in `available`)."""
    calendar = months()
    complete = calendar.loc[~calendar["is_partial_month"].astype(bool), "month"]
    if available is not None:
        complete = complete[complete.isin(pd.to_datetime(pd.Series(available)))]
    if complete.empty:
        raise LookupError("the warehouse has no complete month yet")
    return complete.iloc[-1]


def partial_month() -> pd.Timestamp | None:
    """The as-of month when the as-of date is not its last day, else None."""
    calendar = months()
    partial = calendar.loc[calendar["is_partial_month"].astype(bool), "month"]
    return None if partial.empty else partial.iloc[-1]


def month_label(month) -> str:
    return pd.Timestamp(month).strftime("%b %Y")


def shift_months(month, months_: int) -> pd.Timestamp:
    """The first day of the month `months_` after (or before, if negative) `month`."""
    return (pd.Timestamp(month) + pd.DateOffset(months=months_)).normalize()


# --- formatting ----------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or (
        not isinstance(value, str) and pd.isna(value))


def yen(value, *, compact: bool = False) -> str:
    """¥ with thousands separators: yen(1234567) -> '¥1,234,567'; compact -> '¥1.23M'."""
    if _missing(value):
        return "n/a"
    value = float(value)
    if compact:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(value) >= size:
                return f"{'-' if value < 0 else ''}¥{abs(value) / size:,.2f}{suffix}"
    return f"{'-' if value < 0 else ''}¥{abs(value):,.0f}"


def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage: pct(0.0123) -> '1.2%'."""
    if _missing(value):
        return "n/a"
    return f"{float(value) * 100:.{digits}f}%"


def number(value, digits: int = 0) -> str:
    if _missing(value):
        return "n/a"
    return f"{float(value):,.{digits}f}"


def count(value, noun: str) -> str:
    """count(1, 'response') -> '1 response'; count(3, 'response') -> '3 responses'."""
    if _missing(value):
        return f"no {noun}s"
    value = int(value)
    return f"{value:,} {noun}{'' if value == 1 else 's'}"


def points(value, digits: int = 0) -> str:
    """An NPS value in points (-100 to 100)."""
    if _missing(value):
        return "n/a"
    return f"{float(value):+.{digits}f}"


# --- plotly ----------------------------------------------------------------------------

def _template():
    import plotly.graph_objects as go

    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT_FAMILY, size=13, color="#263238"),
            # at the top of a fixed top margin (title.automargin misplaces heatmaps)
            title=dict(x=0.0, xanchor="left", xref="paper", yref="container", y=1.0, yanchor="top",
                       pad=dict(t=16), font=dict(size=18)),
            separators=".,",
            colorway=["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828",
                      "#5d4037", "#9e9d24"],
            margin=dict(l=70, r=30, t=90, b=110),
            hoverlabel=dict(font=dict(family=FONT_FAMILY)),
            # below the plot, so that it never covers the title, the definition or subplot titles
            legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0.0, xanchor="left",
                        title=dict(text="")),
            xaxis=dict(automargin=True, title=dict(standoff=8)),
            yaxis=dict(automargin=True, title=dict(standoff=8)),
        )
    )


class _ReportRenderer:
    """Figures as HTML for nbconvert: plotly.js inline in the first figure, no CDN, no MathJax."""

    def __init__(self):
        # plotly renders each figure with a shallow copy of the renderer, so the flag
        # lives in a dict that every copy shares; a plain attribute would be set on the
        # copy only and plotly.js would be embedded again in every figure
        self.sent = {"plotlyjs": False}

    def to_mimebundle(self, fig_dict):
        import plotly.io as pio

        html = pio.to_html(
            fig_dict,
            include_plotlyjs=not self.sent["plotlyjs"],
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=fig_dict.get("layout", {}).get("height") or 480,
            config={"displaylogo": False, "responsive": True},
            validate=False,
        )
        self.sent["plotlyjs"] = True
        return {"text/html": html}


def setup_plotly() -> None:
    """Register the 'cs' template as default; in report mode, render figures as HTML."""
    import plotly.io as pio
    from plotly.io._base_renderers import MimetypeRenderer

    pio.templates["cs"] = _template()
    pio.templates.default = "plotly_white+cs"
    if os.environ.get(REPORT_MODE_ENV):
        renderer = type("CsReportRenderer", (_ReportRenderer, MimetypeRenderer), {})()
        pio.renderers["cs_report"] = renderer
        pio.renderers.default = "cs_report"


def style(fig, *, title: str, definition: str, x_title: str | None = None,
          y_title: str | None = None, height: int | None = None, y_format: str | None = None,
          x_format: str | None = None):
    """Title, one-line definition (under the title), axis labels with units, tick formats.

    y_format / x_format: 'yen' (¥ with thousands separators), 'pct' (fractions drawn as
    percentages), 'int' (counts) or a d3 format string.
    """
    # the definition is a second line of the title, not plotly's subtitle, which overlaps the plot
    # when the title is anchored to the plot area
    text = f"{title}<br><span style='font-size:12.5px;color:#546e7a'>{definition}</span>"
    if any(getattr(note, "yref", None) == "paper" and (note.y or 0) >= 0.99 for note in fig.layout.annotations):
        # subplot titles sit just above the plot area: a deeper top margin keeps them clear of the definition
        fig.update_layout(margin_t=120)
    fig.update_layout(title=dict(text=text))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)  # also secondary axes, whose titles are otherwise clipped
    if height:
        fig.update_layout(height=height)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    for axis, fmt in (("y", y_format), ("x", x_format)):
        if fmt:
            _format_axis(fig, axis, fmt)
    return fig


def mark_partial_month(fig, *, label: str = "partial month"):
    """Shade the as-of month on a monthly time axis: its figures are taken before the month ends."""
    month = partial_month()
    if month is None:
        return fig
    where = dict(row="all", col="all") if getattr(fig, "_grid_ref", None) else {}
    fig.add_vrect(x0=month - pd.Timedelta(days=15), x1=month + pd.Timedelta(days=15), fillcolor="#90a4ae",
                  opacity=0.18, line_width=0, layer="below", **where)
    fig.add_annotation(x=month, xref="x", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"{label}<br>(to {as_of_date():%b %-d})", font=dict(size=10, color="#546e7a"))
    return fig


def _format_axis(fig, axis: str, fmt: str) -> None:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if fmt == "yen":
        update(tickprefix="¥", tickformat=",.0f", separatethousands=True)
    elif fmt == "pct":
        update(tickformat=".0%")
    elif fmt == "pct1":
        update(tickformat=".1%")
    elif fmt == "int":
        update(tickformat=",d")
    else:
        update(tickformat=fmt)


# --- markdown output --------------------------------------------------------------------

def say(text: str) -> None:
    """Show a markdown paragraph (a takeaway, or why a section cannot be drawn)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def unavailable(status: Availability) -> None:
    """Say plainly why a section is not drawn."""
    say(f"> **Not shown.** {status.message}")


def table(frame: pd.DataFrame, formats: dict | None = None, *, caption: str | None = None):
    """A DataFrame as a plain HTML table, with per-column formatters (e.g. {'arr': yen})."""
    from IPython.display import HTML, display

    shown = frame.copy()
    for column, formatter in (formats or {}).items():
        if column in shown:
            shown[column] = shown[column].map(formatter)
    html = shown.to_html(index=False, escape=True, na_rep="—", classes="cs-table", border=0)
    if caption:
        html = f"<p class='cs-caption'><strong>{caption}</strong></p>" + html
    display(HTML(html))


setup_plotly()
