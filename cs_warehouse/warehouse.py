"""The one helper the notebooks use: read the marts, say what is missing, format figures.

Notebooks read the public marts (docs/marts.md) through this module and compute no
metric. It opens the warehouse at ``CS_WAREHOUSE_PATH`` (default ``warehouse.duckdb``
at the project root) READ-ONLY, so a report can never change the warehouse, and
returns pandas DataFrames:

    from cs_warehouse import warehouse as wh
    revenue = wh.mart("mart_revenue_monthly", order_by="month")
    nps = wh.availability("mart_nps_monthly", what="NPS", source="surveys")
    if nps: ...                      # else: wh.say(nps.message)

It also holds what the reports share: the report language (``CS_REPORT_LANG``,
``ja`` by default, or ``en``) with ``tr(en, ja)`` for every label and ``name(kind, code)``
for the display name of every code (seed ``display_names``), money as ¥M/¥B or
万円/億円, dates in the language's convention, the minimum n below which a rate is
greyed out (the dbt var ``min_n_to_show``), one colour per tier and stage, sortable tables with a
CSV download, a plotly template whose font renders Japanese, and the renderer that
embeds plotly.js once per page (no CDN) when ``cs_warehouse.reports`` runs the
notebooks.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from cs_warehouse import contract as _contract
from cs_warehouse import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPORT_MODE_ENV = "CS_REPORT_RENDER"
LANG_ENV = "CS_REPORT_LANG"
LANGUAGES = ("ja", "en")
DISPLAY_NAMES_CSV = PROJECT_DIR / "seeds" / "display_names.csv"
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
# The fixed vocabularies come from where the warehouse declares them: the tiers from the
# tier_policy seed (in its tier_rank order), the stages and conditions from the vars of
# dbt_project.yml (lowest first).
TIER_ORDER = [row["tier"] for row in sorted(_contract.seed_rows("tier_policy"), key=lambda row: int(row["tier_rank"]))]
# one colour per tier on every page; other segments (plans, industries) take SEGMENT_PALETTE in order
TIER_COLORS = {"tier1_high_touch": "#1565c0", "tier2_mid_touch": "#00897b", "tier3_low_touch": "#ef6c00",
               "tier4_tech_touch": "#8e24aa", "none": "#78909c"}
SEGMENT_PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#9e9d24",
                   "#ad1457", "#455a64", "#f9a825", "#283593"]
STAGE_ORDER = list(_contract.project_vars()["lifecycle_stages"])
STAGE_COLORS = {"entry": "#b0bec5", "onboard": "#ffb74d", "active": "#4fc3f7", "loyal": "#2e7d32"}
CONDITION_ORDER = list(_contract.project_vars()["health_conditions"])
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
    """The warehouse file: the setting CS_WAREHOUSE_PATH (settings.mk)."""
    return settings.path("CS_WAREHOUSE_PATH")


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
    "surveys": ("survey", "アンケート"),
    "community": ("community activity", "コミュニティ活動"),
    "touchpoints": ("touchpoint", "接点記録"),
    "csms": ("CSM", "CSM"),
    "csm_assignments": ("CSM assignment", "CSM 担当割り当て"),
    "tickets": ("support ticket", "問い合わせチケット"),
    "milestones": ("onboarding milestone", "オンボーディングのマイルストーン"),
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
        return Availability(False, tr(f"The mart `{name}` is not available in this warehouse, "
                                      f"so {what} cannot be shown.",
                                      f"このウェアハウスには `{name}` がないため、{what}は表示できません。"))
    if row_count(name, rows_where) > 0:
        return Availability(True)
    if source is not None and source_provided(source) is False:
        file_name = SOURCE_FILES.get(source, f"{source}.csv")
        noun_en, noun_ja = SOURCE_NOUNS.get(source, (source, source))
        return Availability(False, tr(f"No {noun_en} data was provided ({file_name} absent or empty), "
                                      f"so {what} cannot be shown.",
                                      f"{noun_ja}のデータがない（{file_name} がないか空）ため、{what}は表示できません。"))
    return Availability(False, tr(f"`{name}` has no rows{' for this section' if rows_where else ''} "
                                  f"in this warehouse, so {what} cannot be shown.",
                                  f"このウェアハウスの `{name}` には{'この節の' if rows_where else ''}行がないため、"
                                  f"{what}は表示できません。"))


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
    """'Mar 2026' in English, '2026年3月' in Japanese."""
    month = pd.Timestamp(month)
    return f"{month.year}年{month.month}月" if language() == "ja" else month.strftime("%b %Y")


def date_label(day) -> str:
    """'2026-03-14' in English (ISO, unambiguous), '2026年3月14日' in Japanese."""
    if _missing(day):
        return "—"
    day = pd.Timestamp(day)
    return f"{day.year}年{day.month}月{day.day}日" if language() == "ja" else f"{day:%Y-%m-%d}"


def hover_month(axis: str = "x") -> str:
    """A plotly hover template piece showing a month on `axis` in the report language."""
    return f"%{{{axis}|%Y年%-m月}}" if language() == "ja" else f"%{{{axis}|%b %Y}}"


def shift_months(month, months_: int) -> pd.Timestamp:
    """The first day of the month `months_` after (or before, if negative) `month`."""
    return (pd.Timestamp(month) + pd.DateOffset(months=months_)).normalize()


# --- language ----------------------------------------------------------------------

def language() -> str:
    """The report language: the setting CS_REPORT_LANG ('ja' or 'en'; settings.mk: 'ja')."""
    value = settings.get(LANG_ENV).lower()
    if value not in LANGUAGES:
        raise ValueError(f"{LANG_ENV}={value!r} is not a report language: use one of {', '.join(LANGUAGES)}")
    return value


def tr(en: str, ja: str) -> str:
    """The label in the report language: every label a reader sees is given in both."""
    return ja if language() == "ja" else en


def min_n() -> int:
    """Rates from fewer observations than this are greyed out or not quoted: the dbt var
    min_n_to_show that flagged them in the marts (dbt_project.yml, or CS_DBT_VARS)."""
    dbt_vars = _contract.project_vars(_dbt_vars_setting())
    value = dbt_vars["min_n_to_show"]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"the dbt var min_n_to_show={value!r} must be a whole number of at least 1")
    return value


def _dbt_vars_setting() -> dict:
    """The dbt vars given in the setting CS_DBT_VARS (YAML), as the build got them."""
    import yaml

    text = settings.get("CS_DBT_VARS")
    return dict(yaml.safe_load(text) or {}) if text else {}


_display_names: pd.DataFrame | None = None


def display_names() -> pd.DataFrame:
    """kind, code, en, ja: the display name of every code the reports show (seed `display_names`).

    Read from the warehouse when it has the seed, else from seeds/display_names.csv, so that a
    warehouse built before the seed existed still reads well.
    """
    global _display_names
    if _display_names is None:
        try:
            frame = seed("display_names") if relation_exists("display_names") else None
        except (WarehouseNotFound, duckdb.Error):
            frame = None
        if frame is None:
            frame = pd.read_csv(DISPLAY_NAMES_CSV, dtype=str, keep_default_na=False)
        _display_names = frame.astype(str)
    return _display_names


def name(kind: str, code) -> str:
    """The display name of a code in the report language: name('tier', 'tier1_high_touch') -> 'Tier 1 (high touch)'.

    A code the seed does not know (a customer's own industry, say) is shown as it is.
    """
    if _missing(code):
        return "—"
    names = display_names()
    match = names[(names["kind"] == kind) & (names["code"] == str(code))]
    if match.empty:
        return str(code)
    return str(match.iloc[0][language()])


def names(kind: str, codes) -> list[str]:
    return [name(kind, code) for code in codes]


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


def money(value) -> str:
    """Money as a leader reads it: '¥248.0M', '¥2.48B' in English; '2.48億円', '2,480万円' in Japanese."""
    if _missing(value):
        return tr("n/a", "—")
    value = float(value)
    sign, size = ("-" if value < 0 else ""), abs(value)
    if language() == "ja":
        if size >= 1e8:
            return f"{sign}{size / 1e8:,.2f}億円"
        if size >= 1e4:
            return f"{sign}{size / 1e4:,.{0 if size >= 1e6 else 1}f}万円"
        return f"{sign}{size:,.0f}円"
    if size >= 1e9:
        return f"{sign}¥{size / 1e9:,.2f}B"
    if size >= 1e6:
        return f"{sign}¥{size / 1e6:,.{1 if size >= 1e8 else 2}f}M"
    if size >= 1e3:
        return f"{sign}¥{size / 1e3:,.0f}K"
    return f"{sign}¥{size:,.0f}"


def money_unit() -> tuple[float, str]:
    """(divisor, unit) for money on a chart axis: (1e6, '¥M') in English, (1e4, '万円') in Japanese."""
    return (1e4, "万円") if language() == "ja" else (1e6, "¥M")


def in_money_unit(values):
    """Values divided into the chart unit of money_unit()."""
    return values / money_unit()[0]


def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage: pct(0.0123) -> '1.2%'."""
    if _missing(value):
        return tr("n/a", "—")
    return f"{float(value) * 100:.{digits}f}%"


def pp(value, digits: int = 1) -> str:
    """A change of a rate (a difference of fractions) in percentage points: pp(0.012) -> '+1.2 pt'."""
    if _missing(value):
        return tr("n/a", "—")
    return f"{float(value) * 100:+.{digits}f}" + tr(" pt", "ポイント")


def rate_with_n(value, numerator, denominator, digits: int = 1) -> str:
    """'12.5% (3 of 24)': a rate always with its denominator."""
    if _missing(value):
        return tr(f"n/a (n={number(denominator)})", f"—（n={number(denominator)}）")
    return pct(value, digits) + tr(f" ({number(numerator)} of {number(denominator)})",
                                   f"（{number(denominator)}件中{number(numerator)}件）")


def interval(low, high, digits: int = 0) -> str:
    """A 95% interval of a rate: '12–35%'."""
    if _missing(low) or _missing(high):
        return "—"
    return f"{float(low) * 100:.{digits}f}–{float(high) * 100:.{digits}f}%"


def intervals_overlap(low_a, high_a, low_b, high_b) -> bool:
    """Whether two intervals share a value; a summary claims no difference where they do (or one is unknown)."""
    if any(_missing(v) for v in (low_a, high_a, low_b, high_b)):
        return True
    return float(low_a) <= float(high_b) and float(low_b) <= float(high_a)


def number(value, digits: int = 0) -> str:
    if _missing(value):
        return tr("n/a", "—")
    return f"{float(value):,.{digits}f}"


def count(value, noun: str, noun_ja: str = "件") -> str:
    """count(1, 'response') -> '1 response'; count(3, 'response') -> '3 responses'; Japanese: '3件'."""
    if language() == "ja":
        return f"{0 if _missing(value) else int(value):,}{noun_ja}"
    if _missing(value):
        return f"no {noun}s"
    value = int(value)
    return f"{value:,} {noun}{'' if value == 1 else 's'}"


def points(value, digits: int = 0) -> str:
    """An NPS value in points (-100 to 100)."""
    if _missing(value):
        return tr("n/a", "—")
    return f"{float(value):+.{digits}f}"


def segment_color(kind: str, code, position: int = 0) -> str:
    """The colour of a segment: the fixed colour of a tier or stage, else the palette in order."""
    if kind == "tier" and code in TIER_COLORS:
        return TIER_COLORS[code]
    if kind == "stage" and code in STAGE_COLORS:
        return STAGE_COLORS[code]
    return SEGMENT_PALETTE[position % len(SEGMENT_PALETTE)]


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
            colorway=SEGMENT_PALETTE[:8],
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
    """Figures as HTML for nbconvert: no CDN, no MathJax, and plotly.js in none of them.

    reports.py puts plotly.js into the page once, in its head, so that a page with twenty
    figures is as light as one with one (the library is 4.8 MB).
    """

    def to_mimebundle(self, fig_dict):
        import plotly.io as pio

        html = pio.to_html(
            fig_dict,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=fig_dict.get("layout", {}).get("height") or 480,
            config={"displaylogo": False, "responsive": True},
            validate=False,
        )
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


def _is_dates(values) -> bool:
    import datetime as _dt

    import numpy as np

    if values is None or len(values) == 0:
        return False
    first = values[0]
    return isinstance(first, (_dt.date, np.datetime64, pd.Timestamp)) or (
        isinstance(first, str) and bool(re.match(r"^\d{4}-\d{2}-\d{2}", first)))


def _localise_date_axes(fig) -> None:
    """Month ticks in the report language ('2026年3月' in Japanese) on every axis that carries dates."""
    if language() != "ja":
        return
    axes = set()
    for trace in fig.data:
        for letter in ("x", "y"):
            values = getattr(trace, letter, None)
            if values is not None and _is_dates(values):
                ref = getattr(trace, f"{letter}axis", None) or letter
                axes.add(ref.replace(letter, f"{letter}axis", 1))
    for key in axes:
        fig.layout[key].update(tickformat="%Y年%-m月", hoverformat="%Y年%-m月%-d日")


def style(fig, *, title: str, definition: str, x_title: str | None = None,
          y_title: str | None = None, height: int | None = None, y_format: str | None = None,
          x_format: str | None = None):
    """Title, one-line definition (under the title), axis labels with units, tick formats.

    y_format / x_format: 'money' (values already in money_unit()), 'yen' (¥ with thousands
    separators), 'pct' (fractions drawn as percentages), 'int' (counts) or a d3 format string.
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
    _localise_date_axes(fig)
    return fig


def mark_partial_month(fig, *, label: str | None = None):
    """Shade the as-of month on a monthly time axis: its figures are taken before the month ends."""
    month = partial_month()
    if month is None:
        return fig
    label = label or tr("partial month", "月途中")
    where = dict(row="all", col="all") if getattr(fig, "_grid_ref", None) else {}
    fig.add_vrect(x0=month - pd.Timedelta(days=15), x1=month + pd.Timedelta(days=15), fillcolor="#90a4ae",
                  opacity=0.18, line_width=0, layer="below", **where)
    day = as_of_date()
    until = tr(f"(to {day:%b %-d})", f"（{day.month}月{day.day}日まで）")
    fig.add_annotation(x=month, xref="x", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"{label}<br>{until}", font=dict(size=10, color="#546e7a"))
    return fig


def _format_axis(fig, axis: str, fmt: str) -> None:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if fmt == "money":
        update(tickformat=",.0f" if language() == "ja" else ",.1f", rangemode="tozero")
    elif fmt == "yen":
        update(tickprefix="¥", tickformat=",.0f", separatethousands=True)
    elif fmt == "pct":
        update(tickformat=".0%")
    elif fmt == "pct1":
        update(tickformat=".1%")
    elif fmt == "int":
        update(tickformat=",d")
    else:
        update(tickformat=fmt)


def money_hover(column: str = "y") -> str:
    """A plotly hover template piece for a value in money_unit(): '¥12.3M' or '1,234万円'."""
    if language() == "ja":
        return f"%{{{column}:,.0f}}万円"
    return f"¥%{{{column}:,.2f}}M"


# --- markdown and tables ------------------------------------------------------------------

def say(text: str) -> None:
    """Show a markdown paragraph (a takeaway, or why a section cannot be drawn)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def unavailable(status: Availability) -> None:
    """Say plainly why a section is not drawn."""
    say(f"> **{tr('Not shown.', '表示なし。')}** {status.message}")


def _sort_key(value) -> str:
    """What a table cell sorts by: numbers as numbers, dates as ISO text, the rest as text."""
    if _missing(value):
        return ""
    if isinstance(value, (bool,)):
        return str(int(value))
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            return repr(float(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def csv_data_url(frame: pd.DataFrame) -> str:
    """The frame as a CSV data: URL (UTF-8 with a byte-order mark, so that Excel reads Japanese)."""
    from urllib.parse import quote

    text = "\ufeff" + frame.to_csv(index=False, date_format="%Y-%m-%d")
    return "data:text/csv;charset=utf-8," + quote(text)


def table(frame: pd.DataFrame, formats: dict | None = None, *, caption: str | None = None,
          download: str | None = None, muted: pd.Series | None = None):
    """A DataFrame as an HTML table: every row shown, columns sortable by a click on their header.

    formats: per-column formatters (e.g. {'ARR': wh.money}); a cell sorts by its raw value.
    download: a file name: the table's raw values are offered as a CSV download (a data: URL,
    so it works offline). muted: a boolean per row: rows drawn in grey (n below the minimum).
    """
    import html as _html

    from IPython.display import HTML, display

    formats = formats or {}
    columns = list(frame.columns)
    head = "".join(f"<th title='{_html.escape(tr('Click to sort', 'クリックで並べ替え'), quote=True)}'>"
                   f"{_html.escape(str(column))}</th>" for column in columns)
    body = []
    for position, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in columns:
            value = row[column]
            shown = formats[column](value) if column in formats else ("—" if _missing(value) else value)
            if isinstance(value, pd.Timestamp) and column not in formats:
                shown = date_label(value)
            cells.append(f"<td data-sort='{_html.escape(_sort_key(value), quote=True)}'>"
                         f"{_html.escape(str(shown))}</td>")
        grey = muted is not None and bool(muted.iloc[position])
        row_class = " class='cs-muted'" if grey else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    parts = []
    if caption:
        parts.append(f"<p class='cs-caption'><strong>{_html.escape(caption)}</strong></p>")
    tools = [f"<span class='cs-rows'>{_html.escape(count(len(frame), 'row', '行'))}</span>"]
    if download:
        tools.append(f"<a class='cs-download' download='{_html.escape(download, quote=True)}' "
                     f"href='{csv_data_url(frame)}'>{_html.escape(tr('Download CSV', 'CSVをダウンロード'))}</a>")
    parts.append(f"<div class='cs-table-tools'>{' · '.join(tools)}</div>")
    parts.append(f"<div class='cs-table-wrap'><table class='cs-table cs-sortable'><thead><tr>{head}</tr></thead>"
                 f"<tbody>{''.join(body)}</tbody></table></div>")
    display(HTML("".join(parts)))


setup_plotly()
