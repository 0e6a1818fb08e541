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
# **Reads:** `mart_cohort_retention` (retention by cohort month and age), `mart_survival` (Kaplan–Meier survival by segment, with 95% intervals), seed `display_names` (names of codes).
#
# <!-- ja -->
# # コホートと生存率
#
# **問い:** 顧客はどのくらい続き、売上は契約年数とともにどう変わるか: 新しいコホートは古いコホートより顧客と売上を維持できているか、どのティアが最も長く続くか?

# %% tags=["parameters"]
# The cohort segment of the heatmaps: 'all', or a tier code such as 'tier1_high_touch'.
segment = "all"

# %%


import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

segment_type = "all" if segment == "all" else "tier"
cohort_status = wh.availability("mart_cohort_retention", what=wh.tr("cohort retention", "コホート別の継続率"),
                                rows_where=f"segment_type = '{segment_type}' and segment = '{segment}'")
survival_status = wh.availability("mart_survival", what=wh.tr("survival curves", "生存曲線"))
cohorts = (wh.mart("mart_cohort_retention", where="segment_type = ? and segment = ?",
                   params=[segment_type, segment], order_by="cohort_month, age_months")
           if cohort_status else pd.DataFrame())
survival = wh.mart("mart_survival", order_by="segment_type, segment, age_months") if survival_status else pd.DataFrame()
partial = wh.partial_month()
MIN_N = wh.min_n()

# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
notes = []
if survival_status:
    for horizon in (24, 12):
        at = (survival[(survival["segment_type"] == "tier") & (survival["age_months"] <= horizon)]
              .sort_values("age_months").groupby("segment").tail(1).set_index("segment"))
        reached = at[at["age_months"] == horizon]
        if len(reached) >= 2:
            best, worst = reached["survival"].idxmax(), reached["survival"].idxmin()
            b, w = reached.loc[best], reached.loc[worst]
            overlap = wh.intervals_overlap(b["survival_ci_low"], b["survival_ci_high"],
                                           w["survival_ci_low"], w["survival_ci_high"])
            figures_en = (f"**{wh.pct(b['survival'])}** of {wh.name('tier', best)} accounts are still customers "
                          f"(95% interval {wh.interval(b['survival_ci_low'], b['survival_ci_high'])}, "
                          f"{wh.number(b['at_risk'])} still at risk) against **{wh.pct(w['survival'])}** of "
                          f"{wh.name('tier', worst)} ({wh.interval(w['survival_ci_low'], w['survival_ci_high'])}, "
                          f"{wh.number(w['at_risk'])} at risk)")
            figures_ja = (f"{wh.name('tier', best)}の **{wh.pct(b['survival'])}**（95%区間 "
                          f"{wh.interval(b['survival_ci_low'], b['survival_ci_high'])}、リスク集団 {wh.number(b['at_risk'])} 社）"
                          f"に対し、{wh.name('tier', worst)}は **{wh.pct(w['survival'])}**（"
                          f"{wh.interval(w['survival_ci_low'], w['survival_ci_high'])}、{wh.number(w['at_risk'])} 社）が"
                          "契約を続けています")
            notes.append(wh.tr(
                f"At {horizon} months, {figures_en}. "
                + ("The intervals overlap, so these data do not show that the tiers differ."
                   if overlap else "The intervals do not overlap: the difference is larger than chance."),
                f"契約 {horizon} か月時点で、{figures_ja}。"
                + ("区間が重なっているため、このデータからはティア間に差があるとは言えません。"
                   if overlap else "区間は重なっておらず、偶然では説明しにくい差です。")))
            break
