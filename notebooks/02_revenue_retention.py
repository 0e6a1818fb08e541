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
# **Reads:** `mart_revenue_monthly` (the MRR bridge, retention and churn rates), `mart_expansion_monthly` (upsells by type), seed `display_names` (names of codes).
#
# <!-- ja -->
# # 売上と継続率
#
# **問い:** 経常収益はどこから漏れているか: MRR は月ごとにどう動き、既存顧客からの売上を維持・拡大できているか（NRR、GRR）、解約は新規販売の問題か更新の問題か?

# %% tags=["parameters"]
# The month of the MRR bridge (first day, 'YYYY-MM-01'); None = the latest complete month.
bridge_month = None

# %%


import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

revenue_status = wh.availability("mart_revenue_monthly", what=wh.tr("revenue and retention", "売上と継続率"))
expansion_status = wh.availability("mart_expansion_monthly", what=wh.tr("upsells by type", "種類別のアップセル"))
revenue = wh.mart("mart_revenue_monthly", order_by="month") if revenue_status else pd.DataFrame()
expansion = wh.mart("mart_expansion_monthly", order_by="month, expansion_type") if expansion_status else pd.DataFrame()
partial = wh.partial_month()
report_month = (pd.Timestamp(bridge_month) if bridge_month
                else wh.latest_complete_month(revenue["month"] if revenue_status else None))
money_divisor, money_unit = wh.money_unit()
MIN_N = wh.min_n()
if not revenue_status:
    wh.unavailable(revenue_status)
else:
    wh.say(wh.tr(f"MRR bridge month: **{wh.month_label(report_month)}**. Charts over time run to "
                 f"{wh.month_label(revenue['month'].max())}"
                 + (f" (as of {wh.date_label(wh.as_of_date())}, so its last month is still partial)."
                    if partial is not None else "."),
                 f"MRR ブリッジの対象月: **{wh.month_label(report_month)}**。推移のグラフは"
                 f"{wh.month_label(revenue['month'].max())}まで"
                 + (f"（データ基準日 {wh.date_label(wh.as_of_date())}。最後の月は月途中）。" if partial is not None
                    else "。")))

# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
if revenue_status:
    row = revenue[revenue["month"] == report_month]
    if not row.empty:
        row = row.iloc[0]
        notes = []
        if pd.notna(row["nrr_12m"]):
            notes.append(wh.tr(
                f"Trailing-12-month NRR is **{wh.pct(row['nrr_12m'])}** and GRR **{wh.pct(row['grr_12m'])}**"
                + (": the base shrinks without new sales." if row["nrr_12m"] < 1 else
                   ": the existing base grows on its own."),
                f"直近12か月の NRR は **{wh.pct(row['nrr_12m'])}**、GRR は **{wh.pct(row['grr_12m'])}**。"
                + ("新規販売がなければ売上は減っていきます。" if row["nrr_12m"] < 1 else "既存顧客だけで売上が伸びています。")))
        churn_bigger = row["churned_mrr"] >= row["contraction_mrr"]
        notes.append(wh.tr(
            f"Of the MRR that leaked in {wh.month_label(report_month)}, the larger part is "
            f"**{'churn' if churn_bigger else 'contraction'}** ({wh.money(row['churned_mrr'])} churned, "
            f"{wh.money(row['contraction_mrr'])} contracted).",
            f"{wh.month_label(report_month)}に失った MRR の大半は**{'解約' if churn_bigger else '縮小'}**です"
            f"（解約 {wh.money(row['churned_mrr'])}、縮小 {wh.money(row['contraction_mrr'])}）。"))
        if pd.notna(row["renewal_churn_rate"]) and pd.notna(row["logo_churn_rate"]):
            due = int(row["renewals_due"])
            if due < MIN_N:
                notes.append(wh.tr(
                    f"{int(row['renewals_churned'])} of {due} renewals due were lost. With fewer than {MIN_N} renewals "
                    "due in a month, renewal churn swings between 0% and 100% with single accounts: compare it with "
                    "logo churn over several months, not in one.",
                    f"更新対象 {due} 件のうち {int(row['renewals_churned'])} 件が更新されませんでした。更新対象が月 {MIN_N} 件"
                    "未満では、更新時の解約率は1社で 0% から 100% まで振れます。1か月ではなく数か月の推移で比べてください。"))
            else:
                higher = row["renewal_churn_rate"] > row["logo_churn_rate"]
                notes.append(wh.tr(
                    f"Renewal churn is {wh.pct(row['renewal_churn_rate'])} ({int(row['renewals_churned'])} of {due} "
                    "renewals lost), "
                    + ("higher than logo churn: accounts are lost when they come up for renewal, so start renewal "
                       "conversations earlier" if higher else
                       "not higher than logo churn: look at accounts that leave or shrink mid-contract too")
                    + f" (logo churn {wh.pct(row['logo_churn_rate'], 2)}).",
                    f"更新時の解約率は {wh.pct(row['renewal_churn_rate'])}（更新対象 {due} 件中 "
                    f"{int(row['renewals_churned'])} 件）で、ロゴチャーン（{wh.pct(row['logo_churn_rate'], 2)}）"
                    + ("より高く、更新のタイミングで失っています。更新の話は早めに始めましょう。" if higher else
                       "を上回っていません。契約途中の解約や縮小にも目を向けてください。")))
        if partial is not None:
            now = revenue[revenue["month"] == partial]
            if len(now):
                now = now.iloc[0]
                notes.append(wh.tr(
                    f"Month to date ({wh.month_label(partial)}, to {wh.date_label(wh.as_of_date())}): "
                    f"{wh.money(now['churned_mrr'])} churned from {wh.count(now['churned_customers'], 'account')} "
                    f"(logo churn {wh.rate_with_n(now['logo_churn_rate'], now['churned_customers'], now['customers_start'])}); "
                    f"{int(now['renewals_churned'])} of {int(now['renewals_due'])} renewals due so far were lost.",
                    f"今月途中（{wh.month_label(partial)}、{wh.date_label(wh.as_of_date())}まで）: 解約 "
                    f"{wh.count(now['churned_customers'], '', '社')}で {wh.money(now['churned_mrr'])}（ロゴチャーン "
                    f"{wh.rate_with_n(now['logo_churn_rate'], now['churned_customers'], now['customers_start'])}）。"
                    f"ここまでの更新対象 {int(now['renewals_due'])} 件のうち {int(now['renewals_churned'])} 件が"
                    "更新されませんでした。"))
        wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## The MRR bridge
# Starting MRR, plus what came in (new, reactivated, expansion), minus what leaked out (contraction, churn), gives
# the ending MRR. This is the identity every revenue figure in the warehouse keeps.
#
# <!-- ja -->
# ## MRR ブリッジ
# 月初の MRR に、入ってきたもの（新規、再開、拡大）を足し、漏れたもの（縮小、解約）を引くと月末の MRR になります。
# ウェアハウスのすべての売上指標はこの恒等式を守っています。

