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
# # Voice of the customer
#
# **Question:** What are customers telling us — through NPS, the effort of onboarding, how fast they reach value, the tickets they file and their community activity — and where does that point the CS and product teams?
#
# **Reads:** `mart_nps_monthly` (NPS by tier and stage), `mart_onboarding_cohorts` (CES after onboarding, time to value, completion), `mart_product_feedback` (tickets by category and feature), `mart_community_impact` (community activity against NRR and churn).

# %% tags=["parameters"]
# The month of the ticket heatmap (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

nps_status = wh.availability("mart_nps_monthly", what="NPS", source="surveys", rows_where="responses > 0")
onboarding_status = wh.availability("mart_onboarding_cohorts", what="onboarding and time to value")
ces_status = (wh.availability("mart_onboarding_cohorts", what="CES after onboarding", source="surveys",
                              rows_where="mean_ces is not null") if onboarding_status else onboarding_status)
feedback_status = wh.availability("mart_product_feedback", what="tickets by category and feature", source="tickets",
                                  rows_where="tickets > 0")
community_status = wh.availability("mart_community_impact", what="community activity against NRR", source="community",
                                   rows_where="has_community_activity and observations > 0")
nps = wh.mart("mart_nps_monthly", order_by="month") if nps_status else pd.DataFrame()
onboarding = wh.mart("mart_onboarding_cohorts", order_by="cohort_month") if onboarding_status else pd.DataFrame()
feedback = wh.mart("mart_product_feedback", order_by="month") if feedback_status else pd.DataFrame()
community = wh.mart("mart_community_impact") if community_status else pd.DataFrame()
partial = wh.partial_month()
ticket_month = (pd.Timestamp(month) if month else wh.latest_complete_month(feedback["month"])) if feedback_status else None
tickets_now = feedback[feedback["month"] == ticket_month] if feedback_status else pd.DataFrame()

# %% [markdown]
# ## In short

# %%
notes = []
MIN_RESPONSES = 5  # a tier's monthly NPS from fewer responses is not quoted here (the chart still shows it)
if nps_status:
    nps_month = wh.latest_complete_month(nps["month"])
    latest = nps[(nps["month"] == nps_month) & (nps["responses"] >= MIN_RESPONSES)]
    tiers = latest[latest["segment_type"] == "tier"]
    overall = latest[latest["segment_type"] == "all"]
    if len(overall):
        notes.append(f"NPS in {wh.month_label(nps_month)} is **{wh.points(overall['nps'].iloc[0])}** "
                     f"({wh.count(overall['responses'].iloc[0], 'response')}).")
    if len(tiers) >= 2:
        low, high = tiers.loc[tiers["nps"].idxmin()], tiers.loc[tiers["nps"].idxmax()]
        notes.append(f"By tier it ranges from {wh.points(low['nps'])} ({low['segment']}, "
                     f"{wh.count(low['responses'], 'response')}) to {wh.points(high['nps'])} ({high['segment']}, "
                     f"{wh.count(high['responses'], 'response')}).")
    else:
        notes.append(f"Too few responses per tier in {wh.month_label(nps_month)} (fewer than {MIN_RESPONSES}) to "
                     "compare tiers: read the trend in the charts below.")
if feedback_status and not tickets_now.empty:
    top = tickets_now.loc[tickets_now["tickets"].idxmax()]
    notes.append(f"The largest ticket group in {wh.month_label(ticket_month)} is **{top['category']}** about "
                 f"**{top['feature']}** ({int(top['tickets'])} tickets): take it to the product team.")
if community_status:
    active = community[community["has_community_activity"].astype(bool)].iloc[0]
    quiet = community[~community["has_community_activity"].astype(bool)]
    if len(quiet):
        quiet = quiet.iloc[0]
        notes.append(f"Customer-months with community activity show NRR {wh.pct(active['net_revenue_retention_12m'])} "
                     f"against {wh.pct(quiet['net_revenue_retention_12m'])} without, and churn "
                     f"{wh.pct(active['churn_rate_12m'])} against {wh.pct(quiet['churn_rate_12m'])}.")
for status in (nps_status, ces_status, feedback_status, community_status):
    if not status:
        notes.append(status.message)
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## NPS by tier and by stage
# NPS = % promoters (9–10) − % detractors (0–6), in points from −100 to +100. A month with few responses moves a
# lot: hover for the number of responses.

# %%
TIER_COLORS = {"tier1_high_touch": "#1565c0", "tier2_mid_touch": "#2e7d32", "tier3_low_touch": "#ef6c00",
               "tier4_tech_touch": "#6a1b9a"}


