# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: CS warehouse
#     language: python
#     name: cs-warehouse
# ---

# %% [markdown]
# # CS scorecard
#
# **Question:** In the latest complete month, is the bucket leaking, are we within the 10% rule, and which Gainsight maturity level have we reached?
#
# **Reads:** `mart_cs_scorecard` (headline figures), `mart_revenue_monthly` (monthly history for the 10% rule and maturity), seed `maturity_levels` (the level thresholds), `mart_nps_monthly` (only to say why NPS is missing, when it is).

# %% tags=["parameters"]
# The month to report (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

scorecard_status = wh.availability("mart_cs_scorecard", what="the scorecard")
revenue_status = wh.availability("mart_revenue_monthly", what="the 10% rule and maturity history")
scorecard = wh.mart("mart_cs_scorecard", order_by="month") if scorecard_status else pd.DataFrame()
revenue = wh.mart("mart_revenue_monthly", order_by="month") if revenue_status else pd.DataFrame()
levels = wh.seed("maturity_levels").sort_values("level_rank") if wh.relation_exists("maturity_levels") else pd.DataFrame()

months_available = scorecard["month"] if scorecard_status else revenue.get("month")
report_month = pd.Timestamp(month) if month else wh.latest_complete_month(months_available)
previous_month = wh.shift_months(report_month, -1)
year_ago = wh.shift_months(report_month, -12)


def row_for(frame, when):
    """The mart's row for a month, or None when the mart has no such month."""
    rows = frame[frame["month"] == when] if len(frame) else frame
    return None if rows.empty else rows.iloc[0]


current, previous, last_year = (row_for(scorecard, m) for m in (report_month, previous_month, year_ago))
wh.say(f"Reporting month: **{wh.month_label(report_month)}** (the latest complete month; "
       f"data as of {wh.as_of_date():%Y-%m-%d}).")

# %% [markdown]
# ## In short

# %%
if current is not None:
    notes = []
    level = current.get("maturity_level")
    nrr = current.get("nrr_12m")
    grr = current.get("grr_12m")
    if pd.notna(nrr):
        verdict = ("**the bucket leaks**: expansion does not make up for what churn and contraction take away"
                   if nrr < 1 else "expansion more than makes up for churn and contraction")
        notes.append(f"Trailing-12-month NRR is **{wh.pct(nrr)}** (GRR {wh.pct(grr)}): {verdict}.")
    if pd.notna(level) and not levels.empty:
        ranks = levels.set_index("maturity_level")["level_rank"]
        higher = levels[levels["level_rank"] > ranks.get(level, 99)]
        nxt = higher.iloc[0] if len(higher) else None
        step = (f" The next level, {nxt['maturity_level']}, needs NRR ≥ {wh.pct(nxt['min_nrr_12m'], 0)}"
                + (f" and mean monthly logo churn ≤ {wh.pct(nxt['max_mean_logo_churn_12m'])}"
                   if pd.notna(nxt['max_mean_logo_churn_12m']) else "") + "." if nxt is not None else "")
        notes.append(f"Maturity level: **{level}**.{step}")
    annual = current.get("annualized_logo_churn")
    if pd.notna(annual):
        rule = "within" if current.get("meets_10pct_rule") else "**outside**"
        notes.append(f"Annualised logo churn is **{wh.pct(annual)}**, {rule} the 10% rule.")
    renewal = current.get("renewal_churn_rate")
    if pd.notna(renewal):
        notes.append(f"Of the renewals due in {wh.month_label(report_month)}, **{wh.pct(renewal)}** did not renew "
                     "(the rate new sales cannot dilute; see *Revenue and retention*).")
    wh.say("\n".join(f"- {note}" for note in notes) if notes else "No headline figures for this month.")

# %% [markdown]
# ## Headline figures
# Each card shows the month's value; the small figure under it is the change against the previous month
# (green where the change is good for the business, red where it is bad), and the grey line the same figure a
# year earlier.