# %%
if revenue_status:
    row = revenue[revenue["month"] == report_month]
    if row.empty:
        wh.unavailable(wh.Availability(False, wh.tr(
            f"`mart_revenue_monthly` has no row for {wh.month_label(report_month)}.",
            f"`mart_revenue_monthly` に {wh.month_label(report_month)} の行がありません。")))
    else:
        row = row.iloc[0]
        steps = [
            (wh.tr("Starting MRR", "月初 MRR"), "absolute", row["mrr_start"], wh.COLORS["neutral"]),
            (wh.name("movement", "new"), "relative", row["new_mrr"], wh.MOVEMENT_COLORS["new"]),
            (wh.name("movement", "reactivation"), "relative", row["reactivation_mrr"], wh.MOVEMENT_COLORS["reactivation"]),
            (wh.name("movement", "expansion"), "relative", row["expansion_mrr"], wh.MOVEMENT_COLORS["expansion"]),
            (wh.name("movement", "contraction"), "relative", -row["contraction_mrr"], wh.MOVEMENT_COLORS["contraction"]),
            (wh.name("movement", "churn"), "relative", -row["churned_mrr"], wh.MOVEMENT_COLORS["churn"]),
            (wh.tr("Ending MRR", "月末 MRR"), "total", row["mrr_end"], wh.COLORS["neutral"]),
        ]
        fig = go.Figure(go.Waterfall(
            x=[label for label, *_ in steps],
            measure=[measure for _, measure, *_ in steps],
            y=[float(value) / money_divisor if measure != "total" else 0.0 for _, measure, value, _ in steps],
            text=[wh.money(value) for _, _, value, _ in steps],
            textposition="outside",
            connector=dict(line=dict(color="#90a4ae", dash="dot")),
            increasing=dict(marker=dict(color=wh.MOVEMENT_COLORS["expansion"])),
            decreasing=dict(marker=dict(color=wh.MOVEMENT_COLORS["churn"])),
            totals=dict(marker=dict(color=wh.COLORS["neutral"])),
            hovertemplate=f"%{{x}}: {wh.money_hover()}<extra></extra>",
        ))
        low = float(min(row["mrr_start"], row["mrr_end"])) / money_divisor
        high = float(max(row["mrr_start"] + row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"],
                         row["mrr_end"])) / money_divisor
        fig.update_yaxes(range=[low * 0.9, high * 1.04], tickformat=",.0f" if money_unit == "万円" else ",.1f")
        wh.style(fig, title=wh.tr(f"MRR bridge, {wh.month_label(report_month)}",
                                  f"MRR ブリッジ（{wh.month_label(report_month)}）"),
                 definition=wh.tr("Ending MRR = starting + new + reactivation + expansion − contraction − churn, "
                                  f"each on the month's snapshot day ({money_unit}). The axis does not start at zero: "
                                  "read the labels, not the bar heights.",
                                  "月末 MRR = 月初 + 新規 + 再開 + 拡大 − 縮小 − 解約（月末時点、万円）。縦軸はゼロから"
                                  "始まっていないため、棒の高さではなくラベルの金額を読んでください。"),
                 x_title=wh.tr("Movement", "増減の種類"), y_title=f"MRR ({money_unit})", height=500)
        fig.update_layout(showlegend=False)
        fig.show()
        wh.say(wh.tr(
            f"In {wh.month_label(report_month)}, **{int(row['new_customers'])}** new and "
            f"**{int(row['reactivated_customers'])}** reactivated customers brought "
            f"{wh.money(row['new_mrr'])} and {wh.money(row['reactivation_mrr'])}; expansion added "
            f"{wh.money(row['expansion_mrr'])}. Contraction took {wh.money(row['contraction_mrr'])} and "
            f"**{int(row['churned_customers'])}** churned customers {wh.money(row['churned_mrr'])}.",
            f"{wh.month_label(report_month)}は新規 **{int(row['new_customers'])} 社** と再開 "
            f"**{int(row['reactivated_customers'])} 社** がそれぞれ {wh.money(row['new_mrr'])}、"
            f"{wh.money(row['reactivation_mrr'])} をもたらし、拡大が {wh.money(row['expansion_mrr'])} を加えました。"
            f"縮小で {wh.money(row['contraction_mrr'])}、解約 **{int(row['churned_customers'])} 社** で "
            f"{wh.money(row['churned_mrr'])} を失いました。"))

# %% [markdown]
# ## MRR movements month by month
# The bridge for every month at once: bars above zero are MRR gained, bars below zero MRR lost.
#
# <!-- ja -->
# ## 月ごとの MRR の増減
# すべての月のブリッジを一度に示します。ゼロより上の棒は増えた MRR、下の棒は失った MRR です。

