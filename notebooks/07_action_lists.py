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
# # Lists to act on
#
# **Question:** Who should the team call this week: which renewals fall due in the next 30, 60 and 90 days, which accounts are at risk and why, which are ready for an upsell offer, and which onboardings are late or stalled?
#
# **Reads:** `mart_renewals_due` (renewals in the next 90 days), `mart_accounts_at_risk` (at-risk accounts and what pulls their health down), `mart_upsell_candidates` (good-condition accounts with utilization), `mart_onboarding_in_flight` (onboardings against the target), seed `display_names` (names of codes).
#
# <!-- ja -->
# # アクションリスト
#
# **問い:** 今週、誰に連絡すべきか: 30・60・90日以内に更新を迎える顧客、リスクのある顧客とその理由、アップセル提案の準備ができた顧客、遅れている・止まっているオンボーディングはどれか?

# %%


import pandas as pd
import plotly.graph_objects as go

from cs_warehouse import warehouse as wh

status = {name: wh.availability(name, what=what) for name, what in [
    ("mart_renewals_due", wh.tr("the renewals calendar", "更新カレンダー")),
    ("mart_accounts_at_risk", wh.tr("the accounts at risk", "リスクのある顧客")),
    ("mart_upsell_candidates", wh.tr("the upsell candidates", "アップセル候補")),
    ("mart_onboarding_in_flight", wh.tr("the onboardings in flight", "進行中のオンボーディング")),
]}
lists = {name: (wh.mart(name) if ok else pd.DataFrame()) for name, ok in status.items()}
renewals = lists["mart_renewals_due"].sort_values(["renewal_date", "renewing_arr"], ascending=[True, False]) \
    if status["mart_renewals_due"] else pd.DataFrame()
at_risk = lists["mart_accounts_at_risk"].sort_values("arr_at_risk", ascending=False) \
    if status["mart_accounts_at_risk"] else pd.DataFrame()
upsell = lists["mart_upsell_candidates"].sort_values("arr", ascending=False) \
    if status["mart_upsell_candidates"] else pd.DataFrame()
onboarding = lists["mart_onboarding_in_flight"].sort_values("days_elapsed", ascending=False) \
    if status["mart_onboarding_in_flight"] else pd.DataFrame()
as_of = wh.as_of_date()
wh.say(wh.tr(f"Every list is as of **{wh.date_label(as_of)}** and complete: no row is left out. Click a column "
             "header to sort, or download a list as CSV.",
             f"すべての一覧は **{wh.date_label(as_of)}** 時点の全件です（省略なし）。列見出しをクリックすると並べ替え、"
             "CSV でダウンロードできます。"))


def csm(value):
    return wh.tr("unassigned", "未担当") if pd.isna(value) else value


def days(value):
    return wh.tr("never", "なし") if pd.isna(value) else wh.number(value)


def change(value):
    return "—" if pd.isna(value) else f"{float(value):+.0f}"


# %% [markdown]
# ## In short
#
# <!-- ja -->
# ## 要点

# %%
notes = []
if status["mart_renewals_due"]:
    windows = renewals.groupby("renewal_window_days").size()
    bad = renewals[renewals["condition"] == "bad"]
    notes.append(wh.tr(
        f"**{len(renewals)}** renewals fall due in the next 90 days ({int(windows.get(30, 0))} within 30 days, "
        f"{int(windows.get(60, 0))} in 31–60, {int(windows.get(90, 0))} in 61–90); **{len(bad)}** of them are in bad "
        "condition: call those first.",
        f"今後90日に更新を迎える顧客は **{len(renewals)} 件**（30日以内 {int(windows.get(30, 0))}、31–60日 "
        f"{int(windows.get(60, 0))}、61–90日 {int(windows.get(90, 0))}）。うち **{len(bad)} 件** はコンディション不調で、"
        "最初に連絡すべき顧客です。"))
