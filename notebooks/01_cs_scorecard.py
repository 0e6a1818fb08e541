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
# # CS scorecard
#
# **Question:** In the latest complete month, is the bucket leaking, are we within the 10% rule, and which Gainsight maturity level have we reached?
#
# **Reads:** `mart_cs_scorecard` (headline figures), `mart_revenue_monthly` (monthly history for the 10% rule and maturity, and the denominators of the rates), seed `maturity_levels` (the level thresholds), `mart_nps_monthly` (only to say why NPS is missing, when it is), seed `display_names` (names of codes).
#
# <!-- ja -->
# # CSスコアカード
#
# **問い:** 直近の締まった月に、売上の「バケツ」は漏れているか、10%ルールを満たしているか、Gainsight の成熟度はどのレベルか?

# %% tags=["parameters"]
# The month to report (first day, 'YYYY-MM-01'); None = the latest complete month.
month = None

# %%
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_warehouse import warehouse as wh

scorecard_status = wh.availability("mart_cs_scorecard", what=wh.tr("the scorecard", "スコアカード"))
revenue_status = wh.availability("mart_revenue_monthly", what=wh.tr("the 10% rule and maturity history",
                                                                      "10%ルールと成熟度の推移"))
scorecard = wh.mart("mart_cs_scorecard", order_by="month") if scorecard_status else pd.DataFrame()
revenue = wh.mart("mart_revenue_monthly", order_by="month") if revenue_status else pd.DataFrame()
levels = wh.seed("maturity_levels").sort_values("level_rank") if wh.relation_exists("maturity_levels") else pd.DataFrame()

months_available = scorecard["month"] if scorecard_status else revenue.get("month")
report_month = pd.Timestamp(month) if month else wh.latest_complete_month(months_available)
previous_month = wh.shift_months(report_month, -1)
year_ago = wh.shift_months(report_month, -12)


def row_for(frame, when):
    """The mart's row for a month, or None when the mart has no such month."""
    rows = frame[frame["month"] == when] if len(frame) else frame
    return None if rows.empty else rows.iloc[0]


current, previous, last_year = (row_for(scorecard, m) for m in (report_month, previous_month, year_ago))
rev_current, rev_previous, rev_last_year = (row_for(revenue, m) for m in (report_month, previous_month, year_ago))
wh.say(wh.tr(f"Reporting month: **{wh.month_label(report_month)}** (the latest complete month; "
             f"data as of {wh.date_label(wh.as_of_date())}). The month to date is on the index page.",
             f"対象月: **{wh.month_label(report_month)}**（直近の締まった月。データ基準日 "
             f"{wh.date_label(wh.as_of_date())}）。今月途中の数字は目次ページにあります。"))

# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
if current is not None:
    notes = []
    level = current.get("maturity_level")
    nrr = current.get("nrr_12m")
    grr = current.get("grr_12m")
    if pd.notna(nrr):
        verdict = (wh.tr("**the bucket leaks**: expansion does not make up for what churn and contraction take away",
                         "**バケツは漏れています**。拡大が解約と縮小による減少を補えていません")
                   if nrr < 1 else wh.tr("expansion more than makes up for churn and contraction",
                                         "拡大が解約と縮小による減少を上回っています"))
        notes.append(wh.tr(f"Trailing-12-month NRR is **{wh.pct(nrr)}** (GRR {wh.pct(grr)}): {verdict}.",
                           f"直近12か月の NRR は **{wh.pct(nrr)}**（GRR {wh.pct(grr)}）。{verdict}。"))
    if pd.notna(level) and not levels.empty:
        ranks = levels.set_index("maturity_level")["level_rank"]
        higher = levels[levels["level_rank"] > ranks.get(level, 99)]
        nxt = higher.iloc[0] if len(higher) else None
        step = ""
        if nxt is not None:
            churn_condition = pd.notna(nxt["max_mean_logo_churn_12m"])
            step = wh.tr(
                f" The next level, {wh.name('maturity_level', nxt['maturity_level'])}, needs NRR ≥ "
                f"{wh.pct(nxt['min_nrr_12m'], 0)}"
                + (f" and mean monthly logo churn ≤ {wh.pct(nxt['max_mean_logo_churn_12m'])}" if churn_condition else "")
                + ".",
                f"次のレベル「{wh.name('maturity_level', nxt['maturity_level'])}」には NRR {wh.pct(nxt['min_nrr_12m'], 0)} 以上"
                + (f"、月次ロゴチャーンの12か月平均 {wh.pct(nxt['max_mean_logo_churn_12m'])} 以下" if churn_condition else "")
                + " が必要です。")
        notes.append(wh.tr(f"Maturity level: **{wh.name('maturity_level', level)}**.{step}",
                           f"成熟度: **{wh.name('maturity_level', level)}**。{step}"))
    annual = current.get("annualized_logo_churn")
    if pd.notna(annual):
        met = bool(current.get("meets_10pct_rule"))
        notes.append(wh.tr(f"Annualised logo churn is **{wh.pct(annual)}**, {'within' if met else '**outside**'} "
                           "the 10% rule.",
                           f"年換算ロゴチャーンは **{wh.pct(annual)}** で、10%ルールを"
                           f"{'満たしています' if met else '**満たしていません**'}。"))
    renewal = current.get("renewal_churn_rate")
    if pd.notna(renewal) and rev_current is not None:
        due, lost = rev_current["renewals_due"], rev_current["renewals_churned"]
        small = due < wh.min_n()
        notes.append(wh.tr(
            f"Of the {int(due)} renewals due in {wh.month_label(report_month)}, **{int(lost)}** did not renew "
            f"({wh.pct(renewal)})" + (f"; with fewer than {wh.min_n()} renewals due, the rate swings with a single "
                                      "account: read the count, not the rate" if small else
                                      " (the rate new sales cannot dilute; see *Revenue and retention*)") + ".",
            f"{wh.month_label(report_month)}に更新期限を迎えた {int(due)} 件のうち **{int(lost)} 件** が更新されませんでした"
            f"（{wh.pct(renewal)}）" + (f"。更新対象が {wh.min_n()} 件未満のため、率は1社で大きく振れます。件数で読んでください"
                                      if small else "。新規販売で薄まらない率です（「売上と継続率」参照）") + "。"))
    wh.say("\n".join(f"- {note}" for note in notes) if notes else
           wh.tr("No headline figures for this month.", "この月の主要指標はありません。"))

# %% [markdown]
# ## Headline figures
# Each card shows the month's value; the small figure under it is the change against the previous month
# (green where the change is good for the business, red where it is bad; rates change in percentage points), and the
# grey line the same figure a year earlier.
#
# <!-- ja -->
# ## 主要指標
# 各カードは対象月の値です。下の小さな数字は前月からの変化（事業にとって良い変化は緑、悪い変化は赤。率の変化は
# パーセントポイント）、灰色の行は1年前の同じ指標です。

# %%
money_divisor, money_unit = wh.money_unit()
CARDS = [
    # column, label, kind, "up is good"
    ("customers", wh.tr("Customers", "顧客数"), "count", True),
    ("arr", wh.tr(f"ARR ({money_unit})", f"ARR（{money_unit}）"), "money", True),
    ("nrr_12m", wh.tr("NRR, trailing 12 months", "NRR（直近12か月）"), "rate", True),
    ("grr_12m", wh.tr("GRR, trailing 12 months", "GRR（直近12か月）"), "rate", True),
    ("logo_churn_rate", wh.tr("Logo churn, monthly", "ロゴチャーン（月次）"), "rate2", False),
    ("renewal_churn_rate", wh.tr("Renewal churn, monthly", "更新時の解約率（月次）"), "rate", False),
    ("nps", wh.tr("NPS (points, −100 to +100)", "NPS（ポイント、−100〜+100）"), "nps", True),
    ("upsell_count", wh.tr("Upsells (accounts)", "アップセル（社数）"), "count", True),
]
# the denominator shown with each rate: (numerator, denominator, noun) from mart_revenue_monthly / the scorecard
DENOMINATORS = {
    "logo_churn_rate": ("churned_customers", "customers_start", wh.tr("customers at the start", "月初顧客")),
    "renewal_churn_rate": ("renewals_churned", "renewals_due", wh.tr("renewals due", "更新対象")),
}