if cohort_status:
    # cells taken in the partial month and cohorts below the minimum n cannot carry a comparison
    twelve = cohorts[(cohorts["age_months"] == 12) & (cohorts["cohort_accounts"] >= MIN_N)].dropna(
        subset=["logo_retention"])
    if partial is not None:
        twelve = twelve[[wh.shift_months(m, 12) != partial for m in twelve["cohort_month"]]]
    if len(twelve) >= 2:
        first, last = twelve.iloc[0], twelve.iloc[-1]
        has_ci = {"logo_retention_ci_low", "logo_retention_ci_high"} <= set(twelve.columns)
        overlap = (wh.intervals_overlap(first["logo_retention_ci_low"], first["logo_retention_ci_high"],
                                        last["logo_retention_ci_low"], last["logo_retention_ci_high"])
                   if has_ci else True)
        better = last["logo_retention"] > first["logo_retention"]
        notes.append(wh.tr(
            f"At age 12 months, the {wh.month_label(last['cohort_month'])} cohort (n={int(last['cohort_accounts'])}) "
            f"kept **{wh.pct(last['logo_retention'])}** of its logos and **{wh.pct(last['revenue_retention'])}** of its "
            f"revenue; the {wh.month_label(first['cohort_month'])} cohort (n={int(first['cohort_accounts'])}) kept "
            f"{wh.pct(first['logo_retention'])} and {wh.pct(first['revenue_retention'])}. "
            + (f"Newer cohorts retain {'better' if better else 'worse'}: the intervals do not overlap."
               if not overlap else "With cohorts this small the difference is within chance: no trend is claimed."),
            f"契約12か月時点で、{wh.month_label(last['cohort_month'])}コホート（n={int(last['cohort_accounts'])}）は顧客の "
            f"**{wh.pct(last['logo_retention'])}**、売上の **{wh.pct(last['revenue_retention'])}** を維持し、"
            f"{wh.month_label(first['cohort_month'])}コホート（n={int(first['cohort_accounts'])}）は "
            f"{wh.pct(first['logo_retention'])} と {wh.pct(first['revenue_retention'])} でした。"
            + (f"新しいコホートほど継続率が{'高い' if better else '低い'}と言えます（区間が重なりません）。"
               if not overlap else "この規模のコホートでは差は偶然の範囲内で、傾向は主張しません。")))
    notes.append(wh.tr(f"Cohorts with fewer than {MIN_N} accounts are drawn in grey in the heatmaps.",
                       f"ヒートマップでは顧客数 {MIN_N} 社未満のコホートを灰色で示します。"))
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Retention heatmaps
# One row per cohort (the month of the account's first MRR), one column per month of age. Read down a column to
# compare cohorts at the same age. Blank cells are ages a cohort has not reached yet; cells marked `*` are taken in
# the as-of month, which is still partial, so they can still change. Rows in grey are cohorts too small to compare.
#
# <!-- ja -->
# ## 継続率のヒートマップ
# 行はコホート（最初に MRR が立った月）、列は契約からの月数です。列を縦に読むと、同じ月数でコホートを比べられます。
# 空白はまだ到達していない月数、`*` は月途中の基準月の値で、まだ変わりえます。灰色の行は比較するには小さすぎる
# コホートです。

