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
# # Tier coverage and CSM load
#
# **Question:** Do we have enough CSM capacity for each tier's touch model, who is overloaded, and which customers are overdue for a touch right now?
#
# **Reads:** `mart_tier_coverage` (accounts per FTE against target, touch compliance), `mart_csm_book` (each CSM's book and load), `dim_accounts` (customers as of today, with their last touch and health), seed `tier_policy` (each tier's target and touch cadence).

# %% tags=["parameters"]
# The month to report (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None
# How many overdue customers to list.
overdue_rows = 30

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

coverage_status = wh.availability("mart_tier_coverage", what="tier coverage")
book_status = wh.availability("mart_csm_book", what="CSM load", source="csm_assignments")
accounts_status = wh.availability("dim_accounts", what="customers needing a touch")
coverage = wh.mart("mart_tier_coverage", order_by="month, tier_rank") if coverage_status else pd.DataFrame()
book = wh.mart("mart_csm_book", order_by="month, csm_id") if book_status else pd.DataFrame()
policy = wh.seed("tier_policy").sort_values("tier_rank") if wh.relation_exists("tier_policy") else pd.DataFrame()
available_months = coverage["month"] if coverage_status else (book["month"] if book_status else None)
report_month = pd.Timestamp(month) if month else wh.latest_complete_month(available_months)
wh.say(f"Reporting month: **{wh.month_label(report_month)}**; the list of customers needing a touch is as of "
       f"**{wh.as_of_date():%Y-%m-%d}**.")

# %% [markdown]
# ## In short

# %%
notes = []
if coverage_status:
    now = coverage[coverage["month"] == report_month]
    short = now[now["coverage_ratio"] < 1]
    for row in short.itertuples():
        notes.append(f"**{row.tier}** runs at {wh.number(row.actual_accounts_per_fte, 1)} accounts per FTE against a "
                     f"target of {wh.number(row.target_accounts_per_csm)}: add capacity or move accounts to a "
                     "lighter-touch tier.")
    unassigned = now[now["unassigned_customers"] > 0]
    if len(unassigned):
        notes.append("Customers without a CSM in tiers that should have one: "
                     + ", ".join(f"{r.tier} {int(r.unassigned_customers)}" for r in unassigned.itertuples()) + ".")
if book_status:
    overloaded = book[(book["month"] == report_month) & book["is_overloaded"].astype(bool)]
    if len(overloaded):
        notes.append(f"{len(overloaded)} CSM(s) overloaded: "
                     + ", ".join(f"{r.csm_name} ({wh.number(r.load, 2)})" for r in overloaded.itertuples()) + ".")
    else:
        notes.append("No CSM is over their load.")
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Accounts per FTE against each tier's target
# Box's model: tier 1 = 1 CSM for 10 accounts, tier 2 = 1 for 50, tier 3 = 1 for 1,000, tier 4 = automation. A CSM's
# FTE is split over tiers in proportion to the work their customers need, so a tier's actual load is comparable to
# its target.

# %%
if not coverage_status:
    wh.unavailable(coverage_status)