def card_value(column, kind, row):
    value = row[column]
    if kind == "money":
        return float(value) / money_divisor
    if kind.startswith("rate"):
        return float(value) * 100
    return float(value)


def card_text(column, kind, row) -> str:
    """The figure as printed in the table below."""
    if row is None or pd.isna(row.get(column)):
        return wh.tr("n/a", "—")
    value = row[column]
    if kind == "money":
        return wh.money(value)
    if kind == "rate2":
        return wh.pct(value, 2)
    if kind == "rate":
        return wh.pct(value)
    if kind == "nps":
        return wh.points(value)
    return wh.number(value)


def n_text(column, revenue_row, card_row) -> str:
    if column == "nps" and card_row is not None and "nps_responses" in card_row.index:
        return wh.tr(f"n = {wh.number(card_row['nps_responses'])} responses", f"回答 {wh.number(card_row['nps_responses'])} 件")
    if column in DENOMINATORS and revenue_row is not None:
        numerator, denominator, noun = DENOMINATORS[column]
        return wh.tr(f"{wh.number(revenue_row[numerator])} of {wh.number(revenue_row[denominator])} {noun}",
                     f"{noun} {wh.number(revenue_row[denominator])} 件中 {wh.number(revenue_row[numerator])} 件")
    return ""


if current is None:
    wh.unavailable(scorecard_status if not scorecard_status else
                   wh.Availability(False, wh.tr(f"`mart_cs_scorecard` has no row for {wh.month_label(report_month)}.",
                                                f"`mart_cs_scorecard` に {wh.month_label(report_month)} の行がありません。")))
