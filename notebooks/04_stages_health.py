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
# # Stages and health
#
# **Question:** Does moving customers up the lifecycle stages (entry → onboard → active → loyal) keep them: how is the stage mix moving, how strongly does stage predict churn, and which accounts should get a health fix, usage advice or an upsell offer?
#
# **Reads:** `mart_stage_monthly` (stage mix, stage-ups), `mart_stage_churn` and `mart_stage_churn_summary` (churn by stage, r, χ²), `mart_stage_transitions` (the Sankey), `mart_condition_upsell` (condition × upsell), `mart_utilization_matrix` (usage levels of two core features), `mart_health_backtest`, `mart_health_backtest_auc`, `mart_health_backtest_bands`, `mart_health_backtest_calibration` and `mart_health_weights` (the health backtest).

# %% tags=["parameters"]
# The month of the stage-transition Sankey (first day, 'YYYY-MM-01'); None = the latest complete month.
transition_month = None

# %%
import sys
from pathlib import Path

sys.path.insert(0, str(next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "cs_warehouse").is_dir())))

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

STAGES = wh.STAGE_ORDER
status = {name: wh.availability(name, what=what) for name, what in [
    ("mart_stage_monthly", "the stage mix"),
    ("mart_stage_churn", "churn by stage"),
    ("mart_stage_churn_summary", "the stage-churn correlation"),
    ("mart_stage_transitions", "stage transitions"),
    ("mart_condition_upsell", "condition × upsell"),
    ("mart_utilization_matrix", "the utilization matrix"),
]}
data = {name: (wh.mart(name) if ok else pd.DataFrame()) for name, ok in status.items()}
churn = data["mart_stage_churn"]
summary = data["mart_stage_churn_summary"].set_index("basis") if status["mart_stage_churn_summary"] else None
bases = [basis for basis in ("horizon", "renewal") if len(churn) and basis in set(churn["basis"])]
conditions = data["mart_condition_upsell"]


def stage_sorted(frame, column="stage"):
    order = {stage: position for position, stage in enumerate(STAGES)}
    return frame.assign(_order=frame[column].map(order).fillna(99)).sort_values(["_order"]).drop(columns="_order")


# %% [markdown]
# ## In short

# %%
notes = []
if status["mart_stage_churn"]:
    for basis in bases:
        rows = stage_sorted(churn[churn["basis"] == basis]).set_index("stage")
        if {"loyal"} <= set(rows.index) and len(rows) > 1:
            worst = rows["churn_rate"].idxmax()
            notes.append(f"On the {basis} basis, **{worst}** accounts churn most ({wh.pct(rows.loc[worst, 'churn_rate'])}, "
                         f"{wh.number(rows.loc[worst, 'relative_risk_vs_loyal'], 1)}× the loyal rate of "
                         f"{wh.pct(rows.loc['loyal', 'churn_rate'])}).")
    if summary is not None and "horizon" in summary.index:
        r = summary.loc["horizon", "point_biserial_r"]
        notes.append(f"Stage and churn correlate with r = {r:.2f}: "
                     + ("higher stages churn less, so stage-ups are worth chasing." if r < 0 else
                        "higher stages do not churn less here; check the stage definitions against outcomes."))
if status["mart_condition_upsell"]:
    good = conditions[conditions["condition"] == "good"].set_index("stage")["upsell_rate"]
    bad = conditions[conditions["condition"] == "bad"].set_index("stage")["upsell_rate"]
    both = [s for s in STAGES if pd.notna(good.get(s)) and pd.notna(bad.get(s))]
    if both:
        higher = [s for s in both if good[s] > bad[s]]
        notes.append(f"Good-condition accounts upsell more than bad ones in {len(higher)} of {len(both)} stages "
                     f"(e.g. {both[-1]}: {wh.pct(good[both[-1]])} against {wh.pct(bad[both[-1]])}): "
                     "offer upsells to good accounts, fix health first in bad ones.")
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Stage mix over time
# Kaonavi's stages: **entry** (set-up not done), **onboard** (set up, health below target), **active**, **loyal**
# (an advocate: a fan, a promoter or active in the community). Kaonavi saw renewal rates of about 5%, 40%, 75% and
# 90% across these stages, so moving customers up is the lever.

# %%
if not status["mart_stage_monthly"]:
    wh.unavailable(status["mart_stage_monthly"])
