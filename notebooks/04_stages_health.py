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
# **Reads:** `mart_stage_monthly` (stage mix, stage-ups), `mart_stage_churn` and `mart_stage_churn_summary` (churn by stage, r, χ²), `mart_stage_transitions` (the Sankey), `mart_condition_upsell` (condition × upsell), `mart_utilization_matrix` (usage levels of two core features), `mart_health_backtest`, `mart_health_backtest_auc`, `mart_health_backtest_bands`, `mart_health_backtest_calibration` and `mart_health_weights` (the health backtest), seed `display_names` (names of codes).
#
# <!-- ja -->
# # ステージとヘルス
#
# **問い:** 顧客をライフサイクルのステージ（導入前 → オンボード → アクティブ → ロイヤル）で引き上げると解約は減るか: ステージ構成はどう動き、ステージはどれだけ解約を予測し、どの顧客にヘルス改善・活用支援・アップセル提案をすべきか?

# %% tags=["parameters"]
# The month of the stage-transition Sankey (first day, 'YYYY-MM-01'); None = the latest complete month.
transition_month = None

# %%


import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

STAGES = wh.STAGE_ORDER
MIN_N = wh.min_n()
status = {name: wh.availability(name, what=what) for name, what in [
    ("mart_stage_monthly", wh.tr("the stage mix", "ステージ構成")),
    ("mart_stage_churn", wh.tr("churn by stage", "ステージ別の解約率")),
    ("mart_stage_churn_summary", wh.tr("the stage-churn correlation", "ステージと解約の相関")),
    ("mart_stage_transitions", wh.tr("stage transitions", "ステージの遷移")),
    ("mart_condition_upsell", wh.tr("condition × upsell", "コンディション × アップセル")),
    ("mart_utilization_matrix", wh.tr("the utilization matrix", "活用度マトリクス")),
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
#
# <!-- ja -->
# ## 要点

# %%
notes = []
if status["mart_stage_churn"]:
    for basis in bases:
        rows = stage_sorted(churn[churn["basis"] == basis]).set_index("stage")
        if {"loyal"} <= set(rows.index) and len(rows) > 1:
            worst = rows["churn_rate"].idxmax()
            w, loyal = rows.loc[worst], rows.loc["loyal"]
            overlap = wh.intervals_overlap(w["churn_rate_ci_low"], w["churn_rate_ci_high"],
                                           loyal["churn_rate_ci_low"], loyal["churn_rate_ci_high"])
            basis_name = wh.name("basis", basis)
            figures_en = (f"{wh.name('stage', worst)} accounts churn most ({wh.pct(w['churn_rate'])}, 95% interval "
                          f"{wh.interval(w['churn_rate_ci_low'], w['churn_rate_ci_high'])}, n={wh.number(w['observations'])}) "
                          f"against loyal's {wh.pct(loyal['churn_rate'])} "
                          f"({wh.interval(loyal['churn_rate_ci_low'], loyal['churn_rate_ci_high'])}, "
                          f"n={wh.number(loyal['observations'])})")
            figures_ja = (f"{wh.name('stage', worst)}の解約率が最も高く（{wh.pct(w['churn_rate'])}、95%区間 "
                          f"{wh.interval(w['churn_rate_ci_low'], w['churn_rate_ci_high'])}、n={wh.number(w['observations'])}）、"
                          f"ロイヤルは {wh.pct(loyal['churn_rate'])}（"
                          f"{wh.interval(loyal['churn_rate_ci_low'], loyal['churn_rate_ci_high'])}、"
                          f"n={wh.number(loyal['observations'])}）")
            notes.append(wh.tr(
                f"On the {basis_name.lower()} basis, {figures_en}: "
                + ("the intervals overlap, so the data do not separate the two." if overlap else
                   f"{wh.number(w['relative_risk_vs_loyal'], 1)}× the loyal rate, beyond chance."),
                f"{basis_name}の基準では、{figures_ja}。"
                + ("区間が重なっており、両者の差はデータからは言えません。" if overlap else
                   f"ロイヤルの {wh.number(w['relative_risk_vs_loyal'], 1)} 倍で、偶然では説明しにくい差です。")))
    if summary is not None and "horizon" in summary.index:
        r = summary.loc["horizon", "point_biserial_r"]
        notes.append(wh.tr(
            f"Stage and churn correlate with r = {r:.2f} (n = {wh.number(summary.loc['horizon', 'observations'])}): "
            + ("higher stages churn less, so stage-ups are worth chasing." if r < 0 else
               "higher stages do not churn less here; check the stage definitions against outcomes."),
            f"ステージと解約の相関は r = {r:.2f}（n = {wh.number(summary.loc['horizon', 'observations'])}）。"
            + ("上のステージほど解約が少なく、ステージアップに取り組む価値があります。" if r < 0 else
               "上のステージほど解約が少ないとは言えません。ステージの定義を実際の結果と照らしてください。")))
if status["mart_condition_upsell"]:
    large = conditions[conditions["observations"] >= MIN_N]
    good = large[large["condition"] == "good"].set_index("stage")["upsell_rate"]
    bad = large[large["condition"] == "bad"].set_index("stage")["upsell_rate"]
    both = [s for s in STAGES if pd.notna(good.get(s)) and pd.notna(bad.get(s))]
    if both:
        higher = [s for s in both if good[s] > bad[s]]
        example = both[-1]
        notes.append(wh.tr(
            f"Good-condition accounts upsold more often than bad ones in {len(higher)} of the {len(both)} stages with "
            f"at least {MIN_N} customer-months in each (e.g. {wh.name('stage', example)}: {wh.pct(good[example])} "
            f"against {wh.pct(bad[example])}). These are rates without intervals: read them as where to look, "
            "then act on the lists of the *Lists to act on* report.",
            f"各セル {MIN_N} 顧客月以上のステージ {len(both)} 件のうち {len(higher)} 件で、コンディション良好の顧客は"
            f"不調の顧客よりアップセル率が高くなりました（例: {wh.name('stage', example)} {wh.pct(good[example])} 対 "
            f"{wh.pct(bad[example])}）。区間のない率なので、どこを見るかの目安とし、行動は「アクションリスト」"
            "レポートの一覧で行ってください。"))
if notes:
    wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Stage mix over time
# Kaonavi's stages: **entry** (set-up not done), **onboard** (set up, health below target), **active**, **loyal**
# (an advocate: a fan, a promoter or active in the community). Kaonavi saw renewal rates of about 5%, 40%, 75% and
# 90% across these stages, so moving customers up is the lever.
#
# <!-- ja -->
# ## ステージ構成の推移
# カオナビのステージ: **導入前**（初期設定が未完了）、**オンボード**（設定済みだがヘルスが目標未満）、**アクティブ**、
# **ロイヤル**（ファン、推奨者、コミュニティで活動する顧客）。カオナビではステージごとの更新率が約 5%・40%・75%・90%
# だったため、顧客を上のステージへ引き上げることが鍵になります。

# %%
if not status["mart_stage_monthly"]:
    wh.unavailable(status["mart_stage_monthly"])
else:
    stages = data["mart_stage_monthly"].sort_values("month")
    fig = go.Figure()
    for stage in reversed(STAGES):
        rows = stages[stages["stage"] == stage]
        label = wh.name("stage", stage)
        fig.add_trace(go.Scatter(x=rows["month"], y=rows["customers"], name=label, stackgroup="stages",
                                 mode="lines", line=dict(width=0.5, color=wh.STAGE_COLORS[stage]),
                                 customdata=rows[["mrr"]] / wh.money_unit()[0],
                                 hovertemplate=f"{label} {wh.hover_month()}: %{{y}} " + wh.tr("customers", "社")
                                               + ", MRR " + wh.money_hover("customdata[0]") + "<extra></extra>"))
    wh.style(fig, title=wh.tr("Customers by lifecycle stage", "ライフサイクルステージ別の顧客数"),
             definition=wh.tr("Customers in each stage on the month's snapshot day (stacked; the top edge is all "
                              "customers).", "各月末時点のステージ別顧客数（積み上げ。上端が全顧客）。"),
             x_title=wh.tr("Month", "月"), y_title=wh.tr("Customers (accounts)", "顧客数（社）"), y_format="int",
             height=460)
    fig.update_yaxes(rangemode="tozero")
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Stage-ups
# Kaonavi's KPI: accounts that moved up at least one stage during the month, by the stage they reached.
#
# <!-- ja -->
# ## ステージアップ
# カオナビの KPI: 当月に1段階以上ステージが上がった顧客数（到達したステージ別）。

# %%
if status["mart_stage_monthly"]:
    fig = go.Figure()
    for stage in STAGES[1:]:
        rows = stages[stages["stage"] == stage]
        label = wh.tr(f"up to {wh.name('stage', stage)}", f"{wh.name('stage', stage)}へ")
        fig.add_trace(go.Bar(x=rows["month"], y=rows["stage_up_count"], name=label,
                             marker_color=wh.STAGE_COLORS[stage],
                             hovertemplate=f"{label} {wh.hover_month()}: %{{y}} " + wh.tr("accounts", "社")
                                           + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    wh.style(fig, title=wh.tr("Stage-up count by month", "月別のステージアップ数"),
             definition=wh.tr("Accounts whose stage rank rose from the previous month's snapshot, by the stage reached.",
                              "前月末からステージが上がった顧客数（到達したステージ別）。"),
             x_title=wh.tr("Month", "月"), y_title=wh.tr("Stage-ups (accounts)", "ステージアップ（社）"),
             y_format="int", height=420)
    wh.mark_partial_month(fig)
    fig.show()

# %% [markdown]
# ## Churn rate by stage
# Two ways to ask whether stage predicts churn: the **horizon** basis follows every customer-month for the next
# 12 months; the **renewal** basis asks, at each renewal, whether the account renewed, by its stage the month before.
# The whiskers are Wilson 95% intervals and n is under each bar. r is the point-biserial correlation between stage
# rank and churn (negative: higher stages churn less), χ² tests the stage × outcome table.
#
# <!-- ja -->
# ## ステージ別の解約率
# ステージが解約を予測するかを2つの見方で確かめます。**12か月ホライズン**は各顧客月をその後12か月追い、**更新時**は
# 更新のたびに、前月のステージ別に更新したかどうかを見ます。ひげは Wilson の 95% 区間で、棒の下に n を示します。
# r はステージ順位と解約の点双列相関（負なら上のステージほど解約が少ない）、χ² はステージ × 結果の表の検定です。

# %%
if not status["mart_stage_churn"]:
    wh.unavailable(status["mart_stage_churn"])
else:
    titles = []
    for basis in bases:
        label = wh.name("basis", basis)
        if summary is not None and basis in summary.index:
            row = summary.loc[basis]
            label += (f"<br><sup>n = {int(row['observations']):,}, r = {row['point_biserial_r']:.2f}, "
                      f"χ² = {row['chi_square']:.1f} (df {int(row['degrees_of_freedom'])})</sup>")
        titles.append(label)
    fig = make_subplots(rows=1, cols=len(bases), shared_yaxes=True, horizontal_spacing=0.06, subplot_titles=titles)
    for position, basis in enumerate(bases, start=1):
        rows = stage_sorted(churn[churn["basis"] == basis])
        small = rows["observations"] < MIN_N
        fig.add_trace(go.Bar(
            x=[f"{wh.name('stage', s)}<br>n={int(n):,}" for s, n in zip(rows["stage"], rows["observations"])],
            y=rows["churn_rate"],
            marker_color=["#e0e0e0" if sm else wh.STAGE_COLORS.get(s, "#90a4ae") for s, sm in zip(rows["stage"], small)],
            error_y=dict(type="data", array=rows["churn_rate_ci_high"] - rows["churn_rate"],
                         arrayminus=rows["churn_rate"] - rows["churn_rate_ci_low"], color="#37474f", thickness=1.5),
            text=[f"{r:.0%}" for r in rows["churn_rate"]], textposition="inside", insidetextanchor="start",
            customdata=rows[["observations", "churned", "churn_rate_ci_low", "churn_rate_ci_high",
                             "relative_risk_vs_loyal", "net_revenue_retention"]],
            hovertemplate=wh.tr(
                "%{x}: %{y:.1%} churned (95% CI %{customdata[2]:.1%}–%{customdata[3]:.1%})<br>"
                "%{customdata[1]} of %{customdata[0]} observations; %{customdata[4]:.1f}× the loyal rate; "
                "NRR %{customdata[5]:.0%}<extra></extra>",
                "%{x}: 解約 %{y:.1%}（95%区間 %{customdata[2]:.1%}–%{customdata[3]:.1%}）<br>"
                "%{customdata[0]} 件中 %{customdata[1]} 件。ロイヤルの %{customdata[4]:.1f} 倍。"
                "NRR %{customdata[5]:.0%}<extra></extra>"),
            showlegend=False), row=1, col=position)
        fig.update_xaxes(title_text=wh.tr("Stage (the month before)", "ステージ（前月）"), row=1, col=position)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text=wh.tr("Churn rate (%)", "解約率（%）"), row=1, col=1)
    wh.style(fig, title=wh.tr("Churn rate by lifecycle stage, on both bases", "ライフサイクルステージ別の解約率（2つの基準）"),
             definition=wh.tr(f"Churned observations / observations in the stage, with Wilson 95% intervals; grey bars: "
                              f"fewer than {MIN_N} observations.",
                              f"解約した観測 ÷ ステージの観測数。Wilson の 95%区間付き。灰色の棒: 観測 {MIN_N} 件未満。"),
             height=520)
    fig.update_layout(margin=dict(b=60))
    fig.show()
    table = stage_sorted(churn).sort_values("basis", kind="stable")
    table = pd.DataFrame({
        wh.tr("Basis", "基準"): wh.names("basis", table["basis"]),
        wh.tr("Stage", "ステージ"): wh.names("stage", table["stage"]),
        wh.tr("Observations", "観測数"): table["observations"],
        wh.tr("Churned", "解約"): table["churned"],
        wh.tr("Churn rate", "解約率"): table["churn_rate"],
        wh.tr("95% interval", "95%区間"): [wh.interval(low, high, 1) for low, high in
                                           zip(table["churn_rate_ci_low"], table["churn_rate_ci_high"])],
        wh.tr("Risk vs loyal", "ロイヤル比"): table["relative_risk_vs_loyal"],
        "NRR": table["net_revenue_retention"], "GRR": table["gross_revenue_retention"],
    })
    wh.table(table, {wh.tr("Observations", "観測数"): wh.number, wh.tr("Churned", "解約"): wh.number,
                     wh.tr("Churn rate", "解約率"): wh.pct, "NRR": wh.pct, "GRR": wh.pct,
                     wh.tr("Risk vs loyal", "ロイヤル比"): lambda v: f"{wh.number(v, 2)}×"},
             caption=wh.tr("Churn by stage: relative risk is the stage's churn rate against loyal's",
                           "ステージ別の解約: ロイヤル比はロイヤルの解約率に対する倍率"),
             download="churn_by_stage.csv", muted=table[wh.tr("Observations", "観測数")] < MIN_N)

# %% [markdown]
# ## Where customers move
# Flows between stages from one month's snapshot to the next: green flows move up, orange flows move down, red
# flows churn, grey flows stay.
#
# <!-- ja -->
# ## 顧客の移動
# 前月末から当月末へのステージ間の流れ: 緑は上昇、橙は下降、赤は解約、灰色は据え置きです。

# %%
if not status["mart_stage_transitions"]:
    wh.unavailable(status["mart_stage_transitions"])
else:
    transitions = data["mart_stage_transitions"]
    chosen = (pd.Timestamp(transition_month) if transition_month
              else wh.latest_complete_month(transitions["month"]))
    flows = transitions[(transitions["month"] == chosen) & (transitions["accounts"] > 0)]
    if flows.empty:
        wh.unavailable(wh.Availability(False, wh.tr(f"No stage transitions recorded for {wh.month_label(chosen)}.",
                                                    f"{wh.month_label(chosen)}のステージ遷移はありません。")))
    else:
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
        labels = [f"{wh.name('stage', s)} ({before})" for s in sources] + \
                 [f"{wh.name('stage', s)} ({after})" for s in targets]
        colors = [wh.STAGE_COLORS.get(s, "#90a4ae") for s in sources + targets]
        rank = {stage: position for position, stage in enumerate(STAGES)}

        def link_color(row):
            a, b = rank.get(row["from_stage"]), rank.get(row["to_stage"])
            if row["to_stage"] == "churned":
                return "rgba(198,40,40,0.55)"
            if a is None or b is None or a == b:
                return "rgba(144,164,174,0.30)"
            return "rgba(46,125,50,0.50)" if b > a else "rgba(239,108,0,0.50)"

        accounts_word = wh.tr("accounts", "社")
        fig = go.Figure(go.Sankey(
            arrangement="snap",
            node=dict(label=labels, color=colors, pad=14, thickness=16, line=dict(color="white", width=0.5),
                      x=[0.001] * len(sources) + [0.999] * len(targets),
                      y=positions(sources, "from_stage") + positions(targets, "to_stage"),
                      hovertemplate=f"%{{label}}: %{{value}} {accounts_word}<extra></extra>"),
            link=dict(source=[sources.index(s) for s in flows["from_stage"]],
                      target=[len(sources) + targets.index(t) for t in flows["to_stage"]],
                      value=flows["accounts"], color=[link_color(r) for _, r in flows.iterrows()],
                      hovertemplate=f"%{{source.label}} → %{{target.label}}: %{{value}} {accounts_word}<extra></extra>"),
        ))
        wh.style(fig, title=wh.tr(f"Stage transitions into {wh.month_label(chosen)}", f"{wh.month_label(chosen)}のステージ遷移"),
                 definition=wh.tr("Accounts by their stage on the previous snapshot (left) and on this one (right); "
                                  "width = accounts.", "前月末（左）と当月末（右）のステージ別顧客。幅 = 社数。"),
                 height=540)
        fig.update_layout(margin=dict(l=30, r=30, b=40))
        fig.show()

# %% [markdown]
# ## Condition and upsell (Toreta)
# Inside each stage, accounts are split by health condition: **good** (health ≥ 70), **normal**, **bad** (< 40).
# Toreta's playbook: bad gets work on its health score, normal gets usage advice, good gets an upsell offer. Bars
# from fewer customer-months than the minimum are grey.
#
# <!-- ja -->
# ## コンディションとアップセル（トレタ）
# 各ステージの顧客をヘルスのコンディションで分けます: **良好**（ヘルス 70 以上）、**普通**、**不調**（40 未満）。
# トレタの打ち手: 不調にはヘルススコアの改善、普通には活用支援、良好にはアップセル提案。最小件数に満たない棒は
# 灰色です。

# %%
if not status["mart_condition_upsell"]:
    wh.unavailable(status["mart_condition_upsell"])
else:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=(wh.tr("Upsell within 3 months", "3か月以内のアップセル"),
                                        wh.tr("Churn within 12 months", "12か月以内の解約")))
    for condition in wh.CONDITION_ORDER:
        rows = stage_sorted(conditions[conditions["condition"] == condition])
        label = wh.name("condition", condition)
        colors = ["#e0e0e0" if n < MIN_N else wh.CONDITION_COLORS[condition] for n in rows["observations"]]
        for col, column in ((1, "upsell_rate"), (2, "churn_rate")):
            fig.add_trace(go.Bar(x=wh.names("stage", rows["stage"]), y=rows[column], name=label, legendgroup=condition,
                                 showlegend=col == 1, marker_color=colors,
                                 marker_line=dict(color=wh.CONDITION_COLORS[condition], width=1.5),
                                 customdata=rows[["observations"]],
                                 hovertemplate=f"{label}, %{{x}}: %{{y:.1%}} "
                                               + wh.tr("of %{customdata[0]} customer-months",
                                                       "（%{customdata[0]} 顧客月）") + "<extra></extra>"),
                          row=1, col=col)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text=wh.tr("Customer-months upsold (%)", "アップセルした顧客月（%）"), row=1, col=1)
    fig.update_yaxes(title_text=wh.tr("Customer-months churned (%)", "解約した顧客月（%）"), row=1, col=2)
    fig.update_xaxes(title_text=wh.tr("Stage", "ステージ"))
    wh.style(fig, title=wh.tr("Upsell and churn by stage and health condition", "ステージ・コンディション別のアップセルと解約"),
             definition=wh.tr("Customer-months by stage × condition; share with an expansion in the next 3 months "
                              f"(left) and a churn in the next 12 (right); grey: fewer than {MIN_N} customer-months.",
                              "ステージ × コンディション別の顧客月。その後3か月に拡大した割合（左）と12か月に解約した割合"
                              f"（右）。灰色: {MIN_N} 顧客月未満。"), height=460)
    fig.show()

# %% [markdown]
# ## Utilization matrix (Toreta)
# Two core features as axes, each customer-month placed by its usage level of each (none, or below / above the
# median of the non-zero values). The cells show where upsells happen and where churn starts; n is the number of
# customer-months, and cells below the minimum n are left blank.
#
# <!-- ja -->
# ## 活用度マトリクス（トレタ）
# 2つのコア機能を軸に、各顧客月をそれぞれの利用レベル（利用なし、または非ゼロ値の中央値以下・超）に置きます。
# アップセルが起きる場所と解約が始まる場所が分かります。n は顧客月の数で、最小件数に満たないセルは空白にしています。

# %%
LEVELS = ["none", "low", "high"]
if not status["mart_utilization_matrix"]:
    wh.unavailable(status["mart_utilization_matrix"])
else:
    matrix = data["mart_utilization_matrix"]
    feature_x, feature_y = matrix["feature_x"].iloc[0], matrix["feature_y"].iloc[0]
    name_x, name_y = wh.name("feature", feature_x), wh.name("feature", feature_y)
    level_names = wh.names("usage_level", LEVELS)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=(wh.tr("Upsell rate (%)", "アップセル率（%）"), wh.tr("Churn rate (%)", "解約率（%）")))
    for col, column, scale in ((1, "upsell_rate", "Greens"), (2, "churn_rate", "Reds")):
        grid = matrix.pivot(index="level_y", columns="level_x", values=column).reindex(index=LEVELS, columns=LEVELS)
        counts = matrix.pivot(index="level_y", columns="level_x", values="observations").reindex(
            index=LEVELS, columns=LEVELS).fillna(0)
        shown = grid.where(counts >= MIN_N)
        text = [[(f"n={int(n)}" if pd.isna(v) else f"{v:.0%}<br>n={int(n)}") for v, n in zip(vr, nr)]
                for vr, nr in zip(shown.values, counts.values)]
        fig.add_trace(go.Heatmap(
            z=shown.values, x=level_names, y=level_names, text=text, texttemplate="%{text}", colorscale=scale,
            colorbar=dict(x=0.43 if col == 1 else 1.0, tickformat=".0%", len=0.9), zmin=0,
            hovertemplate=f"{name_x} %{{x}}, {name_y} %{{y}}: %{{z:.1%}}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(title_text=wh.tr(f"{name_x}: usage level", f"{name_x}の利用レベル"), row=1, col=col)
        fig.update_yaxes(title_text=wh.tr(f"{name_y}: usage level", f"{name_y}の利用レベル"), row=1, col=col)
    wh.style(fig, title=wh.tr(f"Utilization matrix: {name_x} × {name_y}", f"活用度マトリクス: {name_x} × {name_y}"),
             definition=wh.tr("Customer-months by usage level of the two features; share with an upsell (left) and a "
                              f"churn (right); n = customer-months; blank: n < {MIN_N}.",
                              "2機能の利用レベル別の顧客月。アップセルした割合（左）と解約した割合（右）。n = 顧客月。"
                              f"空白: n < {MIN_N}。"), height=480)
    fig.update_layout(margin=dict(b=60), plot_bgcolor="#eceff1")
    fig.show()

# %% [markdown]
# ## Does the health score predict churn? (backtest)
# At each month-end, every customer's health score is set against what happened in the next
# months (churn, contraction, the next renewal); only windows complete by the as-of date count.
# **AUC** is the chance that an account which churned had the lower score of a pair
# (0.5 = a coin toss, 1 = perfect), with its 95% interval (DeLong).
#
# <!-- ja -->
# ## ヘルススコアは解約を予測するか（バックテスト）
# 各月末の全顧客のヘルススコアを、その後の数か月に起きたこと（解約、縮小、次の更新）と突き合わせます。基準日までに
# 観察期間が終わったものだけを数えます。**AUC** は、解約した顧客と継続した顧客の組で、解約した側のスコアが低い確率です
# （0.5 = 偶然、1 = 完全）。95% 区間（DeLong）を添えます。

# %%
backtest_status = {name: wh.availability(name, what=what) for name, what in [
    ("mart_health_backtest_auc", wh.tr("the health backtest", "ヘルスのバックテスト")),
    ("mart_health_backtest_bands", wh.tr("churn by health decile", "ヘルス十分位別の解約率")),
    ("mart_health_backtest_calibration", wh.tr("the calibration of the health bands", "ヘルスの帯のキャリブレーション")),
    ("mart_health_weights", wh.tr("the fixed and fitted weights", "固定と推定の重み")),
]}
backtest = {name: (wh.mart(name) if ok else pd.DataFrame()) for name, ok in backtest_status.items()}
PREDICTOR_LABELS = {
    "health_score": wh.tr("Health score (composite)", "ヘルススコア（合成）"),
    "license_utilization": wh.tr("Utilization (baseline)", "ライセンス利用率（ベースライン）"),
    "stickiness": wh.tr("Stickiness", "定着度"), "breadth": wh.tr("Breadth", "機能の幅"),
    "trend": wh.tr("Trend", "トレンド"), "tenure_months": wh.tr("Tenure (baseline)", "契約月数（ベースライン）"),
}
auc = backtest["mart_health_backtest_auc"]
churn_auc = auc[auc["outcome"] == "logo_churn"] if len(auc) else auc
overall_auc = churn_auc[churn_auc["grouping"] == "overall"].set_index("predictor") if len(churn_auc) else None
horizon_months = (int(wh.query("select max(horizon_months) as h from mart_health_backtest")["h"].iloc[0])
                  if wh.relation_exists("mart_health_backtest") else None)


def auc_text(row) -> str:
    return f"{row['auc']:.2f} ({wh.tr('95% CI', '95% 区間')} {row['auc_ci_low']:.2f}–{row['auc_ci_high']:.2f})"


def backtest_verdict() -> str:
    if overall_auc is None or "health_score" not in overall_auc.index or pd.isna(overall_auc.loc["health_score", "auc_ci_low"]):
        return wh.tr("There are too few complete outcome windows to judge whether the health score predicts churn.",
                     "観察期間が終わった例が少なすぎて、ヘルススコアが解約を予測するかは判断できません。")
    score = overall_auc.loc["health_score"]
    n = wh.tr(f"{int(score['observations']):,} customer-months, {int(score['positives']):,} of which churned "
              f"within {horizon_months} months (an interval that counts each customer-month as independent, so "
              "somewhat too narrow)",
              f"{int(score['observations']):,} 顧客月、うち {int(score['positives']):,} 件が {horizon_months} か月以内に"
              "解約（各顧客月を独立とみなした区間なので、やや狭すぎます）")
    if score["auc_ci_low"] > 0.5:
        head = wh.tr(f"The health score ranks churners below stayers better than chance: AUC {auc_text(score)} over {n}",
                     f"ヘルススコアは偶然より良く解約顧客を継続顧客の下に並べます: AUC {auc_text(score)}、{n}")
    elif score["auc_ci_high"] < 0.5:
        head = wh.tr(f"The health score ranks churners *above* stayers: AUC {auc_text(score)} over {n}",
                     f"ヘルススコアは解約顧客を継続顧客の*上*に並べています: AUC {auc_text(score)}、{n}")
    else:
        head = wh.tr(f"The health score does not rank churners apart from stayers beyond chance: AUC {auc_text(score)} "
                     f"over {n}",
                     f"ヘルススコアは偶然以上には解約顧客と継続顧客を分けていません: AUC {auc_text(score)}、{n}")
    baselines = overall_auc[overall_auc["is_baseline"] & overall_auc["auc"].notna()]
    if len(baselines):
        best = baselines["auc"].idxmax()
        other = baselines.loc[best]
        label = PREDICTOR_LABELS[best]
        if score["auc_ci_low"] > other["auc_ci_high"]:
            tail = wh.tr(f"; it beats the best baseline, {label.lower()} ({auc_text(other)}).",
                         f"。最良のベースライン「{label}」（{auc_text(other)}）を上回ります。")
        elif score["auc_ci_high"] < other["auc_ci_low"]:
            tail = wh.tr(f"; the baseline {label.lower()} alone does better ({auc_text(other)}).",
                         f"。ベースライン「{label}」単独の方が良い結果です（{auc_text(other)}）。")
        else:
            tail = wh.tr(f"; its interval overlaps that of {label.lower()} alone ({auc_text(other)}), "
                         "so these data do not show that the composite earns its keep over that baseline.",
                         f"。区間が「{label}」単独（{auc_text(other)}）と重なるため、このデータでは合成スコアが"
                         "そのベースラインより優れているとは言えません。")
        return head + tail
    return head + wh.tr(".", "。")


if not backtest_status["mart_health_backtest_auc"]:
    wh.unavailable(backtest_status["mart_health_backtest_auc"])
else:
    wh.say(f"**{wh.tr('Verdict', '結論')}.** {backtest_verdict()}")

# %% [markdown]
# ### AUC over time
# One point per month-end: how well that month's health scores ranked the accounts that churned within the
# following months. The band is the 95% interval; months with few churns have wide bands.
#
# <!-- ja -->
# ### AUC の推移
# 月末ごとに1点: その月のヘルススコアが、その後の数か月に解約した顧客をどれだけ正しく並べたか。帯は 95% 区間で、
# 解約の少ない月は帯が広くなります。

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
                             hoverinfo="skip", name=wh.tr("95% interval", "95% 区間")))
    fig.add_trace(go.Scatter(x=months_x, y=monthly["auc"], mode="lines+markers",
                             name=wh.tr("AUC of the health score", "ヘルススコアの AUC"),
                             line=dict(color="#1565c0"),
                             customdata=monthly[["auc_ci_low", "auc_ci_high", "observations", "positives"]],
                             hovertemplate="%{x|%Y-%m}: AUC %{y:.2f} (" + wh.tr("95% CI", "95% 区間")
                                           + " %{customdata[0]:.2f}–%{customdata[1]:.2f}), "
                                           + wh.tr("%{customdata[3]} of %{customdata[2]} churned",
                                                   "%{customdata[2]} 件中 %{customdata[3]} 件解約")
                                           + "<extra></extra>"))
    fig.add_hline(y=0.5, line_dash="dot", line_color="#78909c", annotation_text=wh.tr("chance (0.5)", "偶然 (0.5)"),
                  annotation_position="bottom right")
    fig.update_yaxes(range=[0, 1])
    wh.style(fig, title=wh.tr("How well the health score predicted churn, month by month",
                              "ヘルススコアの解約予測力（月別）"),
             definition=wh.tr("ROC AUC of the month-end health score for a churn within the horizon; band: DeLong 95% "
                              "interval.", "月末ヘルススコアの、期間内の解約に対する ROC AUC。帯: DeLong の 95% 区間。"),
             x_title=wh.tr("Month of the score", "スコアの月"), y_title=wh.tr("AUC (0.5 = chance)", "AUC（0.5 = 偶然）"),
             height=420)
    fig.show()