else:
    cards = [card for card in CARDS if card[0] in current.index and pd.notna(current[card[0]])]
    columns = 4
    rows = -(-len(cards) // columns)
    fig = go.Figure()
    for position, (column, label, kind, up_is_good) in enumerate(cards):
        good, bad = wh.COLORS["good"], wh.COLORS["bad"]
        reference = (card_value(column, kind, previous)
                     if previous is not None and pd.notna(previous.get(column)) else None)
        fmt = {"money": ",.2f" if money_unit == "¥M" else ",.0f", "rate": ".1f", "rate2": ".2f",
               "nps": "+.0f", "count": ",d"}[kind]
        suffix = {"money": "M" if money_unit == "¥M" else "万円", "rate": "%", "rate2": "%"}.get(kind, "")
        delta_suffix = wh.tr(" pt", "pt") if kind.startswith("rate") else suffix
        extra = n_text(column, rev_current, current)
        fig.add_trace(go.Indicator(
            mode="number+delta" if reference is not None else "number",
            value=card_value(column, kind, current),
            number=dict(valueformat=fmt, prefix="¥" if kind == "money" and money_unit == "¥M" else "",
                        suffix=suffix, font=dict(size=32)),
            delta=dict(reference=reference, valueformat=fmt.replace("+", ""), suffix=delta_suffix,
                       increasing=dict(color=good if up_is_good else bad),
                       decreasing=dict(color=bad if up_is_good else good)),
            title=dict(text=f"{label}<br><span style='font-size:11px;color:#78909c'>"
                            + (f"{extra} · " if extra else "")
                            + f"{wh.month_label(year_ago)}: {card_text(column, kind, last_year)}</span>",
                       font=dict(size=14)),
            domain=dict(row=position // columns, column=position % columns),
        ))
    fig.update_layout(grid=dict(rows=rows, columns=columns, pattern="independent"), height=160 * rows + 90,
                      margin=dict(b=20))
    wh.style(fig, title=wh.tr(f"Headline figures, {wh.month_label(report_month)}",
                              f"主要指標（{wh.month_label(report_month)}）"),
             definition=wh.tr("Values on the month's snapshot day; the delta under each is the change vs "
                              f"{wh.month_label(previous_month)} (rates in percentage points, pt); grey: the "
                              "denominator and the value a year earlier.",
                              f"月末時点の値。下の差分は{wh.month_label(previous_month)}との比較（率はパーセントポイント）。"
                              "灰色: 分母と1年前の値。"))
    fig.show()
    if "nps" not in [card[0] for card in cards]:
        nps_status = wh.availability("mart_nps_monthly", what=wh.tr("NPS", "NPS"), source="surveys",
                                     rows_where="responses > 0")
        wh.unavailable(nps_status if not nps_status else
                       wh.Availability(False, wh.tr("NPS has no responses in this month, so its card is left out.",
                                                    "この月は NPS の回答がないため、カードを省いています。")))

# %% [markdown]
# ### Against the previous month and the previous year
#
# <!-- ja -->
# ### 前月・前年との比較

# %%
yes_no = lambda v: wh.tr("n/a", "—") if pd.isna(v) else (wh.tr("yes", "はい") if v else wh.tr("no", "いいえ"))  # noqa: E731
ROWS = [
    ("customers", wh.tr("Customers", "顧客数"), lambda r: card_text("customers", "count", r)),
    ("arr", "ARR", lambda r: card_text("arr", "money", r)),
    ("nrr_12m", wh.tr("NRR, trailing 12 months", "NRR（直近12か月）"), lambda r: card_text("nrr_12m", "rate", r)),
    ("grr_12m", wh.tr("GRR, trailing 12 months", "GRR（直近12か月）"), lambda r: card_text("grr_12m", "rate", r)),
    ("logo_churn_rate", wh.tr("Logo churn rate, monthly", "ロゴチャーン（月次）"),
     lambda r: card_text("logo_churn_rate", "rate2", r)),
    ("renewal_churn_rate", wh.tr("Renewal churn rate, monthly", "更新時の解約率（月次）"),
     lambda r: card_text("renewal_churn_rate", "rate", r)),
    ("annualized_logo_churn", wh.tr("Annualised logo churn", "年換算ロゴチャーン"),
     lambda r: card_text("annualized_logo_churn", "rate", r)),
    ("meets_10pct_rule", wh.tr("Meets the 10% rule", "10%ルールを満たす"),
     lambda r: yes_no(r.get("meets_10pct_rule")) if r is not None else "—"),
    ("maturity_level", wh.tr("Maturity level", "成熟度"),
     lambda r: wh.name("maturity_level", r.get("maturity_level")) if r is not None else "—"),
    ("nps", wh.tr("NPS (points)", "NPS（ポイント）"), lambda r: card_text("nps", "nps", r)),
    ("upsell_count", wh.tr("Upsells (accounts)", "アップセル（社数）"), lambda r: card_text("upsell_count", "count", r)),
    ("stage_up_count", wh.tr("Stage-ups (accounts)", "ステージアップ（社数）"),
     lambda r: card_text("stage_up_count", "count", r)),
    ("toss_up_count", wh.tr("Toss-ups to sales (leads)", "営業へのトスアップ（件）"),
     lambda r: card_text("toss_up_count", "count", r)),
]
if current is not None:
    comparison = pd.DataFrame({
        wh.tr("Figure", "指標"): [label for _, label, _ in ROWS],
        wh.month_label(report_month): [show(current) for _, _, show in ROWS],
        wh.month_label(previous_month): [show(previous) if previous is not None else "—" for _, _, show in ROWS],
        wh.month_label(year_ago): [show(last_year) if last_year is not None else "—" for _, _, show in ROWS],
    })
    wh.table(comparison, caption=wh.tr("Headline figures: this month, the previous month and the same month a year ago",
                                       "主要指標: 対象月・前月・前年同月"))

# %% [markdown]
# ## The 10% rule
# Sansan's rule: annual logo churn at or below 10% (about 0.8% a month). Monthly churn rates are noisy, so the
# rule is read on annualised logo churn.
#
# <!-- ja -->
# ## 10%ルール
# Sansan のルール: 年間ロゴチャーン 10% 以下（月あたり約 0.8%）。月次の解約率はぶれが大きいため、年換算の
# ロゴチャーンで判定します。

# %%
if not revenue_status:
    wh.unavailable(revenue_status)
else:
    history = revenue[revenue["month"] <= report_month]
    annual = history.dropna(subset=["annualized_logo_churn"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4])
    marker_colors = [wh.COLORS["good"] if met else wh.COLORS["bad"] for met in annual["meets_10pct_rule"].fillna(False)]
    fig.add_trace(go.Scatter(x=annual["month"], y=annual["annualized_logo_churn"], mode="lines+markers",
                             name=wh.tr("Annualised logo churn", "年換算ロゴチャーン"),
                             line=dict(color=wh.COLORS["neutral"]), marker=dict(color=marker_colors, size=8),
                             hovertemplate=f"{wh.hover_month()}: %{{y:.1%}}<extra></extra>"), row=1, col=1)
    fig.add_hline(y=0.10, line=dict(color=wh.COLORS["threshold"], dash="dash"), row=1, col=1,
                  annotation_text=wh.tr("10% rule", "10%ルール"), annotation_position="top left")
    fig.add_trace(go.Bar(x=history["month"], y=history["logo_churn_rate"],
                         name=wh.tr("Logo churn, monthly", "ロゴチャーン（月次）"), marker_color=wh.COLORS["accent"],
                         customdata=history[["churned_customers", "customers_start"]],
                         hovertemplate=f"{wh.hover_month()}: %{{y:.2%}} "
                                       + wh.tr("(%{customdata[0]} of %{customdata[1]})",
                                               "（%{customdata[1]}社中%{customdata[0]}社）") + "<extra></extra>"),
                  row=2, col=1)
    fig.add_hline(y=0.008, line=dict(color=wh.COLORS["threshold"], dash="dot"), row=2, col=1,
                  annotation_text=wh.tr("Sansan's guide: about 0.8% a month", "Sansan の目安: 月あたり約 0.8%"),
                  annotation_position="top left")
    fig.update_yaxes(title_text=wh.tr("Annualised churn (%)", "年換算の解約率（%）"), tickformat=".0%",
                     rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=wh.tr("Monthly churn (%)", "月次の解約率（%）"), tickformat=".1%",
                     rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text=wh.tr("Month", "月"), row=2, col=1)
    wh.style(fig, title=wh.tr("Logo churn against the 10% rule", "ロゴチャーンと10%ルール"),
             definition=wh.tr("Annualised logo churn = 1 − Π over 12 months of (1 − monthly logo churn); "
                              "green points meet the rule (≤ 10%), red ones do not.",
                              "年換算ロゴチャーン = 1 − 12か月分の (1 − 月次ロゴチャーン) の積。緑の点はルールを満たす月"
                              "（10% 以下）、赤は満たさない月。"), height=560)
    fig.show()

# %% [markdown]
# ## Maturity level
# Gainsight's levels, with the thresholds of the `maturity_levels` seed drawn as bands. *Reactive* keeps about 80%
# of revenue and "the bucket still leaks"; *Insights and actions* needs net retention of at least 100%.
#
# <!-- ja -->
# ## 成熟度
# Gainsight の成熟度レベル。帯は各レベルのしきい値です。「リアクティブ」は売上の約80%を維持する段階で「バケツは
# まだ漏れている」状態、「インサイトとアクション」には NRR 100% 以上が必要です。

# %%
if not revenue_status or levels.empty:
    wh.unavailable(revenue_status if not revenue_status else
                   wh.Availability(False, wh.tr("The maturity levels are not in this warehouse, so the thresholds "
                                                "cannot be drawn.",
                                                "このウェアハウスには成熟度レベルの定義がないため、しきい値を描けません。")))
else:
    history = revenue[(revenue["month"] <= report_month)].dropna(subset=["nrr_12m"])
    band_colors = ["rgba(198,40,40,0.12)", "rgba(255,179,0,0.16)", "rgba(21,101,192,0.12)", "rgba(46,125,50,0.16)"]
    y_top = max(1.35, float(history["nrr_12m"].max()) + 0.05) if len(history) else 1.35
    y_bottom = min(0.7, float(history["nrr_12m"].min()) - 0.05) if len(history) else 0.7
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.65, 0.35])
    lows = levels["min_nrr_12m"].fillna(y_bottom).tolist()
    for position, level in enumerate(levels.itertuples()):
        low = lows[position]
        high = lows[position + 1] if position + 1 < len(lows) else y_top
        fig.add_hrect(y0=low, y1=high, fillcolor=band_colors[position % len(band_colors)], line_width=0,
                      row=1, col=1, layer="below", exclude_empty_subplots=False)
        condition = (wh.tr(f"NRR ≥ {level.min_nrr_12m:.0%}", f"NRR {level.min_nrr_12m:.0%} 以上")
                     if pd.notna(level.min_nrr_12m) else wh.tr("below the next level", "次のレベル未満"))
        if pd.notna(level.max_mean_logo_churn_12m):
            condition += wh.tr(f" and mean monthly churn ≤ {level.max_mean_logo_churn_12m:.1%}",
                               f"、月次解約率の平均 {level.max_mean_logo_churn_12m:.1%} 以下")
        fig.add_annotation(x=0.005, xref="x domain", y=(low + high) / 2, yref="y",
                           text=f"<b>{wh.name('maturity_level', level.maturity_level)}</b> ({condition})",
                           showarrow=False, xanchor="left", font=dict(size=11, color="#37474f"), row=1, col=1)
    fig.add_trace(go.Scatter(x=history["month"], y=history["nrr_12m"], mode="lines+markers",
                             name=wh.tr("NRR, trailing 12m", "NRR（直近12か月）"),
                             line=dict(color="#263238", width=3),
                             customdata=[[wh.name("maturity_level", v)] for v in history["maturity_level"]],
                             hovertemplate=f"{wh.hover_month()}: %{{y:.1%}} (%{{customdata[0]}})<extra></extra>"),
                  row=1, col=1)
    churn_limit = levels["max_mean_logo_churn_12m"].dropna()
    all_months = revenue[revenue["month"] <= report_month]
    monthly_name = wh.tr("Logo churn, monthly", "ロゴチャーン（月次）")
    if "mean_logo_churn_rate_12m" in all_months:
        # the figure the top level is judged on, where the mart publishes it
        fig.add_trace(go.Bar(x=all_months["month"], y=all_months["logo_churn_rate"], name=monthly_name,
                             marker_color="rgba(96,125,139,0.35)",
                             hovertemplate=f"{wh.hover_month()}: %{{y:.2%}}<extra></extra>"), row=2, col=1)
        fig.add_trace(go.Scatter(x=all_months["month"], y=all_months["mean_logo_churn_rate_12m"], mode="lines",
                                 name=wh.tr("Mean monthly logo churn, last 12 months", "月次ロゴチャーンの直近12か月平均"),
                                 line=dict(color="#263238", width=2.5),
                                 hovertemplate=f"{wh.hover_month()}: %{{y:.2%}}<extra></extra>"), row=2, col=1)
    else:
        fig.add_trace(go.Bar(x=all_months["month"], y=all_months["logo_churn_rate"], name=monthly_name,
                             marker_color=wh.COLORS["neutral"],
                             hovertemplate=f"{wh.hover_month()}: %{{y:.2%}}<extra></extra>"), row=2, col=1)
    top_level = wh.name("maturity_level", levels.iloc[-1]["maturity_level"])
    for limit in churn_limit:
        fig.add_hline(y=float(limit), line=dict(color=wh.COLORS["threshold"], dash="dash"), row=2, col=1,
                      annotation_text=wh.tr(f"{top_level}: 12-month mean ≤ {float(limit):.1%}",
                                            f"{top_level}: 12か月平均 {float(limit):.1%} 以下"),
                      annotation_position="top right")
    fig.update_yaxes(title_text=wh.tr("NRR, trailing 12 months (%)", "NRR（直近12か月、%）"), tickformat=".0%",
                     range=[y_bottom, y_top], row=1, col=1)
    fig.update_yaxes(title_text=wh.tr("Monthly logo churn (%)", "月次ロゴチャーン（%）"), tickformat=".1%",
                     rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text=wh.tr("Month", "月"), row=2, col=1)
    wh.style(fig, title=wh.tr("Maturity level: trailing-12-month NRR against the Gainsight thresholds",
                              "成熟度: 直近12か月の NRR と Gainsight のしきい値"),
             definition=wh.tr("NRR (12m) = this month's MRR / MRR 12 months ago, over the customers of 12 months ago; "
                              "the highest level whose conditions hold applies.",
                              "NRR（12か月）= 12か月前の顧客について、当月の MRR ÷ 12か月前の MRR。条件を満たす最も高い"
                              "レベルが適用されます。"), height=640)
    fig.show()
