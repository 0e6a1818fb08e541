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
# **Question:** Do we have enough CSM capacity for each tier's touch model, who is overloaded, how does each CSM's book fare, and which customers are overdue for a touch right now?
#
# **Reads:** `mart_tier_coverage` (accounts per FTE against target, touch compliance), `mart_csm_book` (each CSM's book and load), `mart_csm_outcomes` (NRR, churn and health of each book), `mart_overdue_touches` (customers overdue for a touch, ranked by risk), seed `tier_policy` (each tier's target and touch cadence), seed `display_names` (names of codes).
#
# <!-- ja -->
# # ティアのカバレッジと CSM の負荷
#
# **問い:** 各ティアのタッチモデルに足りる CSM の体制があるか、誰が過負荷か、CSM ごとの担当顧客の成果はどうか、今どの顧客へのタッチが遅れているか?

# %% tags=["parameters"]
# The month to report (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None

# %%


import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

coverage_status = wh.availability("mart_tier_coverage", what=wh.tr("tier coverage", "ティアのカバレッジ"))
book_status = wh.availability("mart_csm_book", what=wh.tr("CSM load", "CSM の負荷"), source="csm_assignments")
overdue_status = wh.availability("mart_overdue_touches", what=wh.tr("customers needing a touch", "タッチが必要な顧客"))
outcomes_status = wh.availability("mart_csm_outcomes", what=wh.tr("the outcomes per CSM", "CSM ごとの成果"),
                                  source="csm_assignments")
coverage = wh.mart("mart_tier_coverage", order_by="month, tier_rank") if coverage_status else pd.DataFrame()
book = wh.mart("mart_csm_book", order_by="month, csm_id") if book_status else pd.DataFrame()
policy = wh.seed("tier_policy").sort_values("tier_rank") if wh.relation_exists("tier_policy") else pd.DataFrame()
available_months = coverage["month"] if coverage_status else (book["month"] if book_status else None)
report_month = pd.Timestamp(month) if month else wh.latest_complete_month(available_months)
MIN_N = wh.min_n()
tier_list = list(policy["tier"]) if len(policy) else wh.TIER_ORDER
wh.say(wh.tr(f"Reporting month: **{wh.month_label(report_month)}**; the list of customers needing a touch is as of "
             f"**{wh.date_label(wh.as_of_date())}**.",
             f"対象月: **{wh.month_label(report_month)}**。タッチが必要な顧客の一覧は **{wh.date_label(wh.as_of_date())}** "
             "時点です。"))

# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
notes = []
if coverage_status:
    now = coverage[coverage["month"] == report_month]
    short = now[now["coverage_ratio"] < 1]
    for row in short.itertuples():
        notes.append(wh.tr(
            f"**{wh.name('tier', row.tier)}** runs at {wh.number(row.actual_accounts_per_fte, 1)} accounts per FTE against "
            f"a target of {wh.number(row.target_accounts_per_csm)}: add capacity or move accounts to a lighter-touch tier.",
            f"**{wh.name('tier', row.tier)}** は FTE あたり {wh.number(row.actual_accounts_per_fte, 1)} 社（目標 "
            f"{wh.number(row.target_accounts_per_csm)} 社）。体制を増やすか、より軽いタッチのティアへ移してください。"))
    unassigned = now[now["unassigned_customers"] > 0]
    if len(unassigned):
        notes.append(wh.tr("Customers without a CSM in tiers that should have one: ",
                           "CSM が付くべきティアで担当のいない顧客: ")
                     + ", ".join(f"{wh.name('tier', r.tier)} {int(r.unassigned_customers)}" for r in unassigned.itertuples())
                     + wh.tr(".", "。"))
if book_status:
    overloaded = book[(book["month"] == report_month) & book["is_overloaded"].astype(bool)]
    if len(overloaded):
        notes.append(wh.tr(f"{len(overloaded)} CSM(s) overloaded: ", f"過負荷の CSM {len(overloaded)} 名: ")
                     + ", ".join(f"{r.csm_name} ({wh.number(r.load, 2)})" for r in overloaded.itertuples())
                     + wh.tr(".", "。"))
    else:
        notes.append(wh.tr("No CSM is over their load.", "負荷の上限を超えている CSM はいません。"))
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Accounts per FTE against each tier's target
# Box's model: tier 1 = 1 CSM for 10 accounts, tier 2 = 1 for 50, tier 3 = 1 for 1,000, tier 4 = automation. A CSM's
# FTE is split over tiers in proportion to the work their customers need, so a tier's actual load is comparable to
# its target. Each tier has its own panel, with its own scale from zero, because the targets differ a hundredfold.
#
# <!-- ja -->
# ## ティアごとの FTE あたり担当社数と目標
# Box のモデル: ティア1 = CSM 1人で 10 社、ティア2 = 50 社、ティア3 = 1,000 社、ティア4 = 自動化。CSM の FTE は
# 顧客に必要な工数に比例してティアに配分するため、ティアの実績は目標と比べられます。目標が100倍も違うため、ティア
# ごとにゼロから始まる別々の目盛りで示します。