def nps_chart(segment_type, title, order, colors):
    rows = nps[nps["segment_type"] == segment_type]
    segments = [s for s in order if s in set(rows["segment"])] + sorted(set(rows["segment"]) - set(order))
    fig = go.Figure()
    overall = nps[nps["segment_type"] == "all"]
    if len(overall):
        fig.add_trace(go.Scatter(x=overall["month"], y=overall["nps"], name="all customers", mode="lines",
                                 line=dict(color="#263238", width=3), customdata=overall[["responses"]],
                                 hovertemplate="all %{x|%b %Y}: NPS %{y:+.0f} (%{customdata[0]} responses)<extra></extra>"))
    for segment in segments:
        part = rows[rows["segment"] == segment]
        # marker area grows with the number of responses, so that thin months look thin
        fig.add_trace(go.Scatter(x=part["month"], y=part["nps"], name=segment, mode="lines+markers",
                                 marker=dict(size=part["responses"], sizemode="area", sizemin=3,
                                             sizeref=2 * max(float(rows["responses"].max()), 1) / 16 ** 2),
                                 line=dict(color=colors.get(segment), width=1),
                                 customdata=part[["responses", "promoters", "detractors"]],
                                 hovertemplate=(f"{segment} %{{x|%b %Y}}: NPS %{{y:+.0f}}<br>%{{customdata[0]}} responses, "
                                                "%{customdata[1]} promoters, %{customdata[2]} detractors<extra></extra>")))
    fig.add_hline(y=0, line=dict(color="#90a4ae", dash="dash"))
    fig.update_yaxes(range=[-108, 108])
    wh.style(fig, title=title, definition="NPS = % of scores 9–10 − % of scores 0–6, per month (points); "
                                          "the thick line is all customers; marker size = responses.",
             x_title="Month (of the response)", y_title="NPS (points, −100 to +100)", height=440)
    wh.mark_partial_month(fig)
    return fig


if not nps_status:
    wh.unavailable(nps_status)
else:
    nps_chart("tier", "NPS by tier", list(TIER_COLORS), TIER_COLORS).show()
    nps_chart("stage", "NPS by lifecycle stage", wh.STAGE_ORDER, wh.STAGE_COLORS).show()

# %% [markdown]
# ## Onboarding: effort, time to value, completion
# SmartHR surveys the Customer Effort Score (CES) when onboarding ends. Toreta's target is value within two weeks
# (actual 10.3 days on average), and an upsell offered right after onboarding converts at about 15%.

# %%
if not ces_status:
    wh.unavailable(ces_status)
else:
    rows = onboarding.dropna(subset=["mean_ces"])
    fig = go.Figure(go.Bar(x=rows["cohort_month"], y=rows["mean_ces"], marker_color=wh.COLORS["accent"],
                           customdata=rows[["accounts"]],
                           hovertemplate="Cohort %{x|%b %Y}: mean CES %{y:.2f} (%{customdata[0]} accounts)<extra></extra>"))
    wh.style(fig, title="Customer Effort Score after onboarding, by cohort",
             definition="Mean CES of the cohort's accounts in the survey at the end of onboarding (the survey's scale).",
             x_title="Cohort month (first contract)", y_title="Mean CES (survey scale)", height=400)
    fig.update_layout(margin=dict(b=60))
    wh.mark_partial_month(fig)
    fig.show()

# %%
if not onboarding_status:
    wh.unavailable(onboarding_status)
else:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=onboarding["cohort_month"], y=onboarding["completion_rate"],
                         name="Completed within target (right axis)", marker_color="rgba(46,125,50,0.30)",
                         customdata=onboarding[["completed_within_target", "accounts"]],
                         hovertemplate="Cohort %{x|%b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra></extra>"),
                  secondary_y=True)
    fig.add_trace(go.Scatter(x=onboarding["cohort_month"], y=onboarding["median_days_to_value"],
                             name="Median days to value", mode="lines+markers", line=dict(color=wh.COLORS["accent"]),
                             hovertemplate="Cohort %{x|%b %Y}: median %{y:.0f} days<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=onboarding["cohort_month"], y=onboarding["mean_days_to_value"],
                             name="Mean days to value", mode="lines", line=dict(color=wh.COLORS["accent"], dash="dot"),
                             hovertemplate="Cohort %{x|%b %Y}: mean %{y:.1f} days<extra></extra>"), secondary_y=False)
    wh.style(fig, title="Time to value and onboarding completion, by cohort",
             definition="Days from first contract start to the onboarding milestone; completion = share reaching it "
                        "within the target days. Young cohorts are still completing.", x_title="Cohort month",
             height=440)
    fig.update_yaxes(title_text="Days to value", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Completed within target (%)", tickformat=".0%", range=[0, 1.0], dtick=0.25,
                     showgrid=False,
                     secondary_y=True)
    wh.mark_partial_month(fig)
    fig.show()

    fig = go.Figure(go.Bar(x=onboarding["cohort_month"], y=onboarding["post_onboarding_upsell_rate"],
                           marker_color=wh.MOVEMENT_COLORS["expansion"], name="Post-onboarding upsell",
                           hovertemplate="Cohort %{x|%b %Y}: %{y:.0%}<extra></extra>"))
    fig.add_hline(y=0.15, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                  annotation_text="Toreta: 15%", annotation_position="top left")
    wh.style(fig, title="Upsell right after onboarding, by cohort",
             definition="Share of the cohort's onboarded accounts with an expansion within 30 days of completing "
                        "onboarding.", x_title="Cohort month", y_title="Accounts upsold (%)", y_format="pct",
             height=400)
    fig.update_layout(margin=dict(b=60))
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Tickets by category and feature
# Sansan files every ticket under one of four categories, with the feature it concerns, and feeds it back to the
# product team.

