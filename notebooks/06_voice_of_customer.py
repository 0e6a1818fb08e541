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
# **Reads:** `mart_nps_monthly` (NPS of the month), `mart_nps_rolling` (NPS by tier and stage over rolling 3-month windows), `mart_onboarding_cohorts` (CES after onboarding, time to value, completion), `mart_product_feedback` (tickets by category and feature), `mart_community_impact` (community activity against NRR and churn), seed `display_names` (names of codes).
#
# <!-- ja -->
# # 顧客の声
#
# **問い:** 顧客は何を伝えているか（NPS、オンボーディングの負担、価値に届くまでの速さ、問い合わせ、コミュニティ活動）、それは CS とプロダクトのチームに何を示しているか?

# %% tags=["parameters"]
# The month of the ticket heatmap (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None

# %%


import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

nps_status = wh.availability("mart_nps_monthly", what="NPS", source="surveys", rows_where="responses > 0")
onboarding_status = wh.availability("mart_onboarding_cohorts", what=wh.tr("onboarding and time to value",
                                                                          "オンボーディングと価値到達までの日数"))
ces_status = (wh.availability("mart_onboarding_cohorts", what=wh.tr("CES after onboarding", "オンボーディング後の CES"),
                              source="surveys", rows_where="mean_ces is not null") if onboarding_status
              else onboarding_status)
feedback_status = wh.availability("mart_product_feedback", what=wh.tr("tickets by category and feature",
                                                                      "カテゴリ・機能別の問い合わせ"),
                                  source="tickets", rows_where="tickets > 0")
community_status = wh.availability("mart_community_impact", what=wh.tr("community activity against NRR",
                                                                       "コミュニティ活動と NRR"),
                                   source="community", rows_where="has_community_activity and observations > 0")
nps = wh.mart("mart_nps_monthly", order_by="month") if nps_status else pd.DataFrame()
# per tier and stage, monthly NPS rests on a handful of responses: the charts read rolling 3-month windows
rolling = (wh.mart("mart_nps_rolling", order_by="month") if nps_status and wh.relation_exists("mart_nps_rolling")
           else nps)
window = int(rolling["window_months"].max()) if "window_months" in rolling and len(rolling) else 1
onboarding = wh.mart("mart_onboarding_cohorts", order_by="cohort_month") if onboarding_status else pd.DataFrame()
feedback = wh.mart("mart_product_feedback", order_by="month") if feedback_status else pd.DataFrame()
community = wh.mart("mart_community_impact") if community_status else pd.DataFrame()
partial = wh.partial_month()
ticket_month = (pd.Timestamp(month) if month else wh.latest_complete_month(feedback["month"])) if feedback_status else None
tickets_now = feedback[feedback["month"] == ticket_month] if feedback_status else pd.DataFrame()
MIN_N = wh.min_n()
money_divisor, money_unit = wh.money_unit()

# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
notes = []
if nps_status:
    nps_month = wh.latest_complete_month(nps["month"])
    latest = rolling[(rolling["month"] == nps_month) & (rolling["responses"] >= MIN_N)]
    tiers = latest[latest["segment_type"] == "tier"]
    overall = nps[(nps["month"] == nps_month) & (nps["segment_type"] == "all")]
    if len(overall) and pd.notna(overall["nps"].iloc[0]):
        small = overall["responses"].iloc[0] < MIN_N
        notes.append(wh.tr(
            f"NPS in {wh.month_label(nps_month)} is **{wh.points(overall['nps'].iloc[0])}** "
            f"({wh.count(overall['responses'].iloc[0], 'response')})"
            + (f"; with fewer than {MIN_N} responses it moves by tens of points from one month to the next." if small
               else "."),
            f"{wh.month_label(nps_month)}の NPS は **{wh.points(overall['nps'].iloc[0])}**（回答 "
            f"{wh.count(overall['responses'].iloc[0], '', '件')}）"
            + (f"。回答が {MIN_N} 件未満のため、月ごとに数十ポイント動きます。" if small else "。")))
    if len(tiers) >= 2:
        low, high = tiers.loc[tiers["nps"].idxmin()], tiers.loc[tiers["nps"].idxmax()]
        notes.append(wh.tr(
            f"Over the {window} months to {wh.month_label(nps_month)}, among tiers with at least {MIN_N} responses, NPS "
            f"ranges from {wh.points(low['nps'])} "
            f"({wh.name('tier', low['segment'])}, {wh.count(low['responses'], 'response')}) to {wh.points(high['nps'])} "
            f"({wh.name('tier', high['segment'])}, {wh.count(high['responses'], 'response')}); no interval is published "
            "for NPS, so read this as a range, not a ranking.",
            f"{wh.month_label(nps_month)}までの {window} か月、回答 {MIN_N} 件以上のティアでは、NPS は {wh.points(low['nps'])}（{wh.name('tier', low['segment'])}、"
            f"{wh.count(low['responses'], '', '件')}）から {wh.points(high['nps'])}（{wh.name('tier', high['segment'])}、"
            f"{wh.count(high['responses'], '', '件')}）の範囲です。NPS には区間がないため、順位ではなく幅として読んでください。"))
    else:
        notes.append(wh.tr(
            f"Too few responses per tier in {wh.month_label(nps_month)} (fewer than {MIN_N}) to compare tiers: the charts "
            "grey out such months.",
            f"{wh.month_label(nps_month)}はティアごとの回答が少なく（{MIN_N} 件未満）、ティアを比べられません。グラフでは"
            "そうした月を灰色にしています。"))