# %%
if not coverage_status:
    wh.unavailable(coverage_status)
else:
    now = coverage[(coverage["month"] == report_month) & coverage["target_accounts_per_csm"].notna()]
    if now.empty:
        wh.unavailable(wh.Availability(False, wh.tr(
            f"No tier with a CSM target has coverage for {wh.month_label(report_month)}.",
            f"{wh.month_label(report_month)}に CSM 目標のあるティアのカバレッジはありません。")))
    else:
        tiers_now = [t for t in tier_list if t in set(now["tier"])]
        fig = make_subplots(rows=1, cols=len(tiers_now), horizontal_spacing=0.08,
                            subplot_titles=wh.names("tier", tiers_now))
        target_name, actual_name = (wh.tr("Target accounts per CSM", "目標（CSM 1人あたり社数）"),
                                    wh.tr("Actual accounts per FTE", "実績（FTE あたり社数）"))
        for position, tier in enumerate(tiers_now, start=1):
            row = now[now["tier"] == tier].iloc[0]
            over = row["coverage_ratio"] < 1
            fig.add_trace(go.Bar(
                x=[target_name, actual_name], y=[row["target_accounts_per_csm"], row["actual_accounts_per_fte"]],
                marker_color=["#b0bec5", wh.COLORS["bad"] if over else wh.COLORS["good"]],
                text=[wh.number(row["target_accounts_per_csm"]), wh.number(row["actual_accounts_per_fte"], 1)],
                textposition="outside", showlegend=False,
                customdata=[[row["assigned_customers"], row["allocated_fte"], row["unassigned_customers"]]] * 2,
                hovertemplate=wh.tr("%{x}: %{y:,.1f}<br>%{customdata[0]} assigned customers on %{customdata[1]:.2f} "
                                    "FTE; %{customdata[2]} unassigned<extra></extra>",
                                    "%{x}: %{y:,.1f}<br>担当顧客 %{customdata[0]} 社、FTE %{customdata[1]:.2f}、"
                                    "未担当 %{customdata[2]} 社<extra></extra>")), row=1, col=position)
            top = max(float(row["target_accounts_per_csm"]), float(row["actual_accounts_per_fte"] or 0))
            fig.update_yaxes(range=[0, top * 1.25], rangemode="tozero", tickformat=",d", row=1, col=position)
        fig.update_yaxes(title_text=wh.tr("Accounts per CSM / FTE", "CSM・FTE あたり社数"))
        fig.update_xaxes(tickfont=dict(size=10), title_text=wh.tr("Target and actual", "目標と実績"))
        wh.style(fig, title=wh.tr(f"Accounts per FTE against target by tier, {wh.month_label(report_month)}",
                                  f"ティア別の FTE あたり担当社数と目標（{wh.month_label(report_month)}）"),
                 definition=wh.tr("Actual = assigned customers / FTE allocated to the tier; red = more accounts per FTE "
                                  "than the target. Each panel has its own axis from zero.",
                                  "実績 = 担当顧客数 ÷ ティアに配分された FTE。赤 = 目標より多い。各パネルの軸はゼロから。"),
                 height=440)
        fig.show()

    history = coverage[coverage["coverage_ratio"].notna()]
    if len(history):
        fig = go.Figure()
        for tier in tier_list:
            rows = history[history["tier"] == tier]
            if rows.empty:
                continue
            label = wh.name("tier", tier)
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["coverage_ratio"], name=label, mode="lines+markers",
                                     marker=dict(size=4), line=dict(color=wh.segment_color("tier", tier)),
                                     hovertemplate=f"{label} {wh.hover_month()}: "
                                                   + wh.tr("coverage", "カバレッジ") + " %{y:.2f}<extra></extra>"))
        fig.add_hline(y=1.0, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                      annotation_text=wh.tr("at target", "目標どおり"), annotation_position="bottom right")
        wh.style(fig, title=wh.tr("Coverage ratio by tier over time", "ティア別カバレッジ比の推移"),
                 definition=wh.tr("Target accounts per CSM / actual accounts per FTE: below 1.0 the tier has more "
                                  "accounts per CSM than its model allows. A ratio, so drawn on a log scale (2× and ½× "
                                  "are equally far from 1).",
                                  "目標社数 ÷ 実績社数。1.0 未満はモデルより担当が多い状態。比なので対数目盛り（2倍と"
                                  "1/2倍が 1 から等距離）。"),
                 x_title=wh.tr("Month", "月"), y_title=wh.tr("Coverage ratio (target / actual, log scale)",
                                                             "カバレッジ比（目標 ÷ 実績、対数目盛り）"), height=420)
        fig.update_yaxes(type="log", tickvals=[0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        wh.mark_partial_month(fig)
        fig.show()

# %% [markdown]
# ## CSM load
# A CSM's load is the FTE their customers need at the tier targets, divided by the CSM's own FTE (many CSMs hold
# other roles). Above 1.0 the CSM is overloaded.
#
# <!-- ja -->
# ## CSM の負荷
# CSM の負荷 = ティア目標で見た担当顧客に必要な FTE ÷ その CSM 自身の FTE（多くの CSM は他の役割も兼ねています）。
# 1.0 を超えると過負荷です。

# %%
if not book_status:
    wh.unavailable(book_status)
else:
    csms = book[book["month"] == report_month].sort_values("load")
    if csms.empty:
        wh.unavailable(wh.Availability(False, wh.tr(f"`mart_csm_book` has no row for {wh.month_label(report_month)}.",
                                                    f"`mart_csm_book` に {wh.month_label(report_month)} の行がありません。")))
    else:
        overloaded_word = wh.tr(" overloaded", " 過負荷")
        fig = go.Figure(go.Bar(
            y=csms["csm_name"], x=csms["load"], orientation="h",
            marker_color=[wh.COLORS["bad"] if o else wh.COLORS["accent"] for o in csms["is_overloaded"]],
            text=[f"{wh.number(v, 2)}" + (overloaded_word if o else "") for v, o in zip(csms["load"], csms["is_overloaded"])],
            textposition="outside",
            customdata=pd.DataFrame({"fte": csms["fte"], "customers": csms["customers"],
                                     "arr": csms["arr"] / wh.money_unit()[0],
                                     "per_fte": csms["arr_per_fte"] / wh.money_unit()[0],
                                     "required": csms["required_fte"]}),
            hovertemplate=(wh.tr("%{y}: load %{x:.2f}<br>%{customdata[1]} customers, %{customdata[4]:.2f} FTE needed on "
                                 "%{customdata[0]:.2f} FTE<br>ARR ", "%{y}: 負荷 %{x:.2f}<br>顧客 %{customdata[1]} 社、"
                                 "必要 FTE %{customdata[4]:.2f} / FTE %{customdata[0]:.2f}<br>ARR ")
                           + wh.money_hover("customdata[2]") + wh.tr(", per FTE ", "、FTE あたり ")
                           + wh.money_hover("customdata[3]") + "<extra></extra>")))
        fig.add_vline(x=1.0, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                      annotation_text=wh.tr("1.0 = at tier targets", "1.0 = ティア目標どおり"), annotation_position="top")
        wh.style(fig, title=wh.tr(f"CSM load, {wh.month_label(report_month)}", f"CSM の負荷（{wh.month_label(report_month)}）"),
                 definition=wh.tr("Load = required FTE of the CSM's customers (1 / the tier's accounts per CSM) / the "
                                  "CSM's FTE; red = overloaded (> 1.0).",
                                  "負荷 = 担当顧客に必要な FTE（1 ÷ ティアの CSM あたり社数）÷ CSM の FTE。赤 = 過負荷（1.0 超）。"),
                 x_title=wh.tr("Load (required FTE / FTE)", "負荷（必要 FTE ÷ FTE）"), y_title="CSM",
                 height=max(360, 34 * len(csms) + 170))
        fig.update_layout(margin=dict(b=60))
        fig.update_xaxes(range=[0, max(1.2, float(csms["load"].max())) * 1.2])
        fig.show()
        shown = csms.sort_values("load", ascending=False)
        wh.table(pd.DataFrame({
            "CSM": shown["csm_name"], "FTE": shown["fte"], wh.tr("Customers", "顧客数"): shown["customers"],
            "ARR": shown["arr"], wh.tr("ARR per FTE", "FTE あたり ARR"): shown["arr_per_fte"],
            wh.tr("Required FTE", "必要 FTE"): shown["required_fte"], wh.tr("Load", "負荷"): shown["load"],
            wh.tr("Overloaded", "過負荷"): shown["is_overloaded"],
        }), {"FTE": lambda v: wh.number(v, 2), wh.tr("Customers", "顧客数"): wh.number, "ARR": wh.money,
             wh.tr("ARR per FTE", "FTE あたり ARR"): wh.money, wh.tr("Required FTE", "必要 FTE"): lambda v: wh.number(v, 2),
             wh.tr("Load", "負荷"): lambda v: wh.number(v, 2),
             wh.tr("Overloaded", "過負荷"): lambda v: wh.tr("yes", "はい") if v else ""},
            caption=wh.tr(f"CSM books, {wh.month_label(report_month)} (ARR per FTE is commmune's measure)",
                          f"CSM ごとの担当（{wh.month_label(report_month)}。FTE あたり ARR は commmune の指標）"),
            download="csm_books.csv")

# %% [markdown]
# ## Outcomes per CSM
# Load says how much work a book is; outcomes say how it fares: the book's net revenue retention over the last
# 12 months (its customers of 12 months ago), this month's logo churn with its interval, and the health of its
# customers today. Books with fewer customers than the minimum are grey: one account moves their rates a lot.
#
# <!-- ja -->
# ## CSM ごとの成果
# 負荷は担当の仕事量を、成果は担当顧客の状態を示します: 直近12か月の NRR（12か月前の担当顧客）、当月のロゴ
# チャーンとその区間、現在の顧客のヘルス。担当顧客が最小件数に満たない CSM は灰色です（1社で率が大きく動きます）。

# %%
if not outcomes_status:
    wh.unavailable(outcomes_status)
else:
    outcomes = wh.mart("mart_csm_outcomes", where="month = ?", params=[report_month], order_by="nrr_12m")
    if outcomes.empty:
        wh.unavailable(wh.Availability(False, wh.tr(f"`mart_csm_outcomes` has no row for {wh.month_label(report_month)}.",
                                                    f"`mart_csm_outcomes` に {wh.month_label(report_month)} の行がありません。")))
    else:
        chart = outcomes.dropna(subset=["nrr_12m"])
        small = chart["customers_12m_base"] < MIN_N
        if len(chart):
            fig = go.Figure(go.Bar(
                y=chart["csm_name"], x=chart["nrr_12m"], orientation="h",
                marker_color=["#e0e0e0" if sm else (wh.COLORS["good"] if v >= 1 else wh.COLORS["bad"])
                              for v, sm in zip(chart["nrr_12m"], small)],
                text=[f"{v:.0%} (n={int(n)})" for v, n in zip(chart["nrr_12m"], chart["customers_12m_base"])],
                textposition="outside",
                customdata=chart[["customers_12m_base", "grr_12m", "mean_health_score"]],
                hovertemplate=wh.tr("%{y}: NRR %{x:.1%} over %{customdata[0]} customers of 12 months ago; GRR "
                                    "%{customdata[1]:.1%}; mean health today %{customdata[2]:.0f}<extra></extra>",
                                    "%{y}: NRR %{x:.1%}（12か月前の顧客 %{customdata[0]} 社）、GRR %{customdata[1]:.1%}、"
                                    "現在のヘルス平均 %{customdata[2]:.0f}<extra></extra>")))
            fig.add_vline(x=1.0, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                          annotation_text="100%", annotation_position="top")
            wh.style(fig, title=wh.tr(f"NRR of each CSM's book, trailing 12 months to {wh.month_label(report_month)}",
                                      f"CSM ごとの NRR（{wh.month_label(report_month)}までの直近12か月）"),
                     definition=wh.tr("MRR now / MRR 12 months ago of the customers the CSM held 12 months ago; n = those "
                                      f"customers; grey: n < {MIN_N}. Bars start at zero.",
                                      "12か月前に担当していた顧客の現在の MRR ÷ 12か月前の MRR。n = その顧客数。灰色: "
                                      f"n < {MIN_N}。棒はゼロから。"),
                     x_title=wh.tr("NRR, trailing 12 months (%)", "NRR（直近12か月、%）"), y_title="CSM",
                     x_format="pct", height=max(360, 34 * len(chart) + 170))
            fig.update_xaxes(range=[0, max(1.2, float(chart["nrr_12m"].max()) * 1.2)])
            fig.update_layout(margin=dict(b=60))
            fig.show()
        columns = {
            "csm_name": "CSM", "customers": wh.tr("Customers", "顧客数"), "arr": "ARR",
            "nrr_12m": wh.tr("NRR, 12 months", "NRR（12か月）"), "grr_12m": wh.tr("GRR, 12 months", "GRR（12か月）"),
            "customers_12m_base": wh.tr("n (12 months ago)", "n（12か月前）"),
            "logo_churn_rate": wh.tr("Logo churn this month", "当月のロゴチャーン"),
            "churn_interval": wh.tr("95% interval", "95%区間"),
            "customers_start": wh.tr("n (start of month)", "n（月初）"),
            "mean_health_score": wh.tr("Mean health", "ヘルス平均"),
            "bad_condition_share": wh.tr("Share in bad condition", "不調の割合"), "load": wh.tr("Load", "負荷"),
        }
        shown = outcomes.assign(churn_interval=[wh.interval(low, high) for low, high in
                                                zip(outcomes["logo_churn_rate_ci_low"], outcomes["logo_churn_rate_ci_high"])])
        shown = shown.sort_values("csm_name")[list(columns)].rename(columns=columns)
        wh.table(shown, {"ARR": wh.money, columns["nrr_12m"]: wh.pct, columns["grr_12m"]: wh.pct,
                         columns["customers_12m_base"]: wh.number, columns["logo_churn_rate"]: wh.pct,
                         columns["customers_start"]: wh.number, columns["mean_health_score"]: wh.number,
                         columns["bad_condition_share"]: wh.pct, columns["load"]: lambda v: wh.number(v, 2),
                         columns["customers"]: wh.number},
                 caption=wh.tr(f"Outcomes per CSM, {wh.month_label(report_month)}",
                               f"CSM ごとの成果（{wh.month_label(report_month)}）"),
                 download="csm_outcomes.csv",
                 muted=(outcomes.sort_values("csm_name")["customers"] < MIN_N).reset_index(drop=True))

# %% [markdown]
# ## Touch compliance
# App Annie touches every account each quarter so that no churn comes as a surprise. A customer is covered when a
# CSM touched it (any channel but automated) within its tier's cadence. Tech-touch tiers show their share of
# automated touches instead. A tier with few customers swings from 0% to 100% with one account: months with fewer
# customers than the minimum are drawn as hollow points.
#
# <!-- ja -->
# ## タッチの実施率
# App Annie は解約が不意打ちにならないよう、すべての顧客に四半期ごとに接点を持ちます。ティアの周期内に CSM が
# （自動配信以外で）接点を持った顧客をカバー済みとします。テックタッチのティアは自動配信の到達率を示します。顧客の
# 少ないティアは1社で 0% から 100% まで振れるため、顧客数が最小件数に満たない月は白抜きの点で示します。

# %%
if coverage_status:
    fig = go.Figure()
    for tier in tier_list:
        rows = coverage[coverage["tier"] == tier]
        label, color = wh.name("tier", tier), wh.segment_color("tier", tier)
        small = rows["customers"] < MIN_N
        symbols = ["circle-open" if s else "circle" for s in small]
        if rows["touch_compliance_rate"].notna().any():
            name = wh.tr(f"{label}: touch compliance", f"{label}: タッチ実施率")
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["touch_compliance_rate"], name=name,
                                     mode="lines+markers", marker=dict(size=6, symbol=symbols), line=dict(color=color),
                                     customdata=rows[["customers"]],
                                     hovertemplate=f"{label} {wh.hover_month()}: %{{y:.0%}} "
                                                   + wh.tr("touched in cadence, of %{customdata[0]} customers",
                                                           "が周期内に接点あり（顧客 %{customdata[0]} 社）")
                                                   + "<extra></extra>"))
        if rows["automated_touch_share"].notna().any():
            name = wh.tr(f"{label}: automated-touch share", f"{label}: 自動配信の到達率")
            fig.add_trace(go.Scatter(x=rows["month"], y=rows["automated_touch_share"], name=name, mode="lines",
                                     line=dict(dash="dot", color=color), customdata=rows[["customers"]],
                                     hovertemplate=f"{label} {wh.hover_month()}: %{{y:.0%}} "
                                                   + wh.tr("reached by automation, of %{customdata[0]} customers",
                                                           "に自動配信（顧客 %{customdata[0]} 社）")
                                                   + "<extra></extra>"))
    if not fig.data:
        touch_status = wh.availability("mart_tier_coverage", what=wh.tr("touch compliance", "タッチの実施率"),
                                       source="touchpoints",
                                       rows_where="touch_compliance_rate > 0 or automated_touch_share > 0")
        wh.unavailable(touch_status if not touch_status else
                       wh.Availability(False, wh.tr("No tier has a touch compliance rate, so it cannot be shown.",
                                                    "タッチ実施率のあるティアがないため表示できません。")))
    else:
        fig.update_yaxes(range=[0, 1.05])
        cadences = ", ".join(f"{wh.name('tier', r.tier)}: {int(r.cadence_days)}" for r in policy.itertuples()
                             if pd.notna(r.cadence_days)) if len(policy) else ""
        wh.style(fig, title=wh.tr("Touch compliance by tier", "ティア別のタッチ実施率"),
                 definition=wh.tr(f"Share of the tier's customers with a non-automated touch in the last cadence days "
                                  f"({cadences}) before the snapshot day; hollow: fewer than {MIN_N} customers.",
                                  f"月末までの周期日数（{cadences}）内に自動配信以外の接点があった顧客の割合。白抜き: "
                                  f"顧客 {MIN_N} 社未満。"),
                 x_title=wh.tr("Month", "月"), y_title=wh.tr("Customers touched in cadence (%)", "周期内に接点のあった顧客（%）"),
                 y_format="pct", height=460)
        wh.mark_partial_month(fig)
        fig.show()