else:
    stages = data["mart_stage_monthly"].sort_values("month")
    fig = go.Figure()
    for stage in reversed(STAGES):
        rows = stages[stages["stage"] == stage]
        fig.add_trace(go.Scatter(x=rows["month"], y=rows["customers"], name=stage, stackgroup="stages",
                                 mode="lines", line=dict(width=0.5, color=wh.STAGE_COLORS[stage]),
                                 customdata=rows[["mrr"]],
                                 hovertemplate=f"{stage} %{{x|%b %Y}}: %{{y}} customers, ¥%{{customdata[0]:,.0f}} MRR"
                                               "<extra></extra>"))
    wh.style(fig, title="Customers by lifecycle stage",
             definition="Customers in each stage on the month's snapshot day (stacked; the top edge is all customers).",
             x_title="Month", y_title="Customers (accounts)", y_format="int", height=460)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Stage-ups
# Kaonavi's KPI: accounts that moved up at least one stage during the month, by the stage they reached.

# %%
if status["mart_stage_monthly"]:
    fig = go.Figure()
    for stage in STAGES[1:]:
        rows = stages[stages["stage"] == stage]
        fig.add_trace(go.Bar(x=rows["month"], y=rows["stage_up_count"], name=f"up to {stage}",
                             marker_color=wh.STAGE_COLORS[stage],
                             hovertemplate=f"up to {stage} %{{x|%b %Y}}: %{{y}} accounts<extra></extra>"))
    fig.update_layout(barmode="stack")
    wh.style(fig, title="Stage-up count by month",
             definition="Accounts whose stage rank rose from the previous month's snapshot, by the stage reached.",
             x_title="Month", y_title="Stage-ups (accounts)", y_format="int", height=420)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Churn rate by stage
# Two ways to ask whether stage predicts churn: the **horizon** basis follows every customer-month for the next
# 12 months; the **renewal** basis asks, at each renewal, whether the account renewed, by its stage the month before.
# The whiskers are Wilson 95% intervals. r is the point-biserial correlation between stage rank and churn (negative:
# higher stages churn less), χ² tests the stage × outcome table.

# %%
if not status["mart_stage_churn"]:
    wh.unavailable(status["mart_stage_churn"])
else:
    titles = []
    for basis in bases:
        label = "12-month horizon" if basis == "horizon" else "At renewal"
        if summary is not None and basis in summary.index:
            row = summary.loc[basis]
            label += (f"<br><sup>n = {int(row['observations']):,}, r = {row['point_biserial_r']:.2f}, "
                      f"χ² = {row['chi_square']:.1f} (df {int(row['degrees_of_freedom'])})</sup>")
        titles.append(label)
    fig = make_subplots(rows=1, cols=len(bases), shared_yaxes=True, horizontal_spacing=0.06, subplot_titles=titles)
    for position, basis in enumerate(bases, start=1):
        rows = stage_sorted(churn[churn["basis"] == basis])
        fig.add_trace(go.Bar(
            x=rows["stage"], y=rows["churn_rate"], marker_color=[wh.STAGE_COLORS.get(s, "#90a4ae") for s in rows["stage"]],
            error_y=dict(type="data", array=rows["churn_rate_ci_high"] - rows["churn_rate"],
                         arrayminus=rows["churn_rate"] - rows["churn_rate_ci_low"], color="#37474f", thickness=1.5),
            text=[f"{r:.0%}" for r in rows["churn_rate"]], textposition="inside", insidetextanchor="start",
            customdata=rows[["observations", "churned", "churn_rate_ci_low", "churn_rate_ci_high",
                             "relative_risk_vs_loyal", "net_revenue_retention"]],
            hovertemplate=("%{x}: %{y:.1%} churned (95% CI %{customdata[2]:.1%}–%{customdata[3]:.1%})<br>"
                           "%{customdata[1]} of %{customdata[0]} observations; %{customdata[4]:.1f}× the loyal rate; "
                           "NRR %{customdata[5]:.0%}<extra></extra>"),
            showlegend=False), row=1, col=position)
        fig.update_xaxes(title_text="Stage (the month before)", row=1, col=position)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text="Churn rate (%)", row=1, col=1)
    wh.style(fig, title="Churn rate by lifecycle stage, on both bases",
             definition="Churned observations / observations in the stage, with Wilson 95% intervals.", height=500)
    fig.update_layout(margin=dict(b=60))
    fig.show()
    table = stage_sorted(churn).sort_values("basis", kind="stable")
    table = pd.DataFrame({
        "Basis": table["basis"], "Stage": table["stage"], "Observations": table["observations"].map(wh.number),
        "Churned": table["churned"].map(wh.number), "Churn rate": table["churn_rate"].map(wh.pct),
        "95% interval": [f"{wh.pct(low)} – {wh.pct(high)}" for low, high in
                         zip(table["churn_rate_ci_low"], table["churn_rate_ci_high"])],
        "Risk vs loyal": table["relative_risk_vs_loyal"].map(lambda v: f"{wh.number(v, 2)}×"),
        "NRR": table["net_revenue_retention"].map(wh.pct), "GRR": table["gross_revenue_retention"].map(wh.pct),
    })
    wh.table(table,
             caption="Churn by stage (mart_stage_churn): relative risk is the stage's churn rate against loyal's")