else:
    now = coverage[(coverage["month"] == report_month) & coverage["target_accounts_per_csm"].notna()]
    if now.empty:
        wh.unavailable(wh.Availability(False, f"No tier with a CSM target has coverage for {wh.month_label(report_month)}."))
    else:
        fig = go.Figure()
        fig.add_trace(go.Bar(x=now["tier"], y=now["target_accounts_per_csm"], name="Target accounts per CSM",
                             marker_color="#b0bec5", text=[wh.number(v) for v in now["target_accounts_per_csm"]],
                             textposition="outside", hovertemplate="%{x}: target %{y:,.0f} per CSM<extra></extra>"))
        over = now["coverage_ratio"] < 1
        fig.add_trace(go.Bar(
            x=now["tier"], y=now["actual_accounts_per_fte"], name="Actual accounts per FTE",
            marker_color=[wh.COLORS["bad"] if o else wh.COLORS["good"] for o in over],
            text=[f"{wh.number(a, 1)} (coverage {wh.number(c, 2)})" for a, c in
                  zip(now["actual_accounts_per_fte"], now["coverage_ratio"])],
            textposition="outside",
            customdata=now[["assigned_customers", "allocated_fte", "unassigned_customers"]],
            hovertemplate=("%{x}: %{y:,.1f} accounts per FTE<br>%{customdata[0]} assigned customers on "
                           "%{customdata[1]:.2f} FTE; %{customdata[2]} unassigned<extra></extra>")))
        fig.update_layout(barmode="group")
        fig.update_yaxes(type="log", dtick=1, tickformat=",d")
        wh.style(fig, title=f"Accounts per FTE against target by tier, {wh.month_label(report_month)}",
                 definition="Actual = assigned customers / FTE allocated to the tier; coverage = target / actual "
                            "(≥ 1 is within target; red bars are over target). Log scale.",
                 x_title="Tier", y_title="Accounts per FTE (log scale)", height=460)
        fig.show()

    history = coverage[coverage["coverage_ratio"].notna()]
    if len(history):
        fig = go.Figure()
        for tier in policy["tier"] if len(policy) else sorted(set(history["tier"])):
            rows = history[history["tier"] == tier]
            if rows.empty:
                continue
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["coverage_ratio"], name=tier, mode="lines+markers",
                                     marker=dict(size=4),
                                     hovertemplate=f"{tier} %{{x|%b %Y}}: coverage %{{y:.2f}}<extra></extra>"))
        fig.add_hline(y=1.0, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                      annotation_text="at target", annotation_position="bottom right")
        wh.style(fig, title="Coverage ratio by tier over time",
                 definition="Target accounts per CSM / actual accounts per FTE: below 1.0 the tier has more "
                            "accounts per CSM than its model allows.",
                 x_title="Month", y_title="Coverage ratio (target / actual, log scale)", height=420)
        fig.update_yaxes(type="log", tickvals=[0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        wh.mark_partial_month(fig)
        fig.show()

# %% [markdown]
# ## CSM load
# A CSM's load is the FTE their customers need at the tier targets, divided by the CSM's own FTE (many CSMs hold
# other roles). Above 1.0 the CSM is overloaded.

# %%
if not book_status:
    wh.unavailable(book_status)
else:
    csms = book[book["month"] == report_month].sort_values("load")
    if csms.empty:
        wh.unavailable(wh.Availability(False, f"`mart_csm_book` has no row for {wh.month_label(report_month)}."))
    else:
        fig = go.Figure(go.Bar(
            y=csms["csm_name"], x=csms["load"], orientation="h",
            marker_color=[wh.COLORS["bad"] if o else wh.COLORS["accent"] for o in csms["is_overloaded"]],
            text=[f"{wh.number(v, 2)}" + (" overloaded" if o else "") for v, o in zip(csms["load"], csms["is_overloaded"])],
            textposition="outside",
            customdata=csms[["fte", "customers", "arr", "arr_per_fte", "required_fte"]],
            hovertemplate=("%{y}: load %{x:.2f}<br>%{customdata[1]} customers, %{customdata[4]:.2f} FTE needed on "
                           "%{customdata[0]:.2f} FTE<br>ARR ¥%{customdata[2]:,.0f}, ¥%{customdata[3]:,.0f} per FTE"
                           "<extra></extra>")))
        fig.add_vline(x=1.0, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                      annotation_text="1.0 = at tier targets", annotation_position="top")
        wh.style(fig, title=f"CSM load, {wh.month_label(report_month)}",
                 definition="Load = required FTE of the CSM's customers (1 / the tier's accounts per CSM) / the CSM's "
                            "FTE; red = overloaded (> 1.0).",
                 x_title="Load (required FTE / FTE)", y_title="CSM", height=max(360, 34 * len(csms) + 170))
        fig.update_layout(margin=dict(b=60))
        fig.update_xaxes(range=[0, max(1.2, float(csms["load"].max())) * 1.2])
        fig.show()
        shown = csms.sort_values("load", ascending=False)
        wh.table(pd.DataFrame({
            "CSM": shown["csm_name"], "FTE": shown["fte"].map(lambda v: wh.number(v, 2)),
            "Customers": shown["customers"].map(wh.number), "ARR": shown["arr"].map(wh.yen),
            "ARR per FTE": shown["arr_per_fte"].map(wh.yen), "Required FTE": shown["required_fte"].map(lambda v: wh.number(v, 2)),
            "Load": shown["load"].map(lambda v: wh.number(v, 2)),
            "Overloaded": shown["is_overloaded"].map(lambda v: "yes" if v else ""),
        }), caption=f"CSM books, {wh.month_label(report_month)} (mart_csm_book; ARR per FTE is commmune's measure)")

# %% [markdown]
# ## Touch compliance
# App Annie touches every account each quarter so that no churn comes as a surprise. A customer is covered when a
# CSM touched it (any channel but automated) within its tier's cadence. Tech-touch tiers show their share of
# automated touches instead.

# %%
if coverage_status:
    fig = go.Figure()
    for tier in policy["tier"] if len(policy) else sorted(set(coverage["tier"])):
        rows = coverage[coverage["tier"] == tier]
        if rows["touch_compliance_rate"].notna().any():
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["touch_compliance_rate"], name=f"{tier}: touch compliance",
                                     mode="lines+markers", marker=dict(size=4),
                                     hovertemplate=f"{tier} %{{x|%b %Y}}: %{{y:.0%}} touched in cadence<extra></extra>"))
        if rows["automated_touch_share"].notna().any():
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["automated_touch_share"],
                                     name=f"{tier}: automated-touch share", mode="lines", line=dict(dash="dot"),
                                     hovertemplate=f"{tier} %{{x|%b %Y}}: %{{y:.0%}} reached by automation"
                                                   "<extra></extra>"))
    if not fig.data:
        touch_status = wh.availability("mart_tier_coverage", what="touch compliance", source="touchpoints",
                                       rows_where="touch_compliance_rate > 0 or automated_touch_share > 0")
        wh.unavailable(touch_status if not touch_status else
                       wh.Availability(False, "No tier has a touch compliance rate, so it cannot be shown."))
    else:
        fig.update_yaxes(range=[0, 1.05])
        wh.style(fig, title="Touch compliance by tier",
                 definition="Share of the tier's customers with a non-automated touch in the last cadence days "
                            "(tier 1: 30, tier 2: 90, tier 3: 180) before the snapshot day.",
                 x_title="Month", y_title="Customers touched in cadence (%)", y_format="pct", height=440)
        wh.mark_partial_month(fig)
        fig.show()

