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
# # Cohorts and survival
#
# **Question:** How long do customers stay and how does their revenue develop with age: do newer cohorts keep more logos and more revenue than older ones, and which tiers survive longest?
#
# **Reads:** `mart_cohort_retention` (retention by cohort month and age), `mart_survival` (Kaplan–Meier survival by segment).

# %% tags=["parameters"]
# The cohort segment of the heatmaps: 'all', or a tier name such as 'tier1_high_touch'.
segment = "all"

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

segment_type = "all" if segment == "all" else "tier"
cohort_status = wh.availability("mart_cohort_retention", what="cohort retention",
                                rows_where=f"segment_type = '{segment_type}' and segment = '{segment}'")
survival_status = wh.availability("mart_survival", what="survival curves")
cohorts = (wh.mart("mart_cohort_retention", where="segment_type = ? and segment = ?",
                   params=[segment_type, segment], order_by="cohort_month, age_months")
           if cohort_status else pd.DataFrame())
survival = wh.mart("mart_survival", order_by="segment_type, segment, age_months") if survival_status else pd.DataFrame()
partial = wh.partial_month()

# %% [markdown]
# ## In short

# %%
notes = []
if survival_status:
    for horizon in (12, 24):
        at = (survival[(survival["segment_type"] == "tier") & (survival["age_months"] <= horizon)]
              .sort_values("age_months").groupby("segment").tail(1).set_index("segment"))
        reached = at[at["age_months"] == horizon]
        if len(reached) >= 2:
            best, worst = reached["survival"].idxmax(), reached["survival"].idxmin()
            notes.append(f"At {horizon} months, **{wh.pct(reached.loc[best, 'survival'])}** of {best} accounts are "
                         f"still customers against **{wh.pct(reached.loc[worst, 'survival'])}** of {worst}.")
            break
if cohort_status:
    twelve = cohorts[cohorts["age_months"] == 12].dropna(subset=["logo_retention"])
    if len(twelve) >= 2:
        first, last = twelve.iloc[0], twelve.iloc[-1]
        trend = "better" if last["logo_retention"] > first["logo_retention"] else "worse"
        notes.append(f"At age 12 months, the {wh.month_label(last['cohort_month'])} cohort kept "
                     f"**{wh.pct(last['logo_retention'])}** of its logos and **{wh.pct(last['revenue_retention'])}** of "
                     f"its revenue; the {wh.month_label(first['cohort_month'])} cohort kept "
                     f"{wh.pct(first['logo_retention'])} and {wh.pct(first['revenue_retention'])}: newer cohorts "
                     f"retain {trend}.")
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Retention heatmaps
# One row per cohort (the month of the account's first MRR), one column per month of age. Read down a column to
# compare cohorts at the same age. Grey cells are ages a cohort has not reached yet; cells marked `*` are taken in
# the as-of month, which is still partial, so they can still change.

# %%
HEATMAPS = [
    ("logo_retention", "Logo retention", "Accounts of the cohort still customers / accounts of the cohort",
     0.5, 1.0, None, "RdYlGn"),
    ("revenue_retention", "Net revenue retention",
     "MRR of the cohort's accounts now / their MRR in the cohort month (expansion counts)",
     0.5, 1.5, 1.0, "RdYlGn"),
    ("gross_revenue_retention", "Gross revenue retention",
     "The same, with each account capped at its cohort-month MRR (expansion does not count)",
     0.5, 1.0, None, "RdYlGn"),
]


def cohort_heatmap(column, label, definition, zmin, zmax, zmid, scale):
    grid = cohorts.pivot(index="cohort_month", columns="age_months", values=column).sort_index()
    sizes = cohorts.drop_duplicates("cohort_month").set_index("cohort_month")["cohort_accounts"].reindex(grid.index)
    is_partial = pd.DataFrame(False, index=grid.index, columns=grid.columns)
    if partial is not None:
        for cohort_month in grid.index:
            for age in grid.columns:
                is_partial.loc[cohort_month, age] = wh.shift_months(cohort_month, int(age)) == partial
    many = grid.shape[1] > 40 or grid.shape[0] > 48
    text = grid.map(lambda v: "" if pd.isna(v) else f"{v * 100:.0f}")
    text = text.where(~is_partial, text + "*")
    labels = [f"{wh.month_label(m)} (n={int(n)})" for m, n in zip(grid.index, sizes)]
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[int(a) for a in grid.columns], y=labels,
        text=text.values, texttemplate="" if many else "%{text}", textfont=dict(size=9),
        colorscale=scale, zmin=zmin, zmax=zmax, zmid=zmid, hoverongaps=False, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=f"{label} (%)", side="right"), tickformat=".0%"),
        hovertemplate="Cohort %{y}, age %{x} months: %{z:.1%}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=10))
    fig.update_xaxes(dtick=3 if grid.shape[1] > 24 else 1, side="bottom")
    fig.update_layout(plot_bgcolor="#eceff1", margin=dict(b=60))
    wh.style(fig, title=f"{label} by cohort and age" + ("" if segment == "all" else f" — {segment}"),
             definition=f"{definition}; grey = age not reached yet, * = as-of month (partial).",
             x_title="Age (months since the cohort month)", y_title="Cohort month (accounts)",
             height=min(1100, max(420, 22 * grid.shape[0] + 160)))
    return fig