# %% [markdown]
# ## Where customers move
# Flows between stages from one month's snapshot to the next: green flows move up, orange flows move down, red
# flows churn, grey flows stay.

# %%
if not status["mart_stage_transitions"]:
    wh.unavailable(status["mart_stage_transitions"])
else:
    transitions = data["mart_stage_transitions"]
    chosen = (pd.Timestamp(transition_month) if transition_month
              else wh.latest_complete_month(transitions["month"]))
    flows = transitions[(transitions["month"] == chosen) & (transitions["accounts"] > 0)]
    if flows.empty:
        wh.unavailable(wh.Availability(False, f"No stage transitions recorded for {wh.month_label(chosen)}."))
    else:
        NODE_NAMES = {"not_customer": "new or reactivated", "churned": "churned"}

        def ordered(values):
            known = [s for s in ["not_customer"] + STAGES + ["churned"] if s in set(values)]
            return known + sorted(set(values) - set(known))

        def positions(nodes, column):
            """Node centres stacked in order, each as tall as its accounts (layout only)."""
            sizes = [float(flows.loc[flows[column] == node, "accounts"].sum()) for node in nodes]
            total, gap = sum(sizes) or 1.0, 0.04
            scale = (1 - gap * (len(nodes) - 1)) / total
            centres, top = [], 0.0
            for size in sizes:
                centres.append(min(0.99, max(0.01, top + size * scale / 2)))
                top += size * scale + gap
            return centres

        sources, targets = ordered(flows["from_stage"]), ordered(flows["to_stage"])
        before, after = wh.month_label(wh.shift_months(chosen, -1)), wh.month_label(chosen)
        labels = [f"{NODE_NAMES.get(s, s)} ({before})" for s in sources] + \
                 [f"{NODE_NAMES.get(s, s)} ({after})" for s in targets]
        colors = [wh.STAGE_COLORS.get(s, "#90a4ae") for s in sources + targets]
        rank = {stage: position for position, stage in enumerate(STAGES)}

        def link_color(row):
            a, b = rank.get(row["from_stage"]), rank.get(row["to_stage"])
            if row["to_stage"] == "churned":
                return "rgba(198,40,40,0.55)"
            if a is None or b is None or a == b:
                return "rgba(144,164,174,0.30)"
            return "rgba(46,125,50,0.50)" if b > a else "rgba(239,108,0,0.50)"

        fig = go.Figure(go.Sankey(
            arrangement="snap",
            node=dict(label=labels, color=colors, pad=14, thickness=16, line=dict(color="white", width=0.5),
                      x=[0.001] * len(sources) + [0.999] * len(targets),
                      y=positions(sources, "from_stage") + positions(targets, "to_stage"),
                      hovertemplate="%{label}: %{value} accounts<extra></extra>"),
            link=dict(source=[sources.index(s) for s in flows["from_stage"]],
                      target=[len(sources) + targets.index(t) for t in flows["to_stage"]],
                      value=flows["accounts"], color=[link_color(r) for _, r in flows.iterrows()],
                      hovertemplate="%{source.label} → %{target.label}: %{value} accounts<extra></extra>"),
        ))
        wh.style(fig, title=f"Stage transitions into {wh.month_label(chosen)}",
                 definition="Accounts by their stage on the previous snapshot (left) and on this one (right); "
                            "width = accounts.", height=540)
        fig.update_layout(margin=dict(l=30, r=30, b=40))
        fig.show()