if status["mart_accounts_at_risk"]:
    untouched = at_risk[at_risk["days_since_touch"].isna() | (at_risk["days_since_touch"] > 30)]
    notes.append(wh.tr(
        f"**{len(at_risk)}** accounts are at risk; {len(untouched)} of them had no CSM touch in the last 30 days.",
        f"リスクのある顧客は **{len(at_risk)} 社**。うち {len(untouched)} 社は直近30日に CSM の接点がありません。"))
if status["mart_upsell_candidates"]:
    near = upsell[upsell["is_near_seat_limit"].fillna(False).astype(bool)]
    notes.append(wh.tr(
        f"**{len(upsell)}** accounts are in good condition (Toreta: offer an upsell); {len(near)} of them are near "
        "their seat limit.",
        f"コンディション良好の顧客は **{len(upsell)} 社**（トレタ: アップセルを提案）。うち {len(near)} 社は席数の上限に"
        "近づいています。"))
if status["mart_onboarding_in_flight"]:
    late = onboarding[onboarding["is_past_target"].astype(bool)]
    stalled = onboarding[onboarding["is_stalled"].astype(bool)]
    notes.append(wh.tr(
        f"**{len(onboarding)}** onboardings are in flight: {len(late)} past the target days, {len(stalled)} stalled "
        "(no usage recently).",
        f"進行中のオンボーディングは **{len(onboarding)} 件**。目標日数超過 {len(late)} 件、停滞（最近の利用なし）"
        f"{len(stalled)} 件です。"))
for name, ok in status.items():
    if not ok:
        notes.append(ok.message)
wh.say("\n".join(f"- {note}" for note in notes))

# %% [markdown]
# ## Renewals due in the next 30, 60 and 90 days
# Each renewal with the ARR that renews, the account's health and its change over the last three months, its stage,
# its CSM and its last touch. Sorted by renewal date.
#
# <!-- ja -->
# ## 30・60・90日以内の更新
# 更新ごとに、更新対象の ARR、ヘルスと直近3か月の変化、ステージ、担当 CSM、最終接点を示します。更新日順です。

# %%
if not status["mart_renewals_due"]:
    wh.unavailable(status["mart_renewals_due"])
elif renewals.empty:
    wh.say(wh.tr("No renewal falls due in the next 90 days.", "今後90日に更新を迎える顧客はありません。"))
else:
    columns = {
        "renewal_window_days": wh.tr("Within (days)", "期間（日以内）"), "renewal_date": wh.tr("Renewal", "更新日"),
        "days_until_renewal": wh.tr("Days left", "残り日数"), "account_name": wh.tr("Customer", "顧客"),
        "renewing_arr": wh.tr("ARR renewing", "更新対象 ARR"), "health_score": wh.tr("Health", "ヘルス"),
        "health_change": wh.tr("Health change (3 months)", "ヘルス変化（3か月）"),
        "condition": wh.tr("Condition", "コンディション"), "stage": wh.tr("Stage", "ステージ"),
        "tier": wh.tr("Tier", "ティア"), "csm_name": "CSM", "days_since_touch": wh.tr("Days since touch", "最終接点からの日数"),
    }
    shown = renewals[list(columns)].assign(
        condition=wh.names("condition", renewals["condition"]), stage=wh.names("stage", renewals["stage"]),
        tier=wh.names("tier", renewals["tier"])).rename(columns=columns)
    wh.table(shown, {columns["renewing_arr"]: wh.money, columns["health_score"]: wh.number,
                     columns["health_change"]: change, "CSM": csm, columns["days_since_touch"]: days,
                     columns["renewal_date"]: wh.date_label},
             caption=wh.tr("Renewals due", "更新予定"), download="renewals_due.csv")

# %% [markdown]
# ## Accounts at risk
# Accounts in bad condition, or whose health fell sharply, with the ARR at risk, the health component that costs the
# most points (what to fix), and how long since a CSM touched them. Sorted by ARR at risk.
#
# <!-- ja -->
# ## リスクのある顧客
# コンディション不調、またはヘルスが大きく下がった顧客です。リスクのある ARR、最も点数を失っているヘルスの要素
# （直すべき点）、最後の CSM 接点からの日数を示します。リスクのある ARR の大きい順です。