# %% [markdown]
# ## Customers needing a touch
# Customers as of today whose last CSM touch is older than their tier's cadence, or who were never touched, in the
# order to work them: the highest risk first (never touched, bad health, a renewal coming up, large ARR). Every one
# is listed; click a column to sort, or download the list.
#
# <!-- ja -->
# ## タッチが必要な顧客
# 最後の CSM 接点がティアの周期より古い顧客、または一度も接点のない顧客（本日時点）を、対応すべき順（リスクの高い順:
# 接点なし、ヘルス不調、更新が近い、ARR が大きい）に並べています。全件を表示しています。列見出しをクリックすると
# 並べ替えられ、一覧は CSV でダウンロードできます。

# %%
if not overdue_status:
    if wh.relation_exists("mart_overdue_touches"):
        wh.say(wh.tr("Every customer in a touch tier has been touched within its cadence.",
                     "タッチ対象のティアの顧客は、すべて周期内に接点があります。"))
    else:
        wh.unavailable(overdue_status)
else:
    overdue = wh.mart("mart_overdue_touches", order_by="risk_rank")
    wh.say(wh.tr(f"**{len(overdue):,}** customers are overdue for a touch.",
                 f"タッチが遅れている顧客は **{len(overdue):,} 社** です。"))
    columns = {"risk_rank": wh.tr("Priority", "優先順位"), "account_name": wh.tr("Customer", "顧客"), "csm_name": "CSM",
               "tier": wh.tr("Tier", "ティア"), "days_since_touch": wh.tr("Days since last touch", "最終接点からの日数"),
               "days_overdue": wh.tr("Days overdue", "遅れ（日）"), "health_score": wh.tr("Health (0–100)", "ヘルス（0–100）"),
               "condition": wh.tr("Condition", "コンディション"), "stage": wh.tr("Stage", "ステージ"), "arr": "ARR",
               "days_until_renewal": wh.tr("Days to renewal", "更新までの日数"),
               "risk_score": wh.tr("Risk score (0–100)", "リスクスコア（0–100）")}
    listed = overdue.assign(tier=wh.names("tier", overdue["tier"]), condition=wh.names("condition", overdue["condition"]),
                            stage=wh.names("stage", overdue["stage"]))[list(columns)].rename(columns=columns)
    wh.table(listed, {columns["days_since_touch"]: lambda v: wh.tr("never", "なし") if pd.isna(v) else wh.number(v),
                      columns["days_overdue"]: wh.number, columns["health_score"]: wh.number, "ARR": wh.money,
                      "CSM": lambda v: wh.tr("unassigned", "未担当") if pd.isna(v) else v,
                      columns["days_until_renewal"]: wh.number, columns["risk_score"]: lambda v: wh.number(v, 0)},
             caption=wh.tr("Customers overdue for a touch, highest risk first", "タッチが遅れている顧客（リスクの高い順）"),
             download="overdue_touches.csv")