# %% [markdown]
# ## Condition and upsell (Toreta)
# Inside each stage, accounts are split by health condition: **good** (health ≥ 70), **normal**, **bad** (< 40).
# Toreta's playbook: bad gets work on its health score, normal gets usage advice, good gets an upsell offer.

# %%
if not status["mart_condition_upsell"]:
    wh.unavailable(status["mart_condition_upsell"])
else:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=("Upsell within 3 months", "Churn within 12 months"))
    for condition in wh.CONDITION_ORDER:
        rows = stage_sorted(conditions[conditions["condition"] == condition])
        for col, column in ((1, "upsell_rate"), (2, "churn_rate")):
            fig.add_trace(go.Bar(x=rows["stage"], y=rows[column], name=condition, legendgroup=condition,
                                 showlegend=col == 1, marker_color=wh.CONDITION_COLORS[condition],
                                 customdata=rows[["observations"]],
                                 hovertemplate=f"{condition}, %{{x}}: %{{y:.1%}} of %{{customdata[0]}} customer-months"
                                               "<extra></extra>"), row=1, col=col)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text="Customer-months upsold (%)", row=1, col=1)
    fig.update_yaxes(title_text="Customer-months churned (%)", row=1, col=2)
    fig.update_xaxes(title_text="Stage")
    wh.style(fig, title="Upsell and churn by stage and health condition",
             definition="Customer-months by stage × condition; share with an expansion in the next 3 months (left) "
                        "and a churn in the next 12 (right).", height=460)
    fig.show()

# %% [markdown]
# ## Utilization matrix (Toreta)
# Two core features as axes, each customer-month placed by its usage level of each (none, or below / above the
# median of the non-zero values). The cells show where upsells happen and where churn starts.

# %%
LEVELS = ["none", "low", "high"]
if not status["mart_utilization_matrix"]:
    wh.unavailable(status["mart_utilization_matrix"])