# %%
if revenue_status:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, sign, key in [
        ("new_mrr", 1, "new"), ("reactivation_mrr", 1, "reactivation"), ("expansion_mrr", 1, "expansion"),
        ("contraction_mrr", -1, "contraction"), ("churned_mrr", -1, "churn"),
    ]:
        label = wh.name("movement", key)
        fig.add_trace(go.Bar(x=revenue["month"], y=sign * revenue[column] / money_divisor, name=label,
                             marker_color=wh.MOVEMENT_COLORS[key],
                             hovertemplate=f"{label} {wh.hover_month()}: {wh.money_hover()}<extra></extra>"),
                      secondary_y=False)
    ending = wh.tr("Ending MRR (right axis)", "月末 MRR（右軸）")
    fig.add_trace(go.Scatter(x=revenue["month"], y=revenue["mrr_end"] / money_divisor, name=ending,
                             mode="lines", line=dict(color="#263238", width=2),
                             hovertemplate=f"{ending} {wh.hover_month()}: {wh.money_hover()}<extra></extra>"),
                  secondary_y=True)
    fig.update_layout(barmode="relative")
    wh.style(fig, title=wh.tr("MRR gained and lost each month", "毎月の MRR の増加と減少"),
             definition=wh.tr(f"Movements per month ({money_unit}, losses drawn below zero); the line is ending MRR "
                              "on the right axis, from zero.",
                              "月ごとの増減（万円、減少はゼロより下）。線は右軸の月末 MRR（ゼロから）。"),
             x_title=wh.tr("Month", "月"), height=480)
    number_format = ",.0f" if money_unit == "万円" else ",.1f"
    fig.update_yaxes(title_text=wh.tr(f"MRR movement ({money_unit})", f"MRR の増減（{money_unit}）"),
                     tickformat=number_format, secondary_y=False)
    fig.update_yaxes(title_text=wh.tr(f"Ending MRR ({money_unit})", f"月末 MRR（{money_unit}）"),
                     tickformat=number_format, secondary_y=True, showgrid=False, rangemode="tozero")
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Net and gross revenue retention
# Monthly rates move with a handful of accounts; the trailing-12-month rates are the KGI (Gainsight's definition,
# as Sansan and commmune use it). NRR above 100% means the existing base grows on its own.
#
# <!-- ja -->
# ## 売上継続率（NRR・GRR）
# 月次の率は数社の動きで変わります。直近12か月の率が KGI です（Gainsight の定義。Sansan や commmune も使用）。
# NRR が 100% を超えれば、既存顧客だけで売上が伸びています。

# %%
if revenue_status:
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.09,
                        subplot_titles=(wh.tr("Monthly", "月次"), wh.tr("Trailing 12 months", "直近12か月")))
    for column, label, color, col in [
        ("nrr", wh.tr("NRR, monthly", "NRR（月次）"), wh.COLORS["accent"], 1),
        ("grr", wh.tr("GRR, monthly", "GRR（月次）"), wh.COLORS["bad"], 1),
        ("nrr_12m", wh.tr("NRR, trailing 12m", "NRR（直近12か月）"), wh.COLORS["accent"], 2),
        ("grr_12m", wh.tr("GRR, trailing 12m", "GRR（直近12か月）"), wh.COLORS["bad"], 2),
    ]:
        fig.add_trace(go.Scatter(x=revenue["month"], y=revenue[column], name=label, mode="lines+markers",
                                 marker=dict(size=4), line=dict(color=color, dash="solid" if col == 1 else "dot"),
                                 hovertemplate=f"{label} {wh.hover_month()}: %{{y:.1%}}<extra></extra>"), row=1, col=col)
    for col in (1, 2):
        fig.add_hline(y=1.0, line=dict(color="#90a4ae", dash="dash"), row=1, col=col)
    fig.update_yaxes(tickformat=".0%", title_text=wh.tr("Retention (% of starting MRR)", "継続率（月初 MRR に対する %）"),
                     row=1, col=1)
    fig.update_yaxes(tickformat=".0%", title_text=wh.tr("Retention (% of MRR 12 months ago)",
                                                        "継続率（12か月前の MRR に対する %）"), row=1, col=2)
    fig.update_xaxes(title_text=wh.tr("Month", "月"))
    wh.style(fig, title=wh.tr("Net and gross revenue retention", "売上継続率（NRR・GRR）"),
             definition=wh.tr("NRR = (start + expansion − contraction − churn) / start; GRR leaves expansion out. "
                              "Trailing 12m: the customers of 12 months ago, MRR now / MRR then.",
                              "NRR =（月初 + 拡大 − 縮小 − 解約）÷ 月初。GRR は拡大を含めません。直近12か月: 12か月前の"
                              "顧客の現在の MRR ÷ 当時の MRR。"), height=460)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Churn: logo, diluted by new sales, and at renewal