if not cohort_status:
    wh.unavailable(cohort_status)
else:
    for spec in HEATMAPS:
        cohort_heatmap(*spec).show()

# %% [markdown]
# ## Kaplan–Meier survival by tier
# The share of accounts that have not churned yet, by age. Accounts that have not churned are censored at their
# current age, so young accounts do not pull the curve down. The bands are 95% confidence intervals (Greenwood,
# log-log); where a band is wide, the tier has few accounts at that age.

# %%
TIER_COLORS = {"tier1_high_touch": "#1565c0", "tier2_mid_touch": "#2e7d32", "tier3_low_touch": "#ef6c00",
               "tier4_tech_touch": "#6a1b9a"}
PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#9e9d24"]


def rgba(hex_color, alpha):
    hex_color = hex_color.lstrip("#")
    return f"rgba({int(hex_color[0:2], 16)},{int(hex_color[2:4], 16)},{int(hex_color[4:6], 16)},{alpha})"


def survival_curves(fig, frame, segments, row=None, col=None, bands=True, legend="legend"):
    where = dict(row=row, col=col) if row else {}
    for position, name in enumerate(segments):
        curve = frame[frame["segment"] == name].sort_values("age_months")
        color = TIER_COLORS.get(name, PALETTE[position % len(PALETTE)])
        if bands:
            fig.add_trace(go.Scatter(x=curve["age_months"], y=curve["survival_ci_high"], mode="lines",
                                     line=dict(width=0, shape="hv"), showlegend=False, hoverinfo="skip",
                                     legendgroup=name), **where)
            fig.add_trace(go.Scatter(x=curve["age_months"], y=curve["survival_ci_low"], mode="lines",
                                     line=dict(width=0, shape="hv"), fill="tonexty", fillcolor=rgba(color, 0.15),
                                     showlegend=False, hoverinfo="skip", legendgroup=name), **where)
        fig.add_trace(go.Scatter(
            x=curve["age_months"], y=curve["survival"], mode="lines", name=name, legendgroup=name, legend=legend,
            line=dict(color=color, width=2.5, shape="hv"),
            customdata=curve[["at_risk", "churned", "censored", "survival_ci_low", "survival_ci_high"]],
            hovertemplate=(f"{name}, age %{{x}}: %{{y:.1%}} (95% CI %{{customdata[3]:.1%}}–%{{customdata[4]:.1%}})"
                           "<br>at risk %{customdata[0]}, churned %{customdata[1]}, censored %{customdata[2]}"
                           "<extra></extra>")), **where)


if not survival_status:
    wh.unavailable(survival_status)
else:
    tiers = survival[survival["segment_type"] == "tier"]
    overall = survival[survival["segment_type"] == "all"]
    fig = go.Figure()
    tier_names = [t for t in TIER_COLORS if t in set(tiers["segment"])] + sorted(set(tiers["segment"]) - set(TIER_COLORS))
    survival_curves(fig, tiers, tier_names)
    if len(overall):
        fig.add_trace(go.Scatter(x=overall["age_months"], y=overall["survival"], mode="lines", name="all accounts",
                                 line=dict(color="#263238", width=2, dash="dash", shape="hv"),
                                 hovertemplate="all accounts, age %{x}: %{y:.1%}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    wh.style(fig, title="Kaplan–Meier survival by tier (tier in the cohort month)",
             definition="S(t) = Π over ages u ≤ t of (1 − churned at u / at risk at u); the event is the first churn; "
                        "bands = 95% CI.", x_title="Age (months since the cohort month)",
             y_title="Accounts not yet churned (%)", height=520)
    fig.show()

    others = [kind for kind in ("plan", "industry") if kind in set(survival["segment_type"])]
    if others:
        fig = make_subplots(rows=1, cols=len(others), shared_yaxes=True, horizontal_spacing=0.06,
                            subplot_titles=[f"By {kind}" for kind in others])
        for position, kind in enumerate(others, start=1):
            frame = survival[survival["segment_type"] == kind]
            names = sorted(set(frame["segment"]))
            legend = "legend" if position == 1 else f"legend{position}"
            survival_curves(fig, frame, names, row=1, col=position, bands=False, legend=legend)
            fig.update_xaxes(title_text="Age (months)", row=1, col=position)
            domain_start = fig.layout[f"xaxis{'' if position == 1 else position}"].domain[0]
            fig.update_layout({legend: dict(orientation="h", yref="container", y=0.01, yanchor="bottom",
                                            x=domain_start, xanchor="left")})
        fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
        fig.update_yaxes(title_text="Accounts not yet churned (%)", row=1, col=1)
        wh.style(fig, title="Kaplan–Meier survival by " + " and by ".join(others),
                 definition="The same estimator per plan and per industry (in the cohort month); hover for the "
                            "number at risk and the 95% interval.", height=480)
        fig.show()