# %%
if not status["mart_accounts_at_risk"]:
    wh.unavailable(status["mart_accounts_at_risk"])
elif at_risk.empty:
    wh.say(wh.tr("No account is at risk.", "リスクのある顧客はいません。"))
else:
    columns = {
        "account_name": wh.tr("Customer", "顧客"), "arr_at_risk": wh.tr("ARR at risk", "リスクのある ARR"),
        "risk_reason": wh.tr("Why listed", "理由"), "main_health_driver": wh.tr("Fix first", "まず直す点"),
        "health_score": wh.tr("Health", "ヘルス"), "health_change": wh.tr("Health change (3 months)", "ヘルス変化（3か月）"),
        "stage": wh.tr("Stage", "ステージ"), "tier": wh.tr("Tier", "ティア"), "csm_name": "CSM",
        "days_since_touch": wh.tr("Days since touch", "最終接点からの日数"),
        "days_until_renewal": wh.tr("Days to renewal", "更新までの日数"),
    }
    shown = at_risk[list(columns)].assign(
        risk_reason=wh.names("risk_reason", at_risk["risk_reason"]),
        main_health_driver=wh.names("health_driver", at_risk["main_health_driver"]),
        stage=wh.names("stage", at_risk["stage"]), tier=wh.names("tier", at_risk["tier"])).rename(columns=columns)
    wh.table(shown, {columns["arr_at_risk"]: wh.money, columns["health_score"]: wh.number,
                     columns["health_change"]: change, "CSM": csm, columns["days_since_touch"]: days,
                     columns["days_until_renewal"]: wh.number},
             caption=wh.tr("Accounts at risk", "リスクのある顧客"), download="accounts_at_risk.csv")

# %% [markdown]
# ## Upsell candidates
# Toreta's playbook offers an upsell to accounts in good condition. Utilization says whether the offer is more seats
# (near the seat limit) or another module (broad use of the core features).
#
# <!-- ja -->
# ## アップセル候補
# トレタの打ち手では、コンディション良好の顧客にアップセルを提案します。利用率を見ると、提案が席数の追加（上限に
# 近い）か、別モジュール（コア機能を幅広く利用）かが分かります。

# %%
if not status["mart_upsell_candidates"]:
    wh.unavailable(status["mart_upsell_candidates"])
elif upsell.empty:
    wh.say(wh.tr("No account is in good condition.", "コンディション良好の顧客はいません。"))
else:
    columns = {
        "account_name": wh.tr("Customer", "顧客"), "arr": "ARR", "health_score": wh.tr("Health", "ヘルス"),
        "license_utilization": wh.tr("Seat utilization", "席の利用率"), "seats": wh.tr("Seats", "席数"),
        "stickiness": wh.tr("Stickiness", "定着度"), "breadth": wh.tr("Breadth", "機能の利用幅"),
        "is_near_seat_limit": wh.tr("Near seat limit", "席数の上限に近い"), "stage": wh.tr("Stage", "ステージ"),
        "tier": wh.tr("Tier", "ティア"), "csm_name": "CSM", "next_renewal_date": wh.tr("Next renewal", "次回更新日"),
    }
    shown = upsell[list(columns)].assign(stage=wh.names("stage", upsell["stage"]),
                                         tier=wh.names("tier", upsell["tier"])).rename(columns=columns)
    wh.table(shown, {"ARR": wh.money, columns["health_score"]: wh.number, columns["license_utilization"]: wh.pct,
                     columns["seats"]: wh.number, columns["stickiness"]: wh.pct, columns["breadth"]: wh.pct,
                     columns["is_near_seat_limit"]: lambda v: wh.tr("yes", "はい") if v is True or v == 1 else "",
                     "CSM": csm, columns["next_renewal_date"]: wh.date_label},
             caption=wh.tr("Upsell candidates (good condition)", "アップセル候補（コンディション良好）"),
             download="upsell_candidates.csv")