# %%
HEATMAPS = [
    ("logo_retention", wh.tr("Logo retention", "顧客の継続率"),
     wh.tr("Accounts of the cohort still customers / accounts of the cohort", "継続中の顧客数 ÷ コホートの顧客数"),
     0.5, 1.0, None, "RdYlGn"),
    ("revenue_retention", wh.tr("Net revenue retention", "売上の継続率（NRR）"),
     wh.tr("MRR of the cohort's accounts now / their MRR in the cohort month (expansion counts)",
           "コホートの顧客の現在の MRR ÷ コホート月の MRR（拡大を含む）"),
     0.5, 1.5, 1.0, "RdYlGn"),
    ("gross_revenue_retention", wh.tr("Gross revenue retention", "売上の継続率（GRR）"),
     wh.tr("The same, with each account capped at its cohort-month MRR (expansion does not count)",
           "同じ計算で、各顧客をコホート月の MRR で頭打ちにしたもの（拡大を含まない）"),
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
    small = (sizes < MIN_N).to_numpy()
    hover = wh.tr("Cohort %{y}, age %{x} months: %{z:.1%}", "コホート %{y}、%{x} か月目: %{z:.1%}")
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[int(a) for a in grid.columns], y=labels,
        text=text.values, texttemplate="" if many else "%{text}", textfont=dict(size=9),
        colorscale=scale, zmin=zmin, zmax=zmax, zmid=zmid, hoverongaps=False, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=f"{label} (%)", side="right"), tickformat=".0%"),
        hovertemplate=hover + "<extra></extra>",
    ))
    # cohorts below the minimum n are veiled in grey: their cells are still readable, but do not stand out
    for position, is_small in enumerate(small):
        if is_small:
            fig.add_shape(type="rect", xref="x", yref="y", x0=-0.5, x1=grid.shape[1] - 0.5,
                          y0=position - 0.5, y1=position + 0.5, fillcolor="rgba(236,239,241,0.82)",
                          line_width=0, layer="above")
    fig.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=10))
    fig.update_xaxes(dtick=3 if grid.shape[1] > 24 else 1, side="bottom")
    fig.update_layout(plot_bgcolor="#eceff1", margin=dict(b=60))
    segment_label = "" if segment == "all" else f" — {wh.name('tier', segment)}"
    wh.style(fig, title=wh.tr(f"{label} by cohort and age", f"{label}（コホート × 月数）") + segment_label,
             definition=definition + wh.tr(f"; blank = age not reached yet, * = as-of month (partial), grey rows = "
                                           f"fewer than {MIN_N} accounts.",
                                           f"。空白 = 未到達、* = 月途中、灰色の行 = {MIN_N} 社未満。"),
             x_title=wh.tr("Age (months since the cohort month)", "契約からの月数"),
             y_title=wh.tr("Cohort month (accounts)", "コホート月（社数）"),
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
# log-log); where a band is wide, the tier has few accounts at that age, and where two bands overlap the data do not
# tell the tiers apart.
#
# <!-- ja -->
# ## ティア別の生存曲線（カプラン・マイヤー）
# 契約からの月数ごとに、まだ解約していない顧客の割合です。解約していない顧客は現在の月数で打ち切るため、若い顧客が
# 曲線を押し下げることはありません。帯は 95% 信頼区間（Greenwood、log-log）です。帯が広いところはその月数の顧客が
# 少なく、2本の帯が重なるところではデータからティアの差は言えません。

# %%
def rgba(hex_color, alpha):
    hex_color = hex_color.lstrip("#")
    return f"rgba({int(hex_color[0:2], 16)},{int(hex_color[2:4], 16)},{int(hex_color[4:6], 16)},{alpha})"


def survival_curves(fig, frame, kind, segments, row=None, col=None, bands=True, legend="legend"):
    where = dict(row=row, col=col) if row else {}
    for position, code in enumerate(segments):
        curve = frame[frame["segment"] == code].sort_values("age_months")
        color = wh.segment_color(kind, code, position)
        label = wh.name(kind, code)
        if bands:
            fig.add_trace(go.Scatter(x=curve["age_months"], y=curve["survival_ci_high"], mode="lines",
                                     line=dict(width=0, shape="hv"), showlegend=False, hoverinfo="skip",
                                     legendgroup=code), **where)
            fig.add_trace(go.Scatter(x=curve["age_months"], y=curve["survival_ci_low"], mode="lines",
                                     line=dict(width=0, shape="hv"), fill="tonexty", fillcolor=rgba(color, 0.15),
                                     showlegend=False, hoverinfo="skip", legendgroup=code), **where)
        fig.add_trace(go.Scatter(
            x=curve["age_months"], y=curve["survival"], mode="lines", name=label, legendgroup=code, legend=legend,
            line=dict(color=color, width=2.5, shape="hv"),
            customdata=curve[["at_risk", "churned", "censored", "survival_ci_low", "survival_ci_high"]],
            hovertemplate=(f"{label}, " + wh.tr("age %{x}", "%{x} か月目") + ": %{y:.1%} ("
                           + wh.tr("95% CI", "95%区間") + " %{customdata[3]:.1%}–%{customdata[4]:.1%})<br>"
                           + wh.tr("at risk %{customdata[0]}, churned %{customdata[1]}, censored %{customdata[2]}",
                                   "リスク集団 %{customdata[0]}、解約 %{customdata[1]}、打ち切り %{customdata[2]}")
                           + "<extra></extra>")), **where)


if not survival_status:
    wh.unavailable(survival_status)
else:
    tiers = survival[survival["segment_type"] == "tier"]
    overall = survival[survival["segment_type"] == "all"]
    fig = go.Figure()
    tier_names = ([t for t in wh.TIER_ORDER if t in set(tiers["segment"])]
                  + sorted(set(tiers["segment"]) - set(wh.TIER_ORDER)))
    survival_curves(fig, tiers, "tier", tier_names)
    if len(overall):
        all_label = wh.name("segment_type", "all")
        fig.add_trace(go.Scatter(x=overall["age_months"], y=overall["survival"], mode="lines", name=all_label,
                                 line=dict(color="#263238", width=2, dash="dash", shape="hv"),
                                 hovertemplate=f"{all_label}, " + wh.tr("age %{x}", "%{x} か月目")
                                               + ": %{y:.1%}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    wh.style(fig, title=wh.tr("Kaplan–Meier survival by tier (tier in the cohort month)",
                              "ティア別の生存曲線（コホート月のティア）"),
             definition=wh.tr("S(t) = Π over ages u ≤ t of (1 − churned at u / at risk at u); the event is the first "
                              "churn; bands = 95% CI.",
                              "S(t) = 月数 u ≤ t についての (1 − u での解約数 ÷ u でのリスク集団) の積。イベントは最初の"
                              "解約。帯 = 95%信頼区間。"),
             x_title=wh.tr("Age (months since the cohort month)", "契約からの月数"),
             y_title=wh.tr("Accounts not yet churned (%)", "未解約の顧客（%）"), height=520)
    fig.show()

    others = [kind for kind in ("plan", "industry") if kind in set(survival["segment_type"])]
    if others:
        # one panel per segmentation, stacked, each with its own legend to its right: legends never overlap
        fig = make_subplots(rows=len(others), cols=1, shared_xaxes=True, vertical_spacing=0.12,
                            subplot_titles=[wh.name("segment_type", kind) for kind in others])
        for position, kind in enumerate(others, start=1):
            frame = survival[survival["segment_type"] == kind]
            codes = sorted(set(frame["segment"]))
            legend = "legend" if position == 1 else f"legend{position}"
            survival_curves(fig, frame, kind, codes, row=position, col=1, bands=False, legend=legend)
            domain = fig.layout[f"yaxis{'' if position == 1 else position}"].domain
            fig.update_layout({legend: dict(orientation="v", yref="paper", y=domain[1], yanchor="top",
                                            x=1.02, xanchor="left", font=dict(size=11))})
            fig.update_yaxes(title_text=wh.tr("Not yet churned (%)", "未解約（%）"), row=position, col=1)
        fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
        fig.update_xaxes(title_text=wh.tr("Age (months)", "契約からの月数"), row=len(others), col=1)
        fig.update_layout(margin=dict(r=190, b=60))
        wh.style(fig, title=wh.tr("Kaplan–Meier survival by " + " and by ".join(others),
                                  "・".join(wh.name("segment_type", k) for k in others) + "の生存曲線"),
                 definition=wh.tr("The same estimator per plan and per industry (in the cohort month); hover for the "
                                  "number at risk and the 95% interval.",
                                  "同じ推定をプラン別・業種別に（コホート月の値）。マウスを重ねるとリスク集団と 95%区間を"
                                  "表示します。"), height=380 * len(others) + 120)
        fig.show()