# %% [markdown]
# ### Components ranked by their own AUC
# Each component alone, the composite score, and the two baselines (tenure alone, utilization alone), over
# every observed month. A composite that earns its keep sits above its parts and the baselines.
# Pooled over months, an account counts once per month it was observed; those observations are not
# independent, so the pooled intervals are somewhat narrower than the truth (the monthly ones above are not).
#
# <!-- ja -->
# ### 単独の AUC で並べた構成要素
# 各構成要素単独、合成スコア、2つのベースライン（契約月数のみ、利用率のみ）を、観察した全月で比べます。合成スコアに
# 意味があるなら、構成要素とベースラインより上に来ます。月をまたいで集計すると同じ顧客が観察月ごとに数えられ、独立
# ではないため、集計した区間は実際よりやや狭くなります（上の月別の区間はそうではありません）。

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
    wh.style(fig, title=wh.tr("Which signal predicts churn best", "どの指標が解約を最もよく予測するか"),
             definition=wh.tr("ROC AUC for a churn within the horizon, all observed months; bars: 95% interval. "
                              "Dark: the health score; grey: baselines.",
                              "期間内の解約に対する ROC AUC（観察した全月）。ひげ: 95% 区間。濃色: ヘルススコア、"
                              "灰色: ベースライン。"),
             x_title=wh.tr("AUC (0.5 = chance)", "AUC（0.5 = 偶然）"), y_title=wh.tr("Predictor", "予測指標"), height=380)
    fig.show()