# %% [markdown]
# ## Customers needing a touch
# Customers as of today whose last CSM touch is older than their tier's cadence, or who were never touched, in tier
# order and longest-untouched first. Reach the bad-condition ones first.

# %%
if not accounts_status or policy.empty:
    wh.unavailable(accounts_status if not accounts_status else
                   wh.Availability(False, "The seed `tier_policy` is not in this warehouse, so cadences are unknown."))
else:
    names = ("left join (select csm_id, arg_max(csm_name, month) as csm_name from main.mart_csm_book group by csm_id) "
             "as csm_names on csm_names.csm_id = accounts.csm_id") if wh.relation_exists("mart_csm_book") else ""
    overdue = wh.query(f"""
        select
            accounts.account_name,
            {"coalesce(csm_names.csm_name, accounts.csm_id)" if names else "accounts.csm_id"} as csm,
            accounts.tier,
            accounts.days_since_touch,
            policy.cadence_days,
            accounts.health_score,
            accounts.condition,
            accounts.stage,
            accounts.arr,
            accounts.next_renewal_date
        from main.dim_accounts as accounts
        inner join main.tier_policy as policy on policy.tier = accounts.tier
        {names}
        where accounts.is_customer
            and policy.cadence_days is not null
            and (accounts.days_since_touch is null or accounts.days_since_touch > policy.cadence_days)
        order by policy.tier_rank, accounts.days_since_touch desc nulls first, accounts.arr desc
    """)
    if overdue.empty:
        wh.say("Every customer in a touch tier has been touched within its cadence.")
    else:
        wh.say(f"**{len(overdue):,}** customers are overdue for a touch"
               + (f"; the first {overdue_rows} are listed." if len(overdue) > overdue_rows else "."))
        wh.table(overdue.head(overdue_rows).rename(columns={
            "account_name": "Customer", "csm": "CSM", "tier": "Tier", "days_since_touch": "Days since last touch",
            "cadence_days": "Cadence (days)", "health_score": "Health (0–100)", "condition": "Condition",
            "stage": "Stage", "arr": "ARR", "next_renewal_date": "Next renewal"}),
            {"Days since last touch": lambda v: "never" if pd.isna(v) else wh.number(v),
             "Cadence (days)": wh.number, "Health (0–100)": wh.number, "ARR": wh.yen,
             "CSM": lambda v: "unassigned" if pd.isna(v) else v,
             "Next renewal": lambda v: "—" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"})
