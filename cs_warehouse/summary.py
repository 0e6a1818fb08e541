"""The executive summary at the top of reports/index.html.

KPI tiles for the reporting month (the latest complete month) and for the month to date
(the partial as-of month, where the newest churn shows first), alerts for what is unusual
in either, and links to every section of every report. Every figure is read from a public
mart (mart_cs_scorecard, mart_revenue_monthly, mart_tier_coverage, mart_csm_book,
mart_renewals_due, mart_accounts_at_risk); the alert rules only compare figures that
the marts publish.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from cs_warehouse import warehouse as wh

# an alert is raised when a month's logo churn or churned MRR exceeds this multiple of the
# mean of the 12 complete months before it
CHURN_ALERT_MULTIPLE = 1.5


@dataclass
class Tile:
    key: str
    label: str
    value: str
    change: str
    change_good: bool | None
    month_to_date: str
    alert: bool = False


def _row(frame: pd.DataFrame, month) -> pd.Series | None:
    if month is None or frame.empty:
        return None
    rows = frame[frame["month"] == month]
    return None if rows.empty else rows.iloc[0]


def _get(row, column):
    return None if row is None or column not in row.index else row[column]


def _rate_n(row, rate, numerator, denominator) -> str:
    if row is None:
        return "—"
    return wh.rate_with_n(row[rate], row[numerator], row[denominator], 1)


def _change(current, previous, column, kind, up_is_good) -> tuple[str, bool | None]:
    value, before = _get(current, column), _get(previous, column)
    if value is None or before is None or pd.isna(value) or pd.isna(before):
        return "", None
    difference = float(value) - float(before)
    good = None if difference == 0 else ((difference > 0) == up_is_good)
    if kind == "rate":
        return wh.pp(difference), good
    if kind == "money":
        return ("+" if difference > 0 else "") + wh.money(difference), good
    if kind == "nps":
        return f"{difference:+.0f}" + wh.tr(" points", "ポイント"), good
    return f"{difference:+,.0f}", good


def tiles(revenue: pd.DataFrame, scorecard: pd.DataFrame, report_month, partial_month) -> list[Tile]:
    """The KPI tiles: each with the reporting month's value, its change against the month before, and the
    month to date."""
    previous_month = wh.shift_months(report_month, -1)
    rev, rev_before, rev_now = (_row(revenue, m) for m in (report_month, previous_month, partial_month))
    card, card_before, card_now = (_row(scorecard, m) for m in (report_month, previous_month, partial_month))

    def unusual(row, column, mean_column=None):
        """Above CHURN_ALERT_MULTIPLE times the 12-month mean of the complete months before."""
        if row is None:
            return False
        history = revenue[(revenue["month"] < row["month"])
                          & (revenue["month"] >= wh.shift_months(row["month"], -12))
                          & (revenue["month"] <= report_month)]
        if len(history) < 3:
            return False
        return float(row[column]) > CHURN_ALERT_MULTIPLE * float(history[column].mean())

    specs = [
        ("customers", wh.tr("Customers", "顧客数"), lambda r: wh.number(_get(r, "customers_end")),
         "customers_end", "count", True, rev, rev_before, rev_now, False),
        ("arr", wh.tr("ARR", "ARR（年間経常収益）"), lambda r: wh.money(_get(r, "arr")),
         "arr", "money", True, card, card_before, card_now, False),
        ("churned_mrr", wh.tr("MRR lost to churn", "解約による MRR 減少"),
         lambda r: "—" if r is None else f"{wh.money(r['churned_mrr'])} "
                                         f"({wh.count(r['churned_customers'], 'account', '社')})",
         "churned_mrr", "money", False, rev, rev_before, rev_now, True),
        ("logo_churn_rate", wh.tr("Logo churn, monthly", "ロゴチャーン（月次）"),
         lambda r: _rate_n(r, "logo_churn_rate", "churned_customers", "customers_start"),
         "logo_churn_rate", "rate", False, rev, rev_before, rev_now, True),
        ("renewal_churn_rate", wh.tr("Renewals lost", "更新時の解約率"),
         lambda r: _rate_n(r, "renewal_churn_rate", "renewals_churned", "renewals_due"),
         "renewal_churn_rate", "rate", False, rev, rev_before, rev_now, False),
        ("nrr_12m", wh.tr("NRR, trailing 12 months", "NRR（直近12か月）"), lambda r: wh.pct(_get(r, "nrr_12m")),
         "nrr_12m", "rate", True, rev, rev_before, rev_now, False),
        ("grr_12m", wh.tr("GRR, trailing 12 months", "GRR（直近12か月）"), lambda r: wh.pct(_get(r, "grr_12m")),
         "grr_12m", "rate", True, rev, rev_before, rev_now, False),
        ("nps", wh.tr("NPS", "NPS"),
         lambda r: "—" if r is None or pd.isna(r.get("nps")) else
         f"{wh.points(r['nps'])} (n={wh.number(r.get('nps_responses'))})",
         "nps", "nps", True, card, card_before, card_now, False),
    ]
    result = []
    for key, label, show, column, kind, up_is_good, now, before, to_date, churn_like in specs:
        if now is None and to_date is None:
            continue
        if now is not None and column in now.index and pd.isna(now[column]) and (
                to_date is None or pd.isna(_get(to_date, column))):
            continue
        change, good = _change(now, before, column, kind, up_is_good)
        alert = churn_like and (unusual(to_date, column) or unusual(now, column))
        result.append(Tile(key, label, show(now), change, good, show(to_date) if partial_month is not None else "",
                           alert))
    return result


@dataclass
class Alert:
    text: str
    link: str


def list_alerts(renewals: pd.DataFrame, at_risk: pd.DataFrame, links: dict) -> list[Alert]:
    """Who to call first: renewals within 30 days in bad condition, and accounts at risk."""
    found = []
    if not renewals.empty:
        soon = renewals[renewals["renewal_window_days"] == 30]
        bad = soon[soon["condition"] == "bad"].sort_values("renewing_arr", ascending=False)
        if len(bad):
            names = "、".join(bad["account_name"].head(3)) if wh.language() == "ja" else ", ".join(bad["account_name"].head(3))
            more = len(bad) - min(len(bad), 3)
            found.append(Alert(
                wh.tr(f"{len(bad)} of the {len(soon)} renewals due within 30 days are in bad condition: {names}"
                      + (f" and {more} more" if more else "") + ".",
                      f"30日以内に更新を迎える {len(soon)} 件のうち {len(bad)} 件がコンディション不調です: {names}"
                      + (f" ほか {more} 件" if more else "") + "。"),
                links.get("lists", "")))
    if not at_risk.empty:
        untouched = at_risk[at_risk["days_since_touch"].isna() | (at_risk["days_since_touch"] > 30)]
        found.append(Alert(
            wh.tr(f"{len(at_risk)} accounts are at risk; {len(untouched)} of them had no CSM touch in the last 30 days.",
                  f"リスクのある顧客は {len(at_risk)} 社。うち {len(untouched)} 社は直近30日に CSM の接点がありません。"),
            links.get("lists", "")))
    return found


def alerts(revenue, scorecard, coverage, book, report_month, partial_month, links: dict, *,
           as_of=None) -> list[Alert]:
    """What a leader should look at first: each alert says what, how large, out of how many, and where."""
    found = []
    as_of = pd.Timestamp(as_of) if as_of is not None else (wh.as_of_date() if partial_month is not None else None)
    months_before = lambda month: revenue[(revenue["month"] < month)  # noqa: E731
                                          & (revenue["month"] >= wh.shift_months(month, -12))
                                          & (revenue["month"] <= report_month)]
    for month, partial in ((partial_month, True), (report_month, False)):
        row = _row(revenue, month)
        if row is None:
            continue
        history = months_before(month)
        if len(history) < 3:
            continue
        when = (wh.tr(f"In the month to date ({wh.month_label(month)}, to {as_of:%b %-d})",
                      f"今月（{wh.month_label(month)}、{as_of.day}日まで）")
                if partial else wh.tr(f"In {wh.month_label(month)}", f"{wh.month_label(month)}"))
        if float(row["churned_mrr"]) > CHURN_ALERT_MULTIPLE * float(history["churned_mrr"].mean()):
            largest = float(row["churned_mrr"]) > float(history["churned_mrr"].max())
            found.append(Alert(
                wh.tr(f"{when}, churn took {wh.money(row['churned_mrr'])} of MRR from "
                      f"{wh.count(row['churned_customers'], 'account')} (logo churn "
                      f"{wh.rate_with_n(row['logo_churn_rate'], row['churned_customers'], row['customers_start'])})"
                      + (": more than in any of the 12 months before." if largest else
                         f": above {CHURN_ALERT_MULTIPLE}× the mean of the 12 months before ("
                         f"{wh.money(history['churned_mrr'].mean())})."),
                      f"{when}、解約で MRR {wh.money(row['churned_mrr'])} を失いました"
                      f"（{wh.count(row['churned_customers'], 'account', '社')}、ロゴチャーン "
                      f"{wh.rate_with_n(row['logo_churn_rate'], row['churned_customers'], row['customers_start'])}）。"
                      + ("直前12か月のどの月よりも大きい額です。" if largest else
                         f"直前12か月の平均（{wh.money(history['churned_mrr'].mean())}）の"
                         f"{CHURN_ALERT_MULTIPLE}倍を超えています。")),
                links.get("revenue", "")))
        if int(row["renewals_due"] or 0) > 0 and pd.notna(row["renewal_churn_rate"]) and \
                float(row["renewals_churned"]) > 0 and pd.notna(history["renewal_churn_rate"].mean()) and \
                float(row["renewal_churn_rate"]) > CHURN_ALERT_MULTIPLE * float(history["renewal_churn_rate"].mean()):
            found.append(Alert(
                wh.tr(f"{when}, {int(row['renewals_churned'])} of {int(row['renewals_due'])} renewals due were lost "
                      f"({wh.pct(row['renewal_churn_rate'])}), against {wh.pct(history['renewal_churn_rate'].mean())} "
                      "on average in the 12 months before.",
                      f"{when}、更新期限を迎えた {int(row['renewals_due'])} 件のうち {int(row['renewals_churned'])} 件が"
                      f"更新されませんでした（{wh.pct(row['renewal_churn_rate'])}。直前12か月の平均は"
                      f"{wh.pct(history['renewal_churn_rate'].mean())}）。"),
                links.get("revenue", "")))
    row = _row(revenue, report_month)
    if row is not None and pd.notna(row["nrr_12m"]) and float(row["nrr_12m"]) < 1:
        found.append(Alert(
            wh.tr(f"Trailing-12-month NRR is {wh.pct(row['nrr_12m'])} (GRR {wh.pct(row['grr_12m'])}): the existing "
                  "base shrinks without new sales.",
                  f"直近12か月の NRR は {wh.pct(row['nrr_12m'])}（GRR {wh.pct(row['grr_12m'])}）。新規販売がなければ"
                  "既存の売上は減っていきます。"),
            links.get("scorecard", "")))
    if row is not None and pd.notna(row["annualized_logo_churn"]) and not bool(row["meets_10pct_rule"]):
        found.append(Alert(
            wh.tr(f"Annualised logo churn is {wh.pct(row['annualized_logo_churn'])}, outside the 10% rule.",
                  f"年換算ロゴチャーンは {wh.pct(row['annualized_logo_churn'])} で、10%ルールを満たしていません。"),
            links.get("scorecard", "")))
    if not coverage.empty:
        short = coverage[(coverage["month"] == report_month) & (coverage["coverage_ratio"] < 1)]
        for tier in short.itertuples():
            found.append(Alert(
                wh.tr(f"{wh.name('tier', tier.tier)} runs at {wh.number(tier.actual_accounts_per_fte, 1)} accounts "
                      f"per FTE against a target of {wh.number(tier.target_accounts_per_csm)}.",
                      f"{wh.name('tier', tier.tier)} は FTE あたり {wh.number(tier.actual_accounts_per_fte, 1)} 社を"
                      f"担当しています（目標 {wh.number(tier.target_accounts_per_csm)} 社）。"),
                links.get("coverage", "")))
    if not book.empty:
        overloaded = book[(book["month"] == report_month) & book["is_overloaded"].astype(bool)]
        if len(overloaded):
            found.append(Alert(
                wh.tr(f"{len(overloaded)} of {len(book[book['month'] == report_month])} CSMs are over their load.",
                      f"CSM {len(book[book['month'] == report_month])} 名のうち {len(overloaded)} 名が担当上限を"
                      "超えています。"),
                links.get("coverage", "")))
    return found


def render(report_links: dict, sections: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """The summary's HTML (reads the warehouse at $CS_WAREHOUSE_PATH, in the report language)."""
    if not wh.relation_exists("mart_revenue_monthly"):
        return ""
    revenue = wh.mart("mart_revenue_monthly", order_by="month")
    scorecard = wh.mart("mart_cs_scorecard", order_by="month") if wh.relation_exists("mart_cs_scorecard") \
        else pd.DataFrame(columns=["month"])
    coverage = wh.mart("mart_tier_coverage") if wh.relation_exists("mart_tier_coverage") else pd.DataFrame()
    book = wh.mart("mart_csm_book") if wh.relation_exists("mart_csm_book") else pd.DataFrame()
    if revenue.empty:
        return ""
    report_month = wh.latest_complete_month(revenue["month"])
    partial_month = wh.partial_month()
    found_tiles = tiles(revenue, scorecard, report_month, partial_month)
    found_alerts = alerts(revenue, scorecard, coverage, book, report_month, partial_month, report_links)
    renewals = wh.mart("mart_renewals_due") if wh.relation_exists("mart_renewals_due") else pd.DataFrame()
    at_risk = wh.mart("mart_accounts_at_risk") if wh.relation_exists("mart_accounts_at_risk") else pd.DataFrame()
    found_alerts = list_alerts(renewals, at_risk, report_links) + found_alerts

    out = [f"<h2>{html.escape(wh.tr('Executive summary', 'エグゼクティブサマリー'))}</h2>"]
    mtd = (wh.tr(f"month to date: {wh.month_label(partial_month)}, to {wh.as_of_date():%b %-d}",
                 f"今月: {wh.month_label(partial_month)}（{wh.as_of_date().day}日まで）")
           if partial_month is not None else "")
    out.append(f"<p class='meta'>{html.escape(wh.tr('Reporting month', '対象月'))}: "
               f"<strong>{html.escape(wh.month_label(report_month))}</strong>"
               + (f" &middot; {html.escape(mtd)}" if mtd else "") + "</p>")
    cards = []
    for tile in found_tiles:
        color = "" if tile.change_good is None else (" good" if tile.change_good else " bad")
        change = (f"<div class='delta{color}'>{html.escape(tile.change)} "
                  f"{html.escape(wh.tr('vs the month before', '前月比'))}</div>") if tile.change else ""
        to_date = (f"<div class='mtd{' alert' if tile.alert else ''}'>"
                   f"{html.escape(wh.tr('Month to date', '今月途中'))}: {html.escape(tile.month_to_date)}</div>"
                   if tile.month_to_date else "")
        cards.append(f"<div class='tile' data-kpi='{tile.key}'><div class='label'>{html.escape(tile.label)}</div>"
                     f"<div class='value'>{html.escape(tile.value)}</div>{change}{to_date}</div>")
    out.append(f"<div class='tiles'>{''.join(cards)}</div>")
    out.append(f"<h3>{html.escape(wh.tr('Alerts', 'アラート'))}</h3>")
    if found_alerts:
        items = "".join(f"<li>{html.escape(alert.text)}"
                        + (f" <a href='{html.escape(alert.link, quote=True)}'>{html.escape(wh.tr('Details', '詳細'))}"
                           "&nbsp;&rarr;</a>" if alert.link else "") + "</li>" for alert in found_alerts)
        out.append(f"<ul class='alerts'>{items}</ul>")
    else:
        quiet = wh.tr("Nothing unusual in the reporting month or the month to date.",
                      "対象月・今月途中とも、特に目立つ動きはありません。")
        out.append(f"<p>{html.escape(quiet)}</p>")
    return "\n".join(out)