# %% [markdown]
# ### Churn by health decile (lift)
# Customer-months cut into ten equal groups by health score (1 = least healthy). A score that predicts
# puts the churn in the low deciles: lift is the decile's churn rate over the average.
#
# <!-- ja -->
# ### ヘルス十分位別の解約（リフト）
# 顧客月をヘルススコアで10等分します（1 = 最も不健全）。予測力のあるスコアなら解約は下位の十分位に集まります。
# リフトはその十分位の解約率 ÷ 全体の平均です。

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
        hovertemplate=wh.tr("Decile %{x} (health %{customdata[0]:.0f}–%{customdata[1]:.0f}): %{y:.1%} churned "
                            "(%{customdata[2]} of %{customdata[3]})",
                            "第 %{x} 十分位（ヘルス %{customdata[0]:.0f}–%{customdata[1]:.0f}）: 解約 %{y:.1%}"
                            "（%{customdata[3]} 件中 %{customdata[2]} 件）") + "<extra></extra>"))
    overall_rate = deciles["overall_churn_rate"].iloc[0] if len(deciles) else None
    if overall_rate is not None:
        fig.add_hline(y=overall_rate, line_dash="dot", line_color="#546e7a",
                      annotation_text=wh.tr(f"average {wh.pct(overall_rate)}", f"平均 {wh.pct(overall_rate)}"), annotation_position="top right")
    fig.update_xaxes(dtick=1)
    wh.style(fig, title=wh.tr("Churn by health decile", "ヘルス十分位別の解約率"),
             definition=wh.tr("Share of customer-months that churned within the horizon, by decile of the month-end "
                              "health score; bars: Wilson 95% interval; labels: lift over the average.",
                              "期間内に解約した顧客月の割合（月末ヘルススコアの十分位別）。ひげ: Wilson の 95% 区間、"
                              "ラベル: 平均に対するリフト。"),
             x_title=wh.tr("Health decile (1 = least healthy)", "ヘルス十分位（1 = 最も不健全）"),
             y_title=wh.tr("Churned within the horizon (%)", "期間内の解約（%）"),
             y_format="pct", height=420)
    fig.show()