# The usual monthly churn rate falls whenever many new contracts arrive, so it is no report card for CS. The
# renewal churn rate (Sansan's 月次更新解約率) asks only the accounts that came up for renewal. Where few renewals
# fall due, one account moves it from 0% to 100%: months with fewer renewals due than the minimum are drawn as
# hollow grey points, and the bars give the number due.
#
# <!-- ja -->
# ## 解約率: ロゴ、新規で薄まる率、更新時
# 一般的な月次解約率は新規契約が多い月ほど下がるため、CS の成績表にはなりません。更新時の解約率（Sansan の
# 月次更新解約率）は、更新期限を迎えた顧客だけを見ます。更新対象が少ない月は1社で 0% から 100% まで動くため、
# 更新対象が最小件数に満たない月は白抜きの灰色の点で示し、棒で更新対象の件数を示します。

# %%
if revenue_status:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    due_name = wh.tr("Renewals due (right axis)", "更新対象（右軸）")
    fig.add_trace(go.Bar(x=revenue["month"], y=revenue["renewals_due"], name=due_name,
                         marker_color="rgba(144,164,174,0.35)",
                         hovertemplate=f"{wh.hover_month()}: %{{y}} " + wh.tr("renewals due", "件の更新対象")
                                       + "<extra></extra>"), secondary_y=True)
    small = revenue["renewals_due"] < MIN_N
    for column, label, color, dash in [
        ("logo_churn_rate", wh.tr("Logo churn", "ロゴチャーン"), wh.COLORS["bad"], "solid"),
        ("logo_churn_rate_incl_new", wh.tr("Logo churn incl. new (diluted)", "新規を含むロゴチャーン（薄まる率）"),
         "#ef9a9a", "dot"),
        ("renewal_churn_rate", wh.tr("Renewal churn", "更新時の解約率"), "#6a1b9a", "solid"),
    ]:
        renewal = column == "renewal_churn_rate"
        numerator, denominator = (("renewals_churned", "renewals_due") if renewal
                                  else ("churned_customers", "customers_start"))
        bounds = {f"{column}_ci_low", f"{column}_ci_high"}
        whiskers = (dict(type="data", array=revenue[f"{column}_ci_high"] - revenue[column],
                         arrayminus=revenue[column] - revenue[f"{column}_ci_low"], color="rgba(106,27,154,0.35)",
                         thickness=1, width=2)
                    if renewal and bounds <= set(revenue.columns) else None)
        fig.add_trace(go.Scatter(
            x=revenue["month"], y=revenue[column], name=label, mode="lines+markers", error_y=whiskers,
            marker=dict(size=7 if renewal else 5,
                        color=["#bdbdbd" if renewal and s else color for s in small],
                        symbol=["circle-open" if renewal and s else "circle" for s in small]),
            line=dict(color=color, dash=dash, width=1.5 if renewal else 2),
            customdata=revenue[[numerator, denominator]],
            hovertemplate=f"{label} {wh.hover_month()}: %{{y:.1%}} "
                          + wh.tr("(%{customdata[0]} of %{customdata[1]})", "（%{customdata[1]}件中%{customdata[0]}件）")
                          + "<extra></extra>"), secondary_y=False)
    wh.style(fig, title=wh.tr("Logo churn, its new-sales-diluted variant, and renewal churn",
                              "ロゴチャーン、新規で薄まる率、更新時の解約率"),
             definition=wh.tr("Logo churn = churned / customers at the start; incl. new adds the month's new and "
                              "reactivated to the base; renewal churn = not renewed / renewals due, with Wilson "
                              f"95% intervals. Hollow grey: fewer than {MIN_N} renewals due.",
                              "ロゴチャーン = 解約 ÷ 月初顧客。新規を含む率は分母に当月の新規・再開を加えたもの。更新時の"
                              f"解約率 = 更新されなかった件数 ÷ 更新対象（Wilson の 95%区間付き）。白抜きの灰色: 更新対象 "
                              f"{MIN_N} 件未満。"),
             x_title=wh.tr("Month", "月"), height=460)
    fig.update_yaxes(title_text=wh.tr("Churn rate (%)", "解約率（%）"), tickformat=".0%", rangemode="tozero",
                     secondary_y=False)
    fig.update_yaxes(title_text=wh.tr("Renewals due (accounts)", "更新対象（件）"), showgrid=False,
                     rangemode="tozero", tickformat=",d", secondary_y=True)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Upsells by type