# %%
CARDS = [
    # column, label, value format, "up is good"
    ("customers", "Customers", ",d", True),
    ("arr", "ARR (¥)", ",.0f", True),
    ("nrr_12m", "NRR, trailing 12 months", ".1%", True),
    ("grr_12m", "GRR, trailing 12 months", ".1%", True),
    ("logo_churn_rate", "Logo churn, monthly", ".2%", False),
    ("renewal_churn_rate", "Renewal churn, monthly", ".1%", False),
    ("nps", "NPS (points)", ".0f", True),
    ("upsell_count", "Upsells (accounts)", ",d", True),
]

if current is None:
    wh.unavailable(scorecard_status if not scorecard_status else
                   wh.Availability(False, f"`mart_cs_scorecard` has no row for {wh.month_label(report_month)}."))
else:
    cards = [card for card in CARDS if card[0] in current.index and pd.notna(current[card[0]])]
    columns = 4
    rows = -(-len(cards) // columns)
    FORMATS = {"arr": wh.yen, "nps": wh.points, "logo_churn_rate": lambda v: wh.pct(v, 2)}

    def year_ago_text(column):
        """The same figure a year earlier, as printed in the table below."""
        if last_year is None or pd.isna(last_year.get(column)):
            return "n/a"
        value = last_year[column]
        if column in FORMATS:
            return FORMATS[column](value)
        return wh.pct(value) if "rate" in column or column.endswith("_12m") else wh.number(value)

    fig = go.Figure()
    for position, (column, label, fmt, up_is_good) in enumerate(cards):
        good, bad = wh.COLORS["good"], wh.COLORS["bad"]
        reference = previous[column] if previous is not None and pd.notna(previous[column]) else None
        fig.add_trace(go.Indicator(
            mode="number+delta" if reference is not None else "number",
            value=float(current[column]),
            number=dict(valueformat=fmt, prefix="¥" if column == "arr" else "", font=dict(size=34)),
            delta=dict(reference=float(reference) if reference is not None else None, valueformat=fmt,
                       prefix="¥" if column == "arr" else "",
                       increasing=dict(color=good if up_is_good else bad),
                       decreasing=dict(color=bad if up_is_good else good)),
            title=dict(text=f"{label}<br><span style='font-size:11px;color:#78909c'>{wh.month_label(year_ago)}: "
                            f"{year_ago_text(column)}</span>", font=dict(size=14)),
            domain=dict(row=position // columns, column=position % columns),
        ))
    fig.update_layout(grid=dict(rows=rows, columns=columns, pattern="independent"), height=150 * rows + 90,
                      margin=dict(b=20))
    wh.style(fig, title=f"Headline figures, {wh.month_label(report_month)}",
             definition="Values on the month's snapshot day; the delta under each is the change vs "
                        f"{wh.month_label(previous_month)} (rates in percentage points); grey: a year earlier.")
    fig.show()
    if "nps" not in [card[0] for card in cards]:
        nps_status = wh.availability("mart_nps_monthly", what="NPS", source="surveys", rows_where="responses > 0")
        wh.unavailable(nps_status if not nps_status else
                       wh.Availability(False, "NPS has no responses in this month, so its card is left out."))

# %% [markdown]
# ### Against the previous month and the previous year

# %%
ROWS = [
    ("customers", "Customers", lambda v: wh.number(v)),
    ("arr", "ARR", wh.yen),
    ("nrr_12m", "NRR, trailing 12 months", wh.pct),
    ("grr_12m", "GRR, trailing 12 months", wh.pct),
    ("logo_churn_rate", "Logo churn rate, monthly", lambda v: wh.pct(v, 2)),
    ("renewal_churn_rate", "Renewal churn rate, monthly", wh.pct),
    ("annualized_logo_churn", "Annualised logo churn", wh.pct),
    ("meets_10pct_rule", "Meets the 10% rule", lambda v: "n/a" if pd.isna(v) else ("yes" if v else "no")),
    ("maturity_level", "Maturity level", lambda v: "n/a" if pd.isna(v) else str(v)),
    ("nps", "NPS (points)", wh.points),
    ("upsell_count", "Upsells (accounts)", wh.number),
    ("stage_up_count", "Stage-ups (accounts)", wh.number),
    ("toss_up_count", "Toss-ups to sales (leads)", wh.number),
]
if current is not None:
    table = pd.DataFrame({
        "Figure": [label for _, label, _ in ROWS],
        wh.month_label(report_month): [fmt(current.get(column)) for column, _, fmt in ROWS],
        wh.month_label(previous_month): [fmt(previous.get(column)) if previous is not None else "n/a"
                                         for column, _, fmt in ROWS],
        wh.month_label(year_ago): [fmt(last_year.get(column)) if last_year is not None else "n/a"
                                   for column, _, fmt in ROWS],
    })
    wh.table(table, caption="Headline figures: this month, the previous month and the same month a year ago "
                            "(from mart_cs_scorecard)")

# %% [markdown]
# ## The 10% rule
# Sansan's rule: annual logo churn at or below 10% (about 0.8% a month). Monthly churn rates are noisy, so the
# rule is read on annualised logo churn.

# %%
if not revenue_status:
    wh.unavailable(revenue_status)
else:
    history = revenue[revenue["month"] <= report_month]
    annual = history.dropna(subset=["annualized_logo_churn"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4])
    marker_colors = [wh.COLORS["good"] if met else wh.COLORS["bad"] for met in annual["meets_10pct_rule"].fillna(False)]
    fig.add_trace(go.Scatter(x=annual["month"], y=annual["annualized_logo_churn"], mode="lines+markers",
                             name="Annualised logo churn", line=dict(color=wh.COLORS["neutral"]),
                             marker=dict(color=marker_colors, size=8),
                             hovertemplate="%{x|%b %Y}: %{y:.1%}<extra></extra>"), row=1, col=1)
    fig.add_hline(y=0.10, line=dict(color=wh.COLORS["threshold"], dash="dash"), row=1, col=1,
                  annotation_text="10% rule", annotation_position="top left")
    fig.add_trace(go.Bar(x=history["month"], y=history["logo_churn_rate"], name="Logo churn, monthly",
                         marker_color=wh.COLORS["accent"], hovertemplate="%{x|%b %Y}: %{y:.2%}<extra></extra>"),
                  row=2, col=1)
    fig.add_hline(y=0.008, line=dict(color=wh.COLORS["threshold"], dash="dot"), row=2, col=1,
                  annotation_text="Sansan's guide: about 0.8% a month", annotation_position="top left")
    fig.update_yaxes(title_text="Annualised churn (%)", tickformat=".0%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="Monthly churn (%)", tickformat=".1%", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="Month", row=2, col=1)
    wh.style(fig, title="Logo churn against the 10% rule",
             definition="Annualised logo churn = 1 − Π over 12 months of (1 − monthly logo churn); "
                        "green points meet the rule (≤ 10%), red ones do not.", height=560)
    fig.show()

# %% [markdown]
# ## Maturity level
# Gainsight's levels, with the thresholds of the `maturity_levels` seed drawn as bands. REACTIVE keeps about 80%
# of revenue and "the bucket still leaks"; INSIGHTS & ACTIONS needs net retention of at least 100%.

# %%
if not revenue_status or levels.empty:
    wh.unavailable(revenue_status if not revenue_status else
                   wh.Availability(False, "The seed `maturity_levels` is not in this warehouse, so the thresholds "
                                          "cannot be drawn."))
else:
    history = revenue[(revenue["month"] <= report_month)].dropna(subset=["nrr_12m"])
    band_colors = ["rgba(198,40,40,0.12)", "rgba(255,179,0,0.16)", "rgba(21,101,192,0.12)", "rgba(46,125,50,0.16)"]
    y_top = max(1.35, float(history["nrr_12m"].max()) + 0.05) if len(history) else 1.35
    y_bottom = min(0.7, float(history["nrr_12m"].min()) - 0.05) if len(history) else 0.7
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.65, 0.35])
    lows = levels["min_nrr_12m"].fillna(y_bottom).tolist()
    for position, level in enumerate(levels.itertuples()):
        low = lows[position]
        high = lows[position + 1] if position + 1 < len(lows) else y_top
        fig.add_hrect(y0=low, y1=high, fillcolor=band_colors[position % len(band_colors)], line_width=0,
                      row=1, col=1, layer="below", exclude_empty_subplots=False)
        condition = f"NRR ≥ {level.min_nrr_12m:.0%}" if pd.notna(level.min_nrr_12m) else "below the next level"
        if pd.notna(level.max_mean_logo_churn_12m):
            condition += f" and mean monthly churn ≤ {level.max_mean_logo_churn_12m:.1%}"
        fig.add_annotation(x=0.005, xref="x domain", y=(low + high) / 2, yref="y",
                           text=f"<b>{level.maturity_level}</b> ({condition})", showarrow=False,
                           xanchor="left", font=dict(size=11, color="#37474f"), row=1, col=1)
    fig.add_trace(go.Scatter(x=history["month"], y=history["nrr_12m"], mode="lines+markers", name="NRR, trailing 12m",
                             line=dict(color="#263238", width=3), customdata=history[["maturity_level"]],
                             hovertemplate="%{x|%b %Y}: %{y:.1%} (%{customdata[0]})<extra></extra>"), row=1, col=1)
    churn_limit = levels["max_mean_logo_churn_12m"].dropna()
    all_months = revenue[revenue["month"] <= report_month]
    if "mean_logo_churn_rate_12m" in all_months:
        # the figure TRANSFORMATION is judged on, where the mart publishes it
        fig.add_trace(go.Bar(x=all_months["month"], y=all_months["logo_churn_rate"], name="Logo churn, monthly",
                             marker_color="rgba(96,125,139,0.35)",
                             hovertemplate="%{x|%b %Y}: %{y:.2%}<extra></extra>"), row=2, col=1)
        fig.add_trace(go.Scatter(x=all_months["month"], y=all_months["mean_logo_churn_rate_12m"], mode="lines",
                                 name="Mean monthly logo churn, last 12 months", line=dict(color="#263238", width=2.5),
                                 hovertemplate="%{x|%b %Y}: %{y:.2%}<extra></extra>"), row=2, col=1)
    else:
        fig.add_trace(go.Bar(x=all_months["month"], y=all_months["logo_churn_rate"], name="Logo churn, monthly",
                             marker_color=wh.COLORS["neutral"], hovertemplate="%{x|%b %Y}: %{y:.2%}<extra></extra>"),
                      row=2, col=1)
    for limit in churn_limit:
        fig.add_hline(y=float(limit), line=dict(color=wh.COLORS["threshold"], dash="dash"), row=2, col=1,
                      annotation_text=f"TRANSFORMATION: 12-month mean ≤ {float(limit):.1%}",
                      annotation_position="top right")
    fig.update_yaxes(title_text="NRR, trailing 12 months (%)", tickformat=".0%", range=[y_bottom, y_top], row=1, col=1)
    fig.update_yaxes(title_text="Monthly logo churn (%)", tickformat=".1%", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="Month", row=2, col=1)
    wh.style(fig, title="Maturity level: trailing-12-month NRR against the Gainsight thresholds",
             definition="NRR (12m) = this month's MRR / MRR 12 months ago, over the customers of 12 months ago; "
                        "the highest level whose conditions hold applies.", height=640)
    fig.show()