# %%
if not feedback_status:
    wh.unavailable(feedback_status)
else:
    now = tickets_now
    if now.empty:
        wh.unavailable(wh.Availability(False, f"No tickets were filed in {wh.month_label(ticket_month)}."))
    else:
        grid = now.pivot_table(index="category", columns="feature", values="tickets", aggfunc="first")
        accounts = now.pivot_table(index="category", columns="feature", values="accounts", aggfunc="first")
        text = [[("" if pd.isna(t) else f"{int(t)}") for t in row] for row in grid.values]
        fig = go.Figure(go.Heatmap(
            z=grid.values, x=list(grid.columns), y=list(grid.index), text=text, texttemplate="%{text}",
            colorscale="Blues", customdata=accounts.reindex_like(grid).values, xgap=2, ygap=2,
            colorbar=dict(title=dict(text="Tickets", side="right")),
            hovertemplate="%{y} about %{x}: %{z} tickets from %{customdata} accounts<extra></extra>"))
        wh.style(fig, title=f"Tickets by category and feature, {wh.month_label(ticket_month)}",
                 definition="Support tickets filed in the month, by category × the feature they concern.",
                 x_title="Feature", y_title="Category", height=max(340, 60 * len(grid) + 200))
        fig.update_layout(margin=dict(b=60))
        fig.show()

    fig = go.Figure()
    for category in sorted(set(feedback["category"])):
        rows = feedback[feedback["category"] == category]
        fig.add_trace(go.Bar(x=rows["month"], y=rows["tickets"], name=category, customdata=rows[["feature"]],
                             hovertemplate=f"{category} · %{{customdata[0]}} %{{x|%b %Y}}: %{{y}} tickets<extra></extra>"))
    fig.update_layout(barmode="stack")
    wh.style(fig, title="Tickets per month by category",
             definition="Support tickets filed each month, stacked by category (segments within a colour are features).",
             x_title="Month", y_title="Tickets", y_format="int", height=420)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Community and net revenue retention
# ABEJA saw community touch raise MRR 1.5×, and Sansan counts community activity to show its business effect. This
# compares customer-months with community activity in the last 90 days against those without.

# %%
if not community_status:
    wh.unavailable(community_status)
else:
    groups = community.sort_values("has_community_activity", ascending=False)
    labels = ["Active in the community" if g else "No community activity" for g in groups["has_community_activity"]]
    colors = [wh.COLORS["good"] if g else wh.COLORS["neutral"] for g in groups["has_community_activity"]]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Net revenue retention, next 12 months", "Churn rate, next 12 months"))
    for col, column in ((1, "net_revenue_retention_12m"), (2, "churn_rate_12m")):
        fig.add_trace(go.Bar(x=labels, y=groups[column], marker_color=colors, showlegend=False,
                             text=[wh.pct(v) for v in groups[column]], textposition="outside",
                             customdata=groups[["observations"]],
                             hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,} customer-months)<extra></extra>"),
                      row=1, col=col)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text="NRR (%)", row=1, col=1)
    fig.update_yaxes(title_text="Churn rate (%)", row=1, col=2)
    fig.update_xaxes(title_text="Customer-months, by community activity in the last 90 days")
    wh.style(fig, title="Community activity against NRR and churn",
             definition="Customer-months with / without community activity in the last 90 days; their 12-month NRR "
                        "and churn. A correlation, not proof of cause.", height=440)
    fig.update_layout(margin=dict(b=60))
    fig.show()