# Counted in accounts, not yen (Yappli counts upsells; commmune splits upsell, extension and cross-sell by who
# closes them). Downsells are the accounts that contracted.
#
# <!-- ja -->
# ## 種類別のアップセル
# 金額ではなく社数で数えます（Yappli はアップセルを件数で数え、commmune はアップセル・他部署展開・クロスセルを
# 担当で分けています）。ダウンセルは縮小した顧客です。

# %%
EXPANSION_TYPES = {"upsell": "#2e7d32", "addon": "#66bb6a", "extension": "#00838f", "cross_sell": "#1565c0"}
if not expansion_status:
    wh.unavailable(expansion_status)
else:
    fig = go.Figure()
    for expansion_type in list(EXPANSION_TYPES) + sorted(set(expansion["expansion_type"]) - set(EXPANSION_TYPES)):
        rows = expansion[expansion["expansion_type"] == expansion_type]
        if rows.empty:
            continue
        label, color = wh.name("expansion_type", expansion_type), EXPANSION_TYPES.get(expansion_type)
        fig.add_trace(go.Bar(x=rows["month"], y=rows["accounts"], name=label, marker_color=color,
                             customdata=rows[["expansion_mrr"]] / money_divisor,
                             hovertemplate=f"{label} {wh.hover_month()}: %{{y}} " + wh.tr("accounts", "社") + ", "
                                           + wh.money_hover("customdata[0]") + "<extra></extra>"))
    if revenue_status:
        downsell = wh.tr("Downsells (below zero)", "ダウンセル（ゼロより下）")
        fig.add_trace(go.Scatter(x=revenue["month"], y=-revenue["downsell_count"], name=downsell,
                                 mode="markers", marker=dict(color=wh.MOVEMENT_COLORS["contraction"], size=8,
                                                             symbol="triangle-down"),
                                 customdata=revenue[["downsell_count"]],
                                 hovertemplate=f"{downsell} {wh.hover_month()}: %{{customdata[0]}} "
                                               + wh.tr("accounts", "社") + "<extra></extra>"))
    fig.update_layout(barmode="relative")
    wh.style(fig, title=wh.tr("Upsell counts by type, and downsells", "種類別のアップセル件数とダウンセル"),
             definition=wh.tr("Accounts with an expansion movement in the month, by the type of the line that grew "
                              "most; downsells = accounts that contracted.",
                              "当月に拡大した顧客数（最も伸びた契約の種類別）。ダウンセル = 縮小した顧客数。"),
             x_title=wh.tr("Month", "月"), y_title=wh.tr("Accounts", "社数"), height=460)
    wh.mark_partial_month(fig)
    fig.show()