# %% [markdown]
# ### Calibration: do the bands keep their churn rates?
# Each band of 10 health points: the churn rate it had in the training months (expected) against the rate it
# had later, in the holdout months (observed, with its 95% interval). On the diagonal, the band's past rate
# was a fair forecast.
#
# <!-- ja -->
# ### キャリブレーション: 帯ごとの解約率は保たれるか
# ヘルス10ポイントごとの帯について、学習期間の解約率（期待値）と、その後のホールドアウト期間の解約率（観測値、95%
# 区間付き）を比べます。対角線上なら、その帯の過去の率は妥当な予測でした。

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
                             name=wh.tr("observed = expected", "観測 = 期待"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=shown["expected_churn_rate"], y=shown["observed_churn_rate"], mode="markers+text",
        text=[f"{lo:.0f}–{hi:.0f}" for lo, hi in zip(shown["min_health"], shown["max_health"])],
        textposition="middle right", marker=dict(size=10, color="#1565c0"), name=wh.tr("health band", "ヘルスの帯"),
        error_y=dict(type="data", symmetric=False,
                     array=shown["observed_churn_rate_ci_high"] - shown["observed_churn_rate"],
                     arrayminus=shown["observed_churn_rate"] - shown["observed_churn_rate_ci_low"]),
        customdata=shown[["training_observations", "holdout_observations"]],
        hovertemplate=wh.tr("health %{text}: expected %{x:.1%} (%{customdata[0]} training), observed %{y:.1%} "
                            "(%{customdata[1]} holdout)",
                            "ヘルス %{text}: 期待 %{x:.1%}（学習 %{customdata[0]} 件）、観測 %{y:.1%}"
                            "（ホールドアウト %{customdata[1]} 件）") + "<extra></extra>"))
    fig.update_xaxes(range=[0, top], tickformat=".0%")
    fig.update_yaxes(range=[0, top], tickformat=".0%")
    wh.style(fig, title=wh.tr("Calibration of the health bands", "ヘルスの帯のキャリブレーション"),
             definition=wh.tr("Churn within the horizon by band of 10 health points: training months (x) against holdout "
                              "months (y); bars: Wilson 95% interval.",
                              "ヘルス10ポイントの帯ごとの期間内解約率: 学習期間（横軸）とホールドアウト期間（縦軸）。"
                              "ひげ: Wilson の 95% 区間。"),
             x_title=wh.tr("Expected: churn rate in the training months", "期待: 学習期間の解約率"),
             y_title=wh.tr("Observed: churn rate in the holdout months", "観測: ホールドアウト期間の解約率"),
             height=460)
    fig.show()