else:
    matrix = data["mart_utilization_matrix"]
    feature_x, feature_y = matrix["feature_x"].iloc[0], matrix["feature_y"].iloc[0]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=("Upsell rate (%)", "Churn rate (%)"))
    for col, column, scale in ((1, "upsell_rate", "Greens"), (2, "churn_rate", "Reds")):
        grid = matrix.pivot(index="level_y", columns="level_x", values=column).reindex(index=LEVELS, columns=LEVELS)
        counts = matrix.pivot(index="level_y", columns="level_x", values="observations").reindex(
            index=LEVELS, columns=LEVELS)
        text = [[("" if pd.isna(v) else f"{v:.0%}<br>n={int(n)}") for v, n in zip(vr, nr)]
                for vr, nr in zip(grid.values, counts.fillna(0).values)]
        fig.add_trace(go.Heatmap(
            z=grid.values, x=LEVELS, y=LEVELS, text=text, texttemplate="%{text}", colorscale=scale,
            colorbar=dict(x=0.43 if col == 1 else 1.0, tickformat=".0%", len=0.9),
            hovertemplate=f"{feature_x} %{{x}}, {feature_y} %{{y}}: %{{z:.1%}}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(title_text=f"{feature_x} usage level", row=1, col=col)
        fig.update_yaxes(title_text=f"{feature_y} usage level", row=1, col=col)
    wh.style(fig, title=f"Utilization matrix: {feature_x} × {feature_y}",
             definition="Customer-months by usage level of the two features; share with an upsell (left) and a "
                        "churn (right); n = customer-months.", height=480)
    fig.update_layout(margin=dict(b=60))
    fig.show()

# %% [markdown]
# ## Does the health score predict churn? (backtest)
# At each month-end, every customer's health score is set against what happened in the next
# months (churn, contraction, the next renewal); only windows complete by the as-of date count.
# **AUC** is the chance that an account which churned had the lower score of a pair
# (0.5 = a coin toss, 1 = perfect), with its 95% interval (DeLong).
# **Reads:** `mart_health_backtest_auc`, `mart_health_backtest_bands`, `mart_health_backtest_calibration`,
# `mart_health_weights`.

# %%
backtest_status = {name: wh.availability(name, what=what) for name, what in [
    ("mart_health_backtest_auc", "the health backtest"),
    ("mart_health_backtest_bands", "churn by health decile"),
    ("mart_health_backtest_calibration", "the calibration of the health bands"),
    ("mart_health_weights", "the fixed and fitted weights"),
]}
backtest = {name: (wh.mart(name) if ok else pd.DataFrame()) for name, ok in backtest_status.items()}
PREDICTOR_LABELS = {"health_score": "Health score (composite)", "license_utilization": "Utilization (baseline)",
                    "stickiness": "Stickiness", "breadth": "Breadth", "trend": "Trend",
                    "tenure_months": "Tenure (baseline)"}
auc = backtest["mart_health_backtest_auc"]
churn_auc = auc[auc["outcome"] == "logo_churn"] if len(auc) else auc
overall_auc = churn_auc[churn_auc["grouping"] == "overall"].set_index("predictor") if len(churn_auc) else None
horizon_months = (int(wh.query("select max(horizon_months) as h from mart_health_backtest")["h"].iloc[0])
                  if wh.relation_exists("mart_health_backtest") else None)


def auc_text(row) -> str:
    return f"{row['auc']:.2f} (95% CI {row['auc_ci_low']:.2f}–{row['auc_ci_high']:.2f})"


def backtest_verdict() -> str:
    if overall_auc is None or "health_score" not in overall_auc.index or pd.isna(overall_auc.loc["health_score", "auc_ci_low"]):
        return "There are too few complete outcome windows to judge whether the health score predicts churn."
    score = overall_auc.loc["health_score"]
    n = (f"{int(score['observations']):,} customer-months, {int(score['positives']):,} of which churned "
         f"within {horizon_months} months (an interval that counts each customer-month as independent, so "
         "somewhat too narrow)")
    if score["auc_ci_low"] > 0.5:
        head = f"The health score ranks churners below stayers better than chance: AUC {auc_text(score)} over {n}"
    elif score["auc_ci_high"] < 0.5:
        head = f"The health score ranks churners *above* stayers: AUC {auc_text(score)} over {n}"
    else:
        head = f"The health score does not rank churners apart from stayers beyond chance: AUC {auc_text(score)} over {n}"
    baselines = overall_auc[overall_auc["is_baseline"] & overall_auc["auc"].notna()]
    if len(baselines):
        best = baselines["auc"].idxmax()
        other = baselines.loc[best]
        if score["auc_ci_low"] > other["auc_ci_high"]:
            tail = f"; it beats the best baseline, {PREDICTOR_LABELS[best].lower()} ({auc_text(other)})."
        elif score["auc_ci_high"] < other["auc_ci_low"]:
            tail = f"; the baseline {PREDICTOR_LABELS[best].lower()} alone does better ({auc_text(other)})."
        else:
            tail = (f"; its interval overlaps that of {PREDICTOR_LABELS[best].lower()} alone ({auc_text(other)}), "
                    "so these data do not show that the composite earns its keep over that baseline.")
        return head + tail
    return head + "."


if not backtest_status["mart_health_backtest_auc"]:
    wh.unavailable(backtest_status["mart_health_backtest_auc"])
else:
    wh.say(f"**Verdict.** {backtest_verdict()}")

# %% [markdown]
# ### AUC over time
# One point per month-end: how well that month's health scores ranked the accounts that churned within the
# following months. The band is the 95% interval; months with few churns have wide bands.

# %%
if not backtest_status["mart_health_backtest_auc"]:
    wh.unavailable(backtest_status["mart_health_backtest_auc"])
else:
    monthly = churn_auc[(churn_auc["grouping"] == "month") & (churn_auc["predictor"] == "health_score")
                        & churn_auc["auc"].notna()].sort_values("month")
    months_x = pd.to_datetime(monthly["month"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(months_x) + list(months_x[::-1]),
                             y=list(monthly["auc_ci_high"].fillna(monthly["auc"]))
                             + list(monthly["auc_ci_low"].fillna(monthly["auc"])[::-1]),
                             fill="toself", fillcolor="rgba(21,101,192,0.15)", line=dict(width=0),
                             hoverinfo="skip", name="95% interval"))
    fig.add_trace(go.Scatter(x=months_x, y=monthly["auc"], mode="lines+markers", name="AUC of the health score",
                             line=dict(color="#1565c0"),
                             customdata=monthly[["auc_ci_low", "auc_ci_high", "observations", "positives"]],
                             hovertemplate="%{x|%Y-%m}: AUC %{y:.2f} (95% CI %{customdata[0]:.2f}–%{customdata[1]:.2f}), "
                                           "%{customdata[3]} of %{customdata[2]} churned<extra></extra>"))
    fig.add_hline(y=0.5, line_dash="dot", line_color="#78909c", annotation_text="chance (0.5)",
                  annotation_position="bottom right")
    fig.update_yaxes(range=[0, 1])
    wh.style(fig, title="How well the health score predicted churn, month by month",
             definition="ROC AUC of the month-end health score for a churn within the horizon; band: DeLong 95% "
                        "interval.", x_title="Month of the score", y_title="AUC (0.5 = chance)", height=420)
    fig.show()

# %% [markdown]
# ### Components ranked by their own AUC
# Each component alone, the composite score, and the two baselines (tenure alone, utilization alone), over
# every observed month. A composite that earns its keep sits above its parts and the baselines.
# Pooled over months, an account counts once per month it was observed; those observations are not
# independent, so the pooled intervals are somewhat narrower than the truth (the monthly ones above are not).

# %%
if not backtest_status["mart_health_backtest_auc"]:
    wh.unavailable(backtest_status["mart_health_backtest_auc"])
else:
    ranked = overall_auc[overall_auc["auc"].notna()].sort_values("auc")
    colors = ["#1565c0" if kind == "composite" else "#90a4ae" if kind == "baseline" else "#4fc3f7"
              for kind in ranked["predictor_kind"]]
    fig = go.Figure(go.Bar(
        x=ranked["auc"], y=[PREDICTOR_LABELS.get(p, p) for p in ranked.index], orientation="h",
        marker_color=colors,
        error_x=dict(type="data", symmetric=False, array=ranked["auc_ci_high"] - ranked["auc"],
                     arrayminus=ranked["auc"] - ranked["auc_ci_low"]),
        text=[f"{v:.2f}" for v in ranked["auc"]], textposition="inside", insidetextanchor="start",
        hovertemplate="%{y}: AUC %{x:.3f}<extra></extra>"))
    fig.add_vline(x=0.5, line_dash="dot", line_color="#78909c")
    fig.update_xaxes(range=[0, 1])
    wh.style(fig, title="Which signal predicts churn best",
             definition="ROC AUC for a churn within the horizon, all observed months; bars: 95% interval. "
                        "Dark: the health score; grey: baselines.",
             x_title="AUC (0.5 = chance)", y_title="Predictor", height=380)
    fig.show()

# %% [markdown]
# ### Churn by health decile (lift)
# Customer-months cut into ten equal groups by health score (1 = least healthy). A score that predicts
# puts the churn in the low deciles: lift is the decile's churn rate over the average.

# %%
if not backtest_status["mart_health_backtest_bands"]:
    wh.unavailable(backtest_status["mart_health_backtest_bands"])
else:
    bands = backtest["mart_health_backtest_bands"]
    deciles = bands[(bands["band_type"] == "health_decile") & (bands["observations"] > 0)].sort_values("band_rank")
    fig = go.Figure(go.Bar(
        x=deciles["band_rank"], y=deciles["churn_rate"], marker_color="#c62828",
        error_y=dict(type="data", symmetric=False, array=deciles["churn_rate_ci_high"] - deciles["churn_rate"],
                     arrayminus=deciles["churn_rate"] - deciles["churn_rate_ci_low"]),
        text=[f"{lift:.1f}×" for lift in deciles["lift"]], textposition="inside", insidetextanchor="start",
        customdata=deciles[["min_health_score", "max_health_score", "churned", "observations"]],
        hovertemplate="Decile %{x} (health %{customdata[0]:.0f}–%{customdata[1]:.0f}): %{y:.1%} churned "
                      "(%{customdata[2]} of %{customdata[3]})<extra></extra>"))
    overall_rate = deciles["overall_churn_rate"].iloc[0] if len(deciles) else None
    if overall_rate is not None:
        fig.add_hline(y=overall_rate, line_dash="dot", line_color="#546e7a",
                      annotation_text=f"average {wh.pct(overall_rate)}", annotation_position="top right")
    fig.update_xaxes(dtick=1)
    wh.style(fig, title="Churn by health decile",
             definition="Share of customer-months that churned within the horizon, by decile of the month-end "
                        "health score; bars: Wilson 95% interval; labels: lift over the average.",
             x_title="Health decile (1 = least healthy)", y_title="Churned within the horizon (%)",
             y_format="pct", height=420)
    fig.show()

# %% [markdown]
# ### Calibration: do the bands keep their churn rates?
# Each band of 10 health points: the churn rate it had in the training months (expected) against the rate it
# had later, in the holdout months (observed, with its 95% interval). On the diagonal, the band's past rate
# was a fair forecast.

# %%
if not backtest_status["mart_health_backtest_calibration"]:
    wh.unavailable(backtest_status["mart_health_backtest_calibration"])
else:
    calibration = backtest["mart_health_backtest_calibration"]
    shown = calibration[calibration["expected_churn_rate"].notna() & calibration["observed_churn_rate"].notna()
                        & (calibration["holdout_observations"] > 0)].sort_values("band_rank")
    top = max([0.05, *shown["observed_churn_rate_ci_high"].tolist(), *shown["expected_churn_rate"].tolist()]) * 1.05
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line=dict(dash="dot", color="#78909c"),
                             name="observed = expected", hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=shown["expected_churn_rate"], y=shown["observed_churn_rate"], mode="markers+text",
        text=[f"{lo:.0f}–{hi:.0f}" for lo, hi in zip(shown["min_health"], shown["max_health"])],
        textposition="middle right", marker=dict(size=10, color="#1565c0"), name="health band",
        error_y=dict(type="data", symmetric=False,
                     array=shown["observed_churn_rate_ci_high"] - shown["observed_churn_rate"],
                     arrayminus=shown["observed_churn_rate"] - shown["observed_churn_rate_ci_low"]),
        customdata=shown[["training_observations", "holdout_observations"]],
        hovertemplate="health %{text}: expected %{x:.1%} (%{customdata[0]} training), observed %{y:.1%} "
                      "(%{customdata[1]} holdout)<extra></extra>"))
    fig.update_xaxes(range=[0, top], tickformat=".0%")
    fig.update_yaxes(range=[0, top], tickformat=".0%")
    wh.style(fig, title="Calibration of the health bands",
             definition="Churn within the horizon by band of 10 health points: training months (x) against holdout "
                        "months (y); bars: Wilson 95% interval.",
             x_title="Expected: churn rate in the training months", y_title="Observed: churn rate in the holdout months",
             height=460)
    fig.show()

