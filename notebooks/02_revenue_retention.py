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
# # Revenue and retention
#
# **Question:** Where does recurring revenue leak: how does MRR move from one month to the next, do we keep and grow the revenue we already have (NRR, GRR), and is churn a new-sales story or a renewal story?
#
# **Reads:** `mart_revenue_monthly` (the MRR bridge, retention and churn rates), `mart_expansion_monthly` (upsells by type).

# %% tags=["parameters"]
# The month of the MRR bridge (first day, 'YYYY-MM-01'); None = the latest complete month.
bridge_month = None

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

revenue_status = wh.availability("mart_revenue_monthly", what="revenue and retention")
expansion_status = wh.availability("mart_expansion_monthly", what="upsells by type")
revenue = wh.mart("mart_revenue_monthly", order_by="month") if revenue_status else pd.DataFrame()
expansion = wh.mart("mart_expansion_monthly", order_by="month, expansion_type") if expansion_status else pd.DataFrame()
partial = wh.partial_month()
report_month = (pd.Timestamp(bridge_month) if bridge_month
                else wh.latest_complete_month(revenue["month"] if revenue_status else None))
if not revenue_status:
    wh.unavailable(revenue_status)
else:
    wh.say(f"MRR bridge month: **{wh.month_label(report_month)}**. Charts over time run to "
           f"{wh.month_label(revenue['month'].max())}"
           + (f" (as of {wh.as_of_date():%Y-%m-%d}, so its last month is still partial)." if partial is not None
              else "."))

# %% [markdown]
# ## In short

# %%
if revenue_status:
    row = revenue[revenue["month"] == report_month]
    if not row.empty:
        row = row.iloc[0]
        notes = []
        if pd.notna(row["nrr_12m"]):
            notes.append(f"Trailing-12-month NRR is **{wh.pct(row['nrr_12m'])}** and GRR **{wh.pct(row['grr_12m'])}**"
                         + (": the base shrinks without new sales." if row["nrr_12m"] < 1 else
                            ": the existing base grows on its own."))
        bigger = "churn" if row["churned_mrr"] >= row["contraction_mrr"] else "contraction"
        notes.append(f"Of the MRR that leaked in {wh.month_label(report_month)}, the larger part is **{bigger}** "
                     f"({wh.yen(row['churned_mrr'])} churned, {wh.yen(row['contraction_mrr'])} contracted).")
        if pd.notna(row["renewal_churn_rate"]) and pd.notna(row["logo_churn_rate"]):
            where = ("higher than logo churn: accounts are lost when they come up for renewal, so start renewal "
                     "conversations earlier" if row["renewal_churn_rate"] > row["logo_churn_rate"]
                     else "not higher than logo churn: look at accounts that leave or shrink mid-contract too")
            notes.append(f"Renewal churn is {wh.pct(row['renewal_churn_rate'])} ({int(row['renewals_churned'])} of "
                         f"{int(row['renewals_due'])} renewals lost), {where} "
                         f"(logo churn {wh.pct(row['logo_churn_rate'], 2)}).")
        wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## The MRR bridge
# Starting MRR, plus what came in (new, reactivated, expansion), minus what leaked out (contraction, churn), gives
# the ending MRR. This is the identity every revenue figure in the warehouse keeps.