# %% [markdown]
# ### Fixed or fitted weights?
# The documented weights against weights fitted to churn on the training months, both scored on the holdout
# months the fit never saw. `health_weights: fitted` switches the warehouse to the fitted ones.
#
# <!-- ja -->
# ### 固定の重みか、推定した重みか
# 文書化された重みと、学習期間の解約に合わせて推定した重みを、推定に使っていないホールドアウト期間で比べます。
# `health_weights: fitted` でウェアハウスは推定した重みに切り替わります。

# %%
if not backtest_status["mart_health_weights"]:
    wh.unavailable(backtest_status["mart_health_weights"])
else:
    weights = backtest["mart_health_weights"].set_index("weighting")
    weight_table = pd.DataFrame({
        weighting: {
            wh.tr("Utilization", "ライセンス利用率"): wh.number(row["weight_utilization"], 2),
            wh.tr("Stickiness", "定着度"): wh.number(row["weight_stickiness"], 2),
            wh.tr("Breadth", "機能の幅"): wh.number(row["weight_breadth"], 2),
            wh.tr("Trend", "トレンド"): wh.number(row["weight_trend"], 2),
            wh.tr("Holdout AUC (95% CI)", "ホールドアウト AUC（95% 区間）"): (
                "–" if pd.isna(row["holdout_auc"]) else
                f"{row['holdout_auc']:.2f} ({row['holdout_auc_ci_low']:.2f}–{row['holdout_auc_ci_high']:.2f})"),
            wh.tr("Used by the health score", "ヘルススコアで使用"): wh.tr("yes", "はい") if row["is_active"]
            else wh.tr("no", "いいえ"),
        } for weighting, row in weights.iterrows()})
    weight_table.columns = [wh.tr(name, {"fixed": "固定", "fitted": "推定"}.get(name, name))
                            for name in weight_table.columns]
    wh.table(weight_table.rename_axis("").reset_index(),
             caption=wh.tr("Weights of the health score and their AUC on the holdout months",
                           "ヘルススコアの重みと、ホールドアウト期間での AUC"))
    fixed, fitted = weights.loc["fixed"], weights.loc["fitted"]
    if fitted["fit_status"] != "fitted":
        wh.say(wh.tr(f"The weights could not be fitted ({fitted['fit_status']}).",
                     f"重みを推定できませんでした（{fitted['fit_status']}）。"))
    elif pd.notna(fixed["holdout_auc_ci_low"]) and pd.notna(fitted["holdout_auc_ci_low"]):
        overlap = not (fitted["holdout_auc_ci_low"] > fixed["holdout_auc_ci_high"]
                       or fixed["holdout_auc_ci_low"] > fitted["holdout_auc_ci_high"])
        wh.say(wh.tr(f"On {int(fixed['holdout_observations']):,} holdout customer-months the fitted weights score "
                     f"{fitted['holdout_auc']:.2f} against {fixed['holdout_auc']:.2f} for the fixed ones; "
                     + ("the intervals overlap, so the data do not show that either weighting predicts better."
                        if overlap else "the intervals do not overlap."),
                     f"ホールドアウトの {int(fixed['holdout_observations']):,} 顧客月で、推定した重みの AUC は "
                     f"{fitted['holdout_auc']:.2f}、固定の重みは {fixed['holdout_auc']:.2f} です。"
                     + ("区間が重なるため、どちらの重みが良く予測するかはこのデータでは言えません。"
                        if overlap else "区間は重なりません。")))