# %% [markdown]
# ### Fixed or fitted weights?
# The documented weights against weights fitted to churn on the training months, both scored on the holdout
# months the fit never saw. `health_weights: fitted` switches the warehouse to the fitted ones.

# %%
if not backtest_status["mart_health_weights"]:
    wh.unavailable(backtest_status["mart_health_weights"])
else:
    weights = backtest["mart_health_weights"].set_index("weighting")
    weight_table = pd.DataFrame({
        weighting: {
            "Utilization": wh.number(row["weight_utilization"], 2),
            "Stickiness": wh.number(row["weight_stickiness"], 2),
            "Breadth": wh.number(row["weight_breadth"], 2),
            "Trend": wh.number(row["weight_trend"], 2),
            "Holdout AUC (95% CI)": ("–" if pd.isna(row["holdout_auc"]) else
                                     f"{row['holdout_auc']:.2f} ({row['holdout_auc_ci_low']:.2f}–{row['holdout_auc_ci_high']:.2f})"),
            "Used by the health score": "yes" if row["is_active"] else "no",
        } for weighting, row in weights.iterrows()})
    wh.table(weight_table.rename_axis("").reset_index(),
             caption="Weights of the health score and their AUC on the holdout months")
    fixed, fitted = weights.loc["fixed"], weights.loc["fitted"]
    if fitted["fit_status"] != "fitted":
        wh.say(f"The weights could not be fitted ({fitted['fit_status']}).")
    elif pd.notna(fixed["holdout_auc_ci_low"]) and pd.notna(fitted["holdout_auc_ci_low"]):
        overlap = not (fitted["holdout_auc_ci_low"] > fixed["holdout_auc_ci_high"]
                       or fixed["holdout_auc_ci_low"] > fitted["holdout_auc_ci_high"])
        wh.say(f"On {int(fixed['holdout_observations']):,} holdout customer-months the fitted weights score "
              f"{fitted['holdout_auc']:.2f} against {fixed['holdout_auc']:.2f} for the fixed ones; "
              + ("the intervals overlap, so the data do not show that either weighting predicts better."
                 if overlap else "the intervals do not overlap."))