if feedback_status and not tickets_now.empty:
    top = tickets_now.loc[tickets_now["tickets"].idxmax()]
    notes.append(wh.tr(
        f"The largest ticket group in {wh.month_label(ticket_month)} is **{wh.name('ticket_category', top['category'])}** "
        f"about **{wh.name('feature', top['feature'])}** ({int(top['tickets'])} tickets from {int(top['accounts'])} "
        "accounts): take it to the product team.",
        f"{wh.month_label(ticket_month)}に最も多かった問い合わせは、**{wh.name('feature', top['feature'])}** についての"
        f"**{wh.name('ticket_category', top['category'])}**（{int(top['accounts'])} 社から {int(top['tickets'])} 件）です。"
        "プロダクトチームに共有してください。"))
if community_status:
    active = community[community["has_community_activity"].astype(bool)].iloc[0]
    quiet = community[~community["has_community_activity"].astype(bool)]
    if len(quiet):
        quiet = quiet.iloc[0]
        notes.append(wh.tr(
            f"Customer-months with community activity (n={wh.number(active['observations'])}) show NRR "
            f"{wh.pct(active['net_revenue_retention_12m'])} against {wh.pct(quiet['net_revenue_retention_12m'])} without "
            f"(n={wh.number(quiet['observations'])}), and churn {wh.pct(active['churn_rate_12m'])} against "
            f"{wh.pct(quiet['churn_rate_12m'])}. A correlation: active customers may simply be the healthy ones.",
            f"コミュニティ活動のある顧客月（n={wh.number(active['observations'])}）の NRR は "
            f"{wh.pct(active['net_revenue_retention_12m'])}、ない顧客月（n={wh.number(quiet['observations'])}）は "
            f"{wh.pct(quiet['net_revenue_retention_12m'])}、解約率は {wh.pct(active['churn_rate_12m'])} と "
            f"{wh.pct(quiet['churn_rate_12m'])} です。相関であり、活動する顧客がもともと健全なだけかもしれません。"))
for status in (nps_status, ces_status, feedback_status, community_status):
    if not status:
        notes.append(status.message)
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## NPS by tier and by stage
# NPS = % promoters (9–10) − % detractors (0–6), in points from −100 to +100. A month with few responses moves a
# lot, so each point is the NPS of the 3 months that end with it; points from fewer responses than the minimum are
# grey and hollow, and hover gives the number of responses.
# The NPS of **loyal** accounts is circular: being a promoter is one of the ways an account becomes loyal, so loyal
# scores high by definition; it is drawn dashed and is no evidence that the stages work.
#
# <!-- ja -->
# ## ティア別・ステージ別の NPS
# NPS = 推奨者（9–10）の割合 − 批判者（0–6）の割合。−100 から +100 のポイントで表します。回答の少ない月は大きく
# 動くため、各点はその月までの3か月の NPS です。回答が最小件数に満たない点は灰色の白抜きにし、マウスを重ねると
# 回答数を表示します。**ロイヤル**の NPS は
# 循環しています: 推奨者であることがロイヤルになる条件の一つなので、定義上高くなります。破線で示し、ステージが機能して
# いる証拠にはしません。