# %%
if revenue_status:
    row = revenue[revenue["month"] == report_month]
    if row.empty:
        wh.unavailable(wh.Availability(False, f"`mart_revenue_monthly` has no row for {wh.month_label(report_month)}."))
    else:
        row = row.iloc[0]
        steps = [
            ("Starting MRR", "absolute", row["mrr_start"], wh.COLORS["neutral"]),
            ("New", "relative", row["new_mrr"], wh.MOVEMENT_COLORS["new"]),
            ("Reactivation", "relative", row["reactivation_mrr"], wh.MOVEMENT_COLORS["reactivation"]),
            ("Expansion", "relative", row["expansion_mrr"], wh.MOVEMENT_COLORS["expansion"]),
            ("Contraction", "relative", -row["contraction_mrr"], wh.MOVEMENT_COLORS["contraction"]),
            ("Churn", "relative", -row["churned_mrr"], wh.MOVEMENT_COLORS["churn"]),
            ("Ending MRR", "total", row["mrr_end"], wh.COLORS["neutral"]),
        ]
        fig = go.Figure(go.Waterfall(
            x=[label for label, *_ in steps],
            measure=[measure for _, measure, *_ in steps],
            y=[float(value) if measure != "total" else 0.0 for _, measure, value, _ in steps],
            text=[wh.yen(value) for _, _, value, _ in steps],
            textposition="outside",
            connector=dict(line=dict(color="#90a4ae", dash="dot")),
            increasing=dict(marker=dict(color=wh.MOVEMENT_COLORS["expansion"])),
            decreasing=dict(marker=dict(color=wh.MOVEMENT_COLORS["churn"])),
            totals=dict(marker=dict(color=wh.COLORS["neutral"])),
            hovertemplate="%{x}: ¥%{y:,.0f}<extra></extra>",
        ))
        low = float(min(row["mrr_start"], row["mrr_end"]))
        high = float(max(row["mrr_start"] + row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"],
                         row["mrr_end"]))
        fig.update_yaxes(range=[low * 0.9, high * 1.04])
        wh.style(fig, title=f"MRR bridge, {wh.month_label(report_month)}",
                 definition="Ending MRR = starting + new + reactivation + expansion − contraction − churn, "
                            "each on the month's snapshot day (¥). The axis does not start at zero.",
                 x_title="Movement", y_title="MRR (¥)", y_format="yen", height=500)
        fig.update_layout(showlegend=False)
        fig.show()
        wh.say(f"In {wh.month_label(report_month)}, **{int(row['new_customers'])}** new and "
               f"**{int(row['reactivated_customers'])}** reactivated customers brought "
               f"{wh.yen(row['new_mrr'])} and {wh.yen(row['reactivation_mrr'])}; expansion added "
               f"{wh.yen(row['expansion_mrr'])}. Contraction took {wh.yen(row['contraction_mrr'])} and "
               f"**{int(row['churned_customers'])}** churned customers {wh.yen(row['churned_mrr'])}.")

# %% [markdown]
# ## MRR movements month by month
# The bridge for every month at once: bars above zero are MRR gained, bars below zero MRR lost.

# %%
if revenue_status:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, label, sign, key in [
        ("new_mrr", "New", 1, "new"), ("reactivation_mrr", "Reactivation", 1, "reactivation"),
        ("expansion_mrr", "Expansion", 1, "expansion"), ("contraction_mrr", "Contraction", -1, "contraction"),
        ("churned_mrr", "Churn", -1, "churn"),
    ]:
        fig.add_trace(go.Bar(x=revenue["month"], y=sign * revenue[column], name=label,
                             marker_color=wh.MOVEMENT_COLORS[key],
                             hovertemplate=f"{label} %{{x|%b %Y}}: ¥%{{y:,.0f}}<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=revenue["month"], y=revenue["mrr_end"], name="Ending MRR (right axis)",
                             mode="lines", line=dict(color="#263238", width=2),
                             hovertemplate="Ending MRR %{x|%b %Y}: ¥%{y:,.0f}<extra></extra>"), secondary_y=True)
    fig.update_layout(barmode="relative")
    wh.style(fig, title="MRR gained and lost each month",
             definition="Movements per month (¥, losses drawn below zero); the line is ending MRR on the right axis.",
             x_title="Month", height=480)
    fig.update_yaxes(title_text="MRR movement (¥)", tickprefix="¥", tickformat=",.0f", secondary_y=False)
    fig.update_yaxes(title_text="Ending MRR (¥)", tickprefix="¥", tickformat=".3~s", secondary_y=True,
                     showgrid=False, rangemode="tozero")
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Net and gross revenue retention
# Monthly rates move with a handful of accounts; the trailing-12-month rates are the KGI (Gainsight's definition,
# as Sansan and commmune use it). NRR above 100% means the existing base grows on its own.