# %% [markdown]
# ## Onboarding in flight
# Customers not yet onboarded: days since their first contract started against the target, and whether the project
# has stalled (no usage in recent days). The bars start at zero; the dashed line is the target.
#
# <!-- ja -->
# ## 進行中のオンボーディング
# まだオンボーディングを終えていない顧客です。最初の契約開始からの日数と目標、プロジェクトが停滞しているか（最近の
# 利用なし）を示します。棒はゼロから始まり、破線が目標です。

# %%
if not status["mart_onboarding_in_flight"]:
    wh.unavailable(status["mart_onboarding_in_flight"])
elif onboarding.empty:
    wh.say(wh.tr("No onboarding is in flight.", "進行中のオンボーディングはありません。"))
else:
    chart = onboarding.sort_values("days_elapsed")
    colors = [wh.COLORS["bad"] if stalled else (wh.COLORS["threshold"] if late else wh.COLORS["accent"])
              for stalled, late in zip(chart["is_stalled"].astype(bool), chart["is_past_target"].astype(bool))]
    fig = go.Figure(go.Bar(
        y=chart["account_name"], x=chart["days_elapsed"], orientation="h", marker_color=colors,
        customdata=pd.DataFrame({"target": chart["target_days"], "milestones": chart["milestones_reached"],
                                 "usage": chart["days_since_usage"]}),
        hovertemplate=wh.tr("%{y}: day %{x} of %{customdata[0]}; %{customdata[1]} milestones; last usage "
                            "%{customdata[2]} days ago<extra></extra>",
                            "%{y}: %{x} 日目（目標 %{customdata[0]} 日）、マイルストーン %{customdata[1]}、最終利用 "
                            "%{customdata[2]} 日前<extra></extra>")))
    target = float(chart["target_days"].max())
    fig.add_vline(x=target, line=dict(color=wh.COLORS["threshold"], dash="dash"),
                  annotation_text=wh.tr(f"target: {target:.0f} days", f"目標: {target:.0f} 日"), annotation_position="top")
    wh.style(fig, title=wh.tr("Onboardings in flight: days since the first contract started",
                              "進行中のオンボーディング: 最初の契約開始からの日数"),
             definition=wh.tr("Blue: on track; orange: past the target days; red: stalled (no recent usage).",
                              "青: 順調、橙: 目標日数超過、赤: 停滞（最近の利用なし）。"),
             x_title=wh.tr("Days since the first contract started", "契約開始からの日数"), y_title=wh.tr("Customer", "顧客"),
             height=max(320, 24 * len(chart) + 170))
    fig.update_xaxes(rangemode="tozero", range=[0, max(target, float(chart["days_elapsed"].max())) * 1.1])
    fig.update_yaxes(tickfont=dict(size=10))
    fig.update_layout(margin=dict(b=60))
    fig.show()
    columns = {
        "account_name": wh.tr("Customer", "顧客"), "days_elapsed": wh.tr("Days elapsed", "経過日数"),
        "target_days": wh.tr("Target (days)", "目標（日）"), "days_to_target": wh.tr("Days to target", "目標までの日数"),
        "milestones_reached": wh.tr("Milestones reached", "到達マイルストーン"),
        "days_since_usage": wh.tr("Days since usage", "最終利用からの日数"),
        "is_stalled": wh.tr("Stalled", "停滞"), "arr": "ARR", "tier": wh.tr("Tier", "ティア"), "csm_name": "CSM",
        "days_since_touch": wh.tr("Days since touch", "最終接点からの日数"),
    }
    shown = onboarding[list(columns)].assign(tier=wh.names("tier", onboarding["tier"])).rename(columns=columns)
    wh.table(shown, {columns["days_elapsed"]: wh.number, columns["target_days"]: wh.number,
                     columns["days_to_target"]: wh.number, columns["milestones_reached"]: wh.number,
                     columns["days_since_usage"]: days, columns["is_stalled"]: lambda v: wh.tr("stalled", "停滞") if v else "",
                     "ARR": wh.money, "CSM": csm, columns["days_since_touch"]: days},
             caption=wh.tr("Onboardings in flight", "進行中のオンボーディング"), download="onboarding_in_flight.csv")