# %%
def nps_chart(segment_type, title, order):
    rows = rolling[rolling["segment_type"] == segment_type]
    segments = [s for s in order if s in set(rows["segment"])] + sorted(set(rows["segment"]) - set(order))
    fig = go.Figure()
    overall = rolling[rolling["segment_type"] == "all"]
    responses_word = wh.tr("responses", "件の回答")
    if len(overall):
        label = wh.name("segment_type", "all")
        fig.add_trace(go.Scatter(x=overall["month"], y=overall["nps"], name=label, mode="lines",
                                 line=dict(color="#263238", width=3), customdata=overall[["responses"]],
                                 hovertemplate=f"{label} {wh.hover_month()}: NPS %{{y:+.0f}} (%{{customdata[0]}} "
                                               f"{responses_word})<extra></extra>"))
    for position, segment in enumerate(segments):
        part = rows[rows["segment"] == segment]
        color = wh.segment_color(segment_type, segment, position)
        small = part["responses"] < MIN_N
        circular = segment_type == "stage" and segment == "loyal"
        label = wh.name(segment_type, segment) + (wh.tr(" (circular)", "（循環）") if circular else "")
        hover = (f"{label} {wh.hover_month()}: NPS %{{y:+.0f}}<br>"
                 + wh.tr("%{customdata[0]} responses, %{customdata[1]} promoters, %{customdata[2]} detractors",
                         "回答 %{customdata[0]} 件、推奨者 %{customdata[1]}、批判者 %{customdata[2]}")
                 + "<extra></extra>")
        # the line joins only the points with enough responses; the others stand alone, grey and hollow
        fig.add_trace(go.Scatter(
            x=part["month"], y=part["nps"].where(~small), name=label, mode="lines+markers", legendgroup=segment,
            marker=dict(size=7, color=color), line=dict(color=color, width=1.5, dash="dash" if circular else "solid"),
            connectgaps=False, customdata=part[["responses", "promoters", "detractors"]], hovertemplate=hover))
        if small.any():
            fig.add_trace(go.Scatter(
                x=part["month"][small], y=part["nps"][small], name=label, mode="markers", legendgroup=segment,
                showlegend=False, marker=dict(size=6, color="#bdbdbd", symbol="circle-open"),
                customdata=part.loc[small, ["responses", "promoters", "detractors"]], hovertemplate=hover))
    fig.add_hline(y=0, line=dict(color="#90a4ae", dash="dash"))
    fig.update_yaxes(range=[-108, 108])
    wh.style(fig, title=title,
             definition=wh.tr(f"NPS = % of scores 9–10 − % of scores 0–6 over the {window} months ending with each "
                              f"month (points); thick line: all customers; grey hollow points: fewer than {MIN_N} "
                              "responses.",
                              f"NPS = 9–10 の割合 − 0–6 の割合（各月までの {window} か月、ポイント）。太線: 全顧客。"
                              f"灰色の白抜き: 回答 {MIN_N} 件未満。"),
             x_title=wh.tr("Month (of the response)", "回答月"),
             y_title=wh.tr("NPS (points, −100 to +100)", "NPS（ポイント、−100〜+100）"), height=460)
    wh.mark_partial_month(fig)
    return fig


if not nps_status:
    wh.unavailable(nps_status)
else:
    nps_chart("tier", wh.tr("NPS by tier", "ティア別の NPS"), wh.TIER_ORDER).show()
    nps_chart("stage", wh.tr("NPS by lifecycle stage (loyal is circular)", "ライフサイクルステージ別の NPS（ロイヤルは循環）"),
              wh.STAGE_ORDER).show()

# %% [markdown]
# ## Onboarding: effort, time to value, completion
# SmartHR surveys the Customer Effort Score (CES) when onboarding ends; here CES runs from 1 to 7, and higher means
# onboarding felt easier. Toreta's own target is value within two weeks (Toreta reports 10.3 days on average, a
# figure from another company, not from these data), and Toreta sees an upsell offered right after onboarding
# convert at about 15%.
#
# <!-- ja -->
# ## オンボーディング: 負担、価値到達までの日数、完了率
# SmartHR はオンボーディング終了時に顧客努力指標（CES）を調査しています。ここでの CES は 1〜7 で、高いほど
# オンボーディングが楽だったことを示します。トレタ自身の目標は2週間以内の価値到達です（トレタの実績は平均 10.3 日。
# 他社の数字で、このデータのものではありません）。また、トレタではオンボーディング直後のアップセル提案が約 15% で
# 成約しています。