# %%
if revenue_status:
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.09,
                        subplot_titles=("Monthly", "Trailing 12 months"))
    for column, label, color, dash, col in [
        ("nrr", "NRR, monthly", wh.COLORS["accent"], "solid", 1),
        ("grr", "GRR, monthly", wh.COLORS["bad"], "solid", 1),
        ("nrr_12m", "NRR, trailing 12m", wh.COLORS["accent"], "solid", 2),
        ("grr_12m", "GRR, trailing 12m", wh.COLORS["bad"], "solid", 2),
    ]:
        fig.add_trace(go.Scatter(x=revenue["month"], y=revenue[column], name=label, mode="lines+markers",
                                 marker=dict(size=4), line=dict(color=color, dash=dash),
                                 hovertemplate=f"{label} %{{x|%b %Y}}: %{{y:.1%}}<extra></extra>"), row=1, col=col)
    for col in (1, 2):
        fig.add_hline(y=1.0, line=dict(color="#90a4ae", dash="dash"), row=1, col=col)
    fig.update_yaxes(tickformat=".0%", title_text="Retention (% of starting MRR)", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", title_text="Retention (% of MRR 12 months ago)", row=1, col=2)
    fig.update_xaxes(title_text="Month")
    wh.style(fig, title="Net and gross revenue retention",
             definition="NRR = (start + expansion − contraction − churn) / start; GRR leaves expansion out. "
                        "Trailing 12m: the customers of 12 months ago, MRR now / MRR then.", height=460)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Churn: logo, diluted by new sales, and at renewal
# The usual monthly churn rate falls whenever many new contracts arrive, so it is no report card for CS. The
# renewal churn rate (Sansan's 月次更新解約率) asks only the accounts that came up for renewal.

# %%
if revenue_status:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=revenue["month"], y=revenue["renewals_due"], name="Renewals due (right axis)",
                         marker_color="rgba(144,164,174,0.35)",
                         hovertemplate="%{x|%b %Y}: %{y} renewals due<extra></extra>"), secondary_y=True)
    for column, label, color, dash in [
        ("logo_churn_rate", "Logo churn", wh.COLORS["bad"], "solid"),
        ("logo_churn_rate_incl_new", "Logo churn incl. new (diluted)", "#ef9a9a", "dot"),
        ("renewal_churn_rate", "Renewal churn", "#6a1b9a", "solid"),
    ]:
        fig.add_trace(go.Scatter(x=revenue["month"], y=revenue[column], name=label, mode="lines+markers",
                                 marker=dict(size=5), line=dict(color=color, dash=dash),
                                 hovertemplate=f"{label} %{{x|%b %Y}}: %{{y:.2%}}<extra></extra>"), secondary_y=False)
    wh.style(fig, title="Logo churn, its new-sales-diluted variant, and renewal churn",
             definition="Logo churn = churned / customers at the start; incl. new adds the month's new and "
                        "reactivated to the base; renewal churn = not renewed / renewals due.",
             x_title="Month", height=460)
    fig.update_yaxes(title_text="Churn rate (%)", tickformat=".1%", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Renewals due (accounts)", showgrid=False, rangemode="tozero", tickformat=",d",
                     secondary_y=True)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Upsells by type
# Counted in accounts, not yen (Yappli counts upsells; commmune splits upsell, extension and cross-sell by who
# closes them). Downsells are the accounts that contracted.

# %%
EXPANSION_TYPES = {"upsell": ("Upsell (bigger plan, more seats)", "#2e7d32"),
                   "addon": ("Add-on option", "#66bb6a"),
                   "extension": ("Extension (another department)", "#00838f"),
                   "cross_sell": ("Cross-sell (another product)", "#1565c0")}
if not expansion_status:
    wh.unavailable(expansion_status)
else:
    fig = go.Figure()
    for expansion_type in list(EXPANSION_TYPES) + sorted(set(expansion["expansion_type"]) - set(EXPANSION_TYPES)):
        rows = expansion[expansion["expansion_type"] == expansion_type]
        if rows.empty:
            continue
        label, color = EXPANSION_TYPES.get(expansion_type, (expansion_type, None))
        fig.add_trace(go.Bar(x=rows["month"], y=rows["accounts"], name=label, marker_color=color,
                             customdata=rows[["expansion_mrr"]],
                             hovertemplate=f"{label} %{{x|%b %Y}}: %{{y}} accounts, ¥%{{customdata[0]:,.0f}}"
                                           "<extra></extra>"))
    if revenue_status:
        fig.add_trace(go.Scatter(x=revenue["month"], y=-revenue["downsell_count"], name="Downsells (below zero)",
                                 mode="markers", marker=dict(color=wh.MOVEMENT_COLORS["contraction"], size=8,
                                                             symbol="triangle-down"),
                                 customdata=revenue[["downsell_count"]],
                                 hovertemplate="Downsells %{x|%b %Y}: %{customdata[0]} accounts<extra></extra>"))
    fig.update_layout(barmode="relative")
    wh.style(fig, title="Upsell counts by type, and downsells",
             definition="Accounts with an expansion movement in the month, by the type of the line that grew most; "
                        "downsells = accounts that contracted.",
             x_title="Month", y_title="Accounts", height=460)
    wh.mark_partial_month(fig)
    fig.show()