# %%
if not ces_status:
    wh.unavailable(ces_status)
else:
    rows = onboarding.dropna(subset=["mean_ces"])
    responses = rows["ces_responses"] if "ces_responses" in rows else rows["accounts"]
    small = responses < MIN_N
    fig = go.Figure(go.Bar(
        x=rows["cohort_month"], y=rows["mean_ces"],
        marker_color=["#e0e0e0" if s else wh.COLORS["accent"] for s in small],
        customdata=pd.DataFrame({"n": responses, "accounts": rows["accounts"]}),
        hovertemplate=wh.tr(f"Cohort {wh.hover_month()}: mean CES %{{y:.2f}} of 7 (%{{customdata[0]}} responses, "
                            "%{customdata[1]} accounts)<extra></extra>",
                            f"コホート {wh.hover_month()}: 平均 CES %{{y:.2f}}（7 点満点、回答 %{{customdata[0]}} 件、"
                            "%{customdata[1]} 社）<extra></extra>")))
    wh.style(fig, title=wh.tr("Customer Effort Score after onboarding, by cohort (1–7, higher = easier)",
                              "コホート別のオンボーディング後の CES（1–7、高いほど楽）"),
             definition=wh.tr(f"Mean CES of the cohort's responses at the end of onboarding, on the survey's 1–7 scale; "
                              f"grey: fewer than {MIN_N} responses.",
                              f"オンボーディング終了時の CES の平均（1–7 の尺度）。灰色: 回答 {MIN_N} 件未満。"),
             x_title=wh.tr("Cohort month (first contract)", "コホート月（最初の契約）"),
             y_title=wh.tr("Mean CES (1 = very hard, 7 = very easy)", "平均 CES（1 = とても大変、7 = とても楽）"),
             height=400)
    fig.update_yaxes(range=[1, 7], dtick=1)
    fig.update_layout(margin=dict(b=60))
    wh.mark_partial_month(fig)
    fig.show()

# %%
if not onboarding_status:
    wh.unavailable(onboarding_status)
else:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    completed_name = wh.tr("Completed within target (right axis)", "目標日数内に完了（右軸）")
    fig.add_trace(go.Bar(x=onboarding["cohort_month"], y=onboarding["completion_rate"], name=completed_name,
                         marker_color=["rgba(189,189,189,0.45)" if n < MIN_N else "rgba(46,125,50,0.30)"
                                       for n in onboarding["accounts"]],
                         customdata=onboarding[["completed_within_target", "accounts"]],
                         error_y=(dict(type="data", array=onboarding["completion_rate_ci_high"] - onboarding["completion_rate"],
                                       arrayminus=onboarding["completion_rate"] - onboarding["completion_rate_ci_low"],
                                       color="rgba(46,125,50,0.5)", thickness=1, width=2)
                                  if "completion_rate_ci_low" in onboarding else None),
                         hovertemplate=wh.tr(f"Cohort {wh.hover_month()}: %{{y:.0%}} (%{{customdata[0]}} of "
                                             "%{customdata[1]})<extra></extra>",
                                             f"コホート {wh.hover_month()}: %{{y:.0%}}（%{{customdata[1]}} 社中 "
                                             "%{customdata[0]} 社）<extra></extra>")),
                  secondary_y=True)
    median_name, mean_name = wh.tr("Median days to value", "価値到達日数の中央値"), wh.tr("Mean days to value", "価値到達日数の平均")
    fig.add_trace(go.Scatter(x=onboarding["cohort_month"], y=onboarding["median_days_to_value"], name=median_name,
                             mode="lines+markers", line=dict(color=wh.COLORS["accent"]),
                             customdata=onboarding[["reached_value_accounts"]],
                             hovertemplate=f"{median_name} {wh.hover_month()}: %{{y:.0f}} "
                                           + wh.tr("days (n=%{customdata[0]})", "日（n=%{customdata[0]}）")
                                           + "<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=onboarding["cohort_month"], y=onboarding["mean_days_to_value"], name=mean_name,
                             mode="lines", line=dict(color=wh.COLORS["accent"], dash="dot"),
                             hovertemplate=f"{mean_name} {wh.hover_month()}: %{{y:.1f}} " + wh.tr("days", "日")
                                           + "<extra></extra>"), secondary_y=False)
    fig.add_hline(y=14, line=dict(color=wh.COLORS["threshold"], dash="dash"), secondary_y=False,
                  annotation_text=wh.tr("Toreta's target (theirs, not ours): 14 days", "トレタの目標（他社）: 14 日"),
                  annotation_position="top left")
    wh.style(fig, title=wh.tr("Time to value and onboarding completion, by cohort", "コホート別の価値到達日数とオンボーディング完了率"),
             definition=wh.tr("Days from first contract start to the onboarding milestone; completion = share reaching "
                              f"it within the target days. Young cohorts are still completing; grey bars: fewer than "
                              f"{MIN_N} accounts.",
                              "最初の契約開始からオンボーディング完了までの日数。完了率 = 目標日数内に到達した割合。若い"
                              f"コホートはまだ途中。灰色の棒: {MIN_N} 社未満。"),
             x_title=wh.tr("Cohort month", "コホート月"), height=440)
    fig.update_yaxes(title_text=wh.tr("Days to value", "価値到達までの日数"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=wh.tr("Completed within target (%)", "目標日数内に完了（%）"), tickformat=".0%",
                     range=[0, 1.0], dtick=0.25, showgrid=False, secondary_y=True)
    wh.mark_partial_month(fig)
    fig.show()

    upsell_name = wh.tr("Post-onboarding upsell", "オンボーディング直後のアップセル")
    fig = go.Figure(go.Bar(x=onboarding["cohort_month"], y=onboarding["post_onboarding_upsell_rate"],
                           marker_color=["#e0e0e0" if n < MIN_N else wh.MOVEMENT_COLORS["expansion"]
                                         for n in onboarding["reached_value_accounts"]],
                           name=upsell_name,
                           customdata=onboarding[["post_onboarding_upsold_accounts", "reached_value_accounts"]],
                           hovertemplate=wh.tr(f"Cohort {wh.hover_month()}: %{{y:.0%}} (%{{customdata[0]}} of "
                                               "%{customdata[1]})<extra></extra>",
                                               f"コホート {wh.hover_month()}: %{{y:.0%}}（%{{customdata[1]}} 社中 "
                                               "%{customdata[0]} 社）<extra></extra>")))
    fig.add_hline(y=0.15, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                  annotation_text=wh.tr("Toreta's benchmark (theirs, not ours): 15%", "トレタの実績（他社）: 15%"),
                  annotation_position="top left")
    wh.style(fig, title=wh.tr("Upsell right after onboarding, by cohort", "コホート別のオンボーディング直後のアップセル"),
             definition=wh.tr("Share of the cohort's onboarded accounts with an expansion within 30 days of completing "
                              f"onboarding; grey: fewer than {MIN_N} onboarded accounts.",
                              f"オンボーディング完了から30日以内に拡大した顧客の割合。灰色: 完了 {MIN_N} 社未満。"),
             x_title=wh.tr("Cohort month", "コホート月"), y_title=wh.tr("Accounts upsold (%)", "アップセルした顧客（%）"),
             y_format="pct", height=400)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(margin=dict(b=60))
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Tickets by category and feature
# Sansan files every ticket under one of four categories, with the feature it concerns, and feeds it back to the
# product team.
#
# <!-- ja -->
# ## カテゴリ・機能別の問い合わせ
# Sansan はすべての問い合わせを4つのカテゴリと対象機能で分類し、プロダクトチームに共有しています。

# %%
if not feedback_status:
    wh.unavailable(feedback_status)
else:
    now = tickets_now
    if now.empty:
        wh.unavailable(wh.Availability(False, wh.tr(f"No tickets were filed in {wh.month_label(ticket_month)}.",
                                                    f"{wh.month_label(ticket_month)}の問い合わせはありません。")))
    else:
        grid = now.pivot_table(index="category", columns="feature", values="tickets", aggfunc="first")
        accounts = now.pivot_table(index="category", columns="feature", values="accounts", aggfunc="first")
        text = [[("" if pd.isna(t) else f"{int(t)}") for t in row] for row in grid.values]
        fig = go.Figure(go.Heatmap(
            z=grid.values, x=wh.names("feature", grid.columns), y=wh.names("ticket_category", grid.index), text=text,
            texttemplate="%{text}", colorscale="Blues", customdata=accounts.reindex_like(grid).values, xgap=2, ygap=2,
            zmin=0, colorbar=dict(title=dict(text=wh.tr("Tickets", "件数"), side="right")),
            hovertemplate=wh.tr("%{y} about %{x}: %{z} tickets from %{customdata} accounts<extra></extra>",
                                "%{x}の%{y}: %{customdata} 社から %{z} 件<extra></extra>")))
        wh.style(fig, title=wh.tr(f"Tickets by category and feature, {wh.month_label(ticket_month)}",
                                  f"カテゴリ・機能別の問い合わせ（{wh.month_label(ticket_month)}）"),
                 definition=wh.tr("Support tickets filed in the month, by category × the feature they concern.",
                                  "当月の問い合わせ件数（カテゴリ × 対象機能）。"),
                 x_title=wh.tr("Feature", "機能"), y_title=wh.tr("Category", "カテゴリ"),
                 height=max(340, 60 * len(grid) + 200))
        fig.update_layout(margin=dict(b=60))
        fig.show()

    fig = go.Figure()
    for position, category in enumerate(sorted(set(feedback["category"]))):
        rows = feedback[feedback["category"] == category]
        label = wh.name("ticket_category", category)
        fig.add_trace(go.Bar(x=rows["month"], y=rows["tickets"], name=label,
                             marker_color=wh.SEGMENT_PALETTE[position % len(wh.SEGMENT_PALETTE)],
                             customdata=[[wh.name("feature", f)] for f in rows["feature"]],
                             hovertemplate=f"{label} · %{{customdata[0]}} {wh.hover_month()}: %{{y}} "
                                           + wh.tr("tickets", "件") + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    wh.style(fig, title=wh.tr("Tickets per month by category", "カテゴリ別の月間問い合わせ件数"),
             definition=wh.tr("Support tickets filed each month, stacked by category (segments within a colour are "
                              "features).", "毎月の問い合わせ件数をカテゴリ別に積み上げ（同じ色の中の区切りは機能）。"),
             x_title=wh.tr("Month", "月"), y_title=wh.tr("Tickets", "件数"), y_format="int", height=420)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Community and net revenue retention
# ABEJA saw community touch raise MRR 1.5×, and Sansan counts community activity to show its business effect. This
# compares customer-months with community activity in the last 90 days against those without.
#
# <!-- ja -->
# ## コミュニティと売上継続率
# ABEJA ではコミュニティでの接点が MRR を 1.5 倍にし、Sansan はコミュニティ活動を数えて事業効果を示しています。
# ここでは直近90日にコミュニティ活動のあった顧客月と、なかった顧客月を比べます。

# %%
if not community_status:
    wh.unavailable(community_status)
else:
    groups = community.sort_values("has_community_activity", ascending=False)
    labels = [(wh.tr("Active in the community", "コミュニティで活動") if g else wh.tr("No community activity", "活動なし"))
              + f"<br>n={int(n):,}" for g, n in zip(groups["has_community_activity"], groups["observations"])]
    colors = [wh.COLORS["good"] if g else wh.COLORS["neutral"] for g in groups["has_community_activity"]]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(wh.tr("Net revenue retention, next 12 months", "その後12か月の NRR"),
                                        wh.tr("Churn rate, next 12 months", "その後12か月の解約率")))
    for col, column in ((1, "net_revenue_retention_12m"), (2, "churn_rate_12m")):
        fig.add_trace(go.Bar(x=labels, y=groups[column], marker_color=colors, showlegend=False,
                             text=[wh.pct(v) for v in groups[column]], textposition="outside",
                             customdata=groups[["observations"]],
                             hovertemplate=wh.tr("%{x}: %{y:.1%} (%{customdata[0]:,} customer-months)<extra></extra>",
                                                 "%{x}: %{y:.1%}（%{customdata[0]:,} 顧客月）<extra></extra>")),
                      row=1, col=col)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text="NRR (%)", row=1, col=1)
    fig.update_yaxes(title_text=wh.tr("Churn rate (%)", "解約率（%）"), row=1, col=2)
    fig.update_xaxes(title_text=wh.tr("Customer-months, by community activity in the last 90 days",
                                      "直近90日のコミュニティ活動別の顧客月"))
    wh.style(fig, title=wh.tr("Community activity against NRR and churn", "コミュニティ活動と NRR・解約率"),
             definition=wh.tr("Customer-months with / without community activity in the last 90 days; their 12-month "
                              "NRR and churn. A correlation, not proof of cause.",
                              "直近90日にコミュニティ活動のあった／なかった顧客月の、その後12か月の NRR と解約率。相関で"
                              "あり、因果の証明ではありません。"), height=460)
    fig.update_layout(margin=dict(b=60))
    fig.show()
