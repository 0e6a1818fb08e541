"""Hand-checked fixtures for tier coverage, the CSM book, onboarding, voice of the
customer and the scorecard (issue 5).

One small raw directory, tests/fixtures/coverage/, holds every edge case, so the
whole set costs one dbt build. The as-of date is 2025-03-31 (the latest usage day);
every account starts on 2024-01-01 with one open-ended line unless said otherwise.

    account  MRR      tier (why)                       CSM on the snapshot day
    T1A      600,000  tier1 (ARR 7.2M)                 S1 (fte 0.5)
    T1B      500,000  tier1 (ARR 6.0M = min, inclusive) S1
    T2A      100,000  tier2                            S1
    T2R      150,000  tier2                            S1 until 2025-02-09, S2 from 2025-02-10
    OVR       20,000  tier1 by override (ARR 240k = tier3) S2 (fte 0.1)
    UN1      120,000  tier2                            none: needs one, never had one
    UN2      110,000  tier2                            S3 (fte empty = 1) until 2025-02-20
    T3A       30,000  tier3                            none; only automated touches
    COM1      40,000 (+10,000 addon from 2024-06)      none; community on 2024-01-01
    LATE      25,000 from 2024-06 (+10,000 from 2024-07) none; cohort June 2024
    TT1       10,000  tier4 tech touch                 S4 (fte 1, tech touch only); only automated touches
    TT2        5,000  tier4 tech touch                 none; never touched
    CH1       50,000  2024-01..2024-06, churns in July 2024; community on 2024-01-10

Each expected figure below is worked out by hand in the comment next to it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "coverage"
JAN, FEB = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")


@pytest.fixture(scope="module")
def warehouse(warehouse_for):
    return warehouse_for(FIXTURE_DIR)


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    selected = frame
    for column, value in keys.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, f"expected one row for {keys}, found {len(selected)}"
    return selected.iloc[0]


@pytest.fixture(scope="module")
def tiers(warehouse):
    return warehouse.table("mart_tier_coverage")


@pytest.fixture(scope="module")
def books(warehouse):
    return warehouse.table("mart_csm_book")


# --- CSM book ------------------------------------------------------------------------------

def test_csm_with_half_fte_spanning_two_tiers(books):
    # January: S1 (fte 0.5) holds T1A, T1B (tier1: 2/10 = 0.2 FTE) and T2A, T2R
    # (tier2: 2/50 = 0.04 FTE): required 0.24, load 0.24 / 0.5 = 0.48.
    s1 = row(books, month=JAN, csm_id="S1")
    assert s1["customers"] == 4
    assert s1["required_fte"] == pytest.approx(0.24)
    assert s1["load"] == pytest.approx(0.48)
    assert not s1["is_overloaded"]
    # ARR 12 x (600k + 500k + 100k + 150k) = 16.2M; per FTE: 16.2M / 0.5
    assert float(s1["arr"]) == 16_200_000
    assert float(s1["arr_per_fte"]) == 32_400_000


def test_reassignment_mid_month_follows_the_snapshot_day(books):
    # T2R moves from S1 to S2 on 2025-02-10: January's snapshot (01-31) sees S1,
    # February's (02-28) sees S2.
    assert row(books, month=FEB, csm_id="S1")["customers"] == 3
    s2_jan, s2_feb = row(books, month=JAN, csm_id="S2"), row(books, month=FEB, csm_id="S2")
    assert s2_jan["customers"] == 1 and s2_feb["customers"] == 2
    # S2 (fte 0.1): January OVR only (tier1 by override, 0.1 FTE): load exactly 1.0,
    # at target, not overloaded; February + T2R (0.02): load 1.2, overloaded.
    assert s2_jan["load"] == pytest.approx(1.0)
    assert not s2_jan["is_overloaded"]
    assert s2_feb["load"] == pytest.approx(1.2)
    assert s2_feb["is_overloaded"]
    assert float(s2_feb["arr"]) == 12 * (20_000 + 150_000)


def test_default_fte_and_a_csm_without_customers(books):
    # S3 has no fte in csms.csv (default 1). UN2's assignment ends on 2025-02-20,
    # before February's snapshot, so S3 has nobody in February but is still listed.
    s3_jan, s3_feb = row(books, month=JAN, csm_id="S3"), row(books, month=FEB, csm_id="S3")
    assert float(s3_jan["fte"]) == 1.0
    assert s3_jan["customers"] == 1 and s3_jan["load"] == pytest.approx(0.02)
    assert s3_feb["customers"] == 0 and float(s3_feb["arr"]) == 0 and s3_feb["load"] == 0
    # S4 serves only tech touch: customers but no required FTE
    s4 = row(books, month=JAN, csm_id="S4")
    assert s4["customers"] == 1 and s4["required_fte"] == 0 and s4["load"] == 0


def test_every_csm_in_every_month(books, warehouse):
    months = warehouse.query("select count(*) as n from int_months")["n"][0]
    assert len(books) == 4 * months


# --- tier coverage -------------------------------------------------------------------------

def test_tier_override_puts_the_account_in_the_named_tier(tiers, warehouse):
    # OVR's ARR (240,000) is tier3's minimum, but tier_override says tier1.
    tier = warehouse.query(
        "select tier from fct_account_monthly where account_id = 'OVR' and month = '2025-01-01'")["tier"][0]
    assert tier == "tier1_high_touch"
    tier1 = row(tiers, month=JAN, tier="tier1_high_touch")
    assert tier1["customers"] == 3  # T1A, T1B, OVR
    assert float(tier1["arr"]) == 12 * (600_000 + 500_000 + 20_000)


def test_fte_allocated_over_tiers_in_proportion_to_required_fte(tiers):
    # January. S1 (0.5 FTE, required 0.2 in tier1 and 0.04 in tier2) gives tier1
    # 0.5 x 0.2/0.24 = 5/12 and tier2 1/12. S2 (0.1, only tier1) gives tier1 0.1.
    # S3 (1.0, only tier2) gives tier2 1.0. S4 (tech touch only) allocates nothing.
    tier1, tier2 = row(tiers, month=JAN, tier="tier1_high_touch"), row(tiers, month=JAN, tier="tier2_mid_touch")
    assert tier1["allocated_fte"] == pytest.approx(5 / 12 + 0.1)          # 31/60
    assert tier1["actual_accounts_per_fte"] == pytest.approx(3 / (31 / 60))  # 180/31
    assert tier1["coverage_ratio"] == pytest.approx(10 / (180 / 31))        # 1.7222
    assert tier2["allocated_fte"] == pytest.approx(1 / 12 + 1.0)            # 13/12
    assert tier2["actual_accounts_per_fte"] == pytest.approx(3 / (13 / 12))  # 36/13
    assert tier2["coverage_ratio"] == pytest.approx(50 / (36 / 13))
    # February: S1 books 0.2 + 0.02, S2 0.1 + 0.02, S3 none.
    # tier1 = 0.5 x 0.2/0.22 + 0.1 x 0.1/0.12 = 5/11 + 1/12 = 71/132
    # tier2 = 0.5 x 0.02/0.22 + 0.1 x 0.02/0.12 = 1/22 + 1/60 = 41/660
    tier1, tier2 = row(tiers, month=FEB, tier="tier1_high_touch"), row(tiers, month=FEB, tier="tier2_mid_touch")
    assert tier1["allocated_fte"] == pytest.approx(71 / 132)
    assert tier1["coverage_ratio"] == pytest.approx(10 / (3 / (71 / 132)))
    assert tier2["allocated_fte"] == pytest.approx(41 / 660)
    assert tier2["actual_accounts_per_fte"] == pytest.approx(2 / (41 / 660))


def test_allocated_fte_adds_up_to_the_fte_of_csms_with_required_fte(tiers, books):
    # allocation only splits fte: per month, the tiers' allocated fte is the fte of
    # the CSMs whose books need CSM time
    allocated = tiers.groupby("month")["allocated_fte"].sum()
    with_required = books[books["required_fte"] > 0].groupby("month")["fte"].sum().astype(float)
    pd.testing.assert_series_equal(allocated, with_required.reindex(allocated.index, fill_value=0.0),
                                   check_names=False)


def test_account_without_csm_in_a_tier_that_needs_one_is_unassigned(tiers):
    # January tier2: T2A, T2R (S1) and UN2 (S3) assigned; UN1 never had a CSM.
    tier2 = row(tiers, month=JAN, tier="tier2_mid_touch")
    assert (tier2["customers"], tier2["assigned_customers"], tier2["unassigned_customers"]) == (4, 3, 1)
    # February: UN2's assignment ended on 2025-02-20, so it is unassigned too
    tier2 = row(tiers, month=FEB, tier="tier2_mid_touch")
    assert (tier2["assigned_customers"], tier2["unassigned_customers"]) == (2, 2)
    # tier3 (target 1:1000) has no CSM at all: no fte, no ratio
    tier3 = row(tiers, month=JAN, tier="tier3_low_touch")
    assert (tier3["customers"], tier3["unassigned_customers"]) == (3, 3)
    assert tier3["allocated_fte"] == 0
    assert pd.isna(tier3["actual_accounts_per_fte"]) and pd.isna(tier3["coverage_ratio"])


def test_tech_touch_reports_automated_share_and_is_never_unassigned(tiers):
    # TT1 (only automated touches, one on 2025-01-05) and TT2 (never touched)
    tech = row(tiers, month=JAN, tier="tier4_tech_touch")
    assert (tech["customers"], tech["assigned_customers"], tech["unassigned_customers"]) == (2, 1, 0)
    assert pd.isna(tech["target_accounts_per_csm"]) and tech["allocated_fte"] == 0
    assert pd.isna(tech["coverage_ratio"]) and pd.isna(tech["touch_compliance_rate"])
    assert tech["automated_touch_share"] == pytest.approx(0.5)
    # no automated touch in February
    assert row(tiers, month=FEB, tier="tier4_tech_touch")["automated_touch_share"] == 0
    # tiers with a cadence report compliance instead
    assert tiers.loc[tiers["target_accounts_per_csm"].notna(), "automated_touch_share"].isna().all()


def test_touch_exactly_cadence_days_before_the_snapshot_does_not_count(tiers, warehouse):
    # tier1 (cadence 30), snapshot 2025-01-31: T1A's meeting on 2025-01-01 is exactly
    # 30 days before (outside the 30 days that end on the snapshot day), and its
    # automated touch of 01-20 does not count; T1B's call of 01-02 (29 days) counts;
    # OVR's meeting on the snapshot day counts. 2 of 3.
    flags = warehouse.query(
        "select account_id, is_touch_compliant from int_customer_months_joined_to_coverage "
        "where month = '2025-01-01'").set_index("account_id")["is_touch_compliant"]
    assert not flags["T1A"] and flags["T1B"] and flags["OVR"]
    assert row(tiers, month=JAN, tier="tier1_high_touch")["touch_compliance_rate"] == pytest.approx(2 / 3)
    # tier2 (cadence 90): T2A 2024-11-03 is 89 days before (counts), T2R 2024-11-02
    # exactly 90 (does not), UN1 none, UN2's webinar of 2024-12-15 counts. 2 of 4.
    assert not flags["T2R"] and flags["T2A"] and flags["UN2"]
    assert row(tiers, month=JAN, tier="tier2_mid_touch")["touch_compliance_rate"] == pytest.approx(0.5)
    # tier3 (cadence 180): T3A has only automated touches (not compliant), COM1's
    # community touch of 2024-12-01 counts, LATE none. 1 of 3.
    assert not flags["T3A"] and flags["COM1"]
    assert row(tiers, month=JAN, tier="tier3_low_touch")["touch_compliance_rate"] == pytest.approx(1 / 3)


def test_every_tier_in_every_month(tiers, warehouse):
    months = warehouse.query("select count(*) as n from int_months")["n"][0]
    assert len(tiers) == 4 * months


# --- NPS -----------------------------------------------------------------------------------

def test_nps_only_passives_is_zero(warehouse):
    # February 2025: T1A 7, T2A 8, UN1 7
    nps = warehouse.table("mart_nps_monthly")
    feb = row(nps, month=FEB, segment_type="all")
    assert (feb["responses"], feb["promoters"], feb["passives"], feb["detractors"]) == (3, 0, 3, 0)
    assert feb["nps"] == 0
    assert pd.isna(feb["mean_csat"]) and pd.isna(feb["mean_ces"])


def test_nps_by_segment_and_a_respondent_who_is_not_a_customer(warehouse):
    # January 2025: T1A 10, T1B 9, T2A 6, T2R 8, and CH1 9 (churned in July 2024:
    # counts in `all` only). all: 3 promoters, 1 passive, 1 detractor -> +40.
    nps = warehouse.table("mart_nps_monthly")
    jan = row(nps, month=JAN, segment_type="all")
    assert (jan["responses"], jan["promoters"], jan["passives"], jan["detractors"]) == (5, 3, 1, 1)
    assert jan["nps"] == pytest.approx(40.0)
    # CSAT T1A 4, T2A 5; CES T1A 2, T1B 5
    assert jan["mean_csat"] == pytest.approx(4.5) and jan["mean_ces"] == pytest.approx(3.5)
    assert row(nps, month=JAN, segment="tier1_high_touch")["nps"] == pytest.approx(100.0)
    assert row(nps, month=JAN, segment="tier2_mid_touch")["nps"] == pytest.approx(-50.0)
    stages = nps[(nps["month"] == JAN) & (nps["segment_type"] == "stage")]
    assert stages["responses"].sum() == 4
    # every month has an `all` row, with null NPS where nobody answered
    mar = row(nps, month=pd.Timestamp("2025-03-01"), segment_type="all")
    assert mar["responses"] == 0 and pd.isna(mar["nps"])


# --- onboarding ----------------------------------------------------------------------------

def test_onboarding_cohorts(warehouse):
    cohorts = warehouse.table("mart_onboarding_cohorts").set_index("cohort_month")
    jan24 = cohorts.loc[pd.Timestamp("2024-01-01")]
    # 12 accounts start on 2024-01-01. Time to value: T1A onboarding_complete 02-15
    # = 45 days (its setup_complete is ignored), T1B setup_complete only 01-21 = 20,
    # T2A 05-01 = 121 (late), OVR 03-31 = 90 (exactly the target: within), COM1
    # 05-20 = 140. T2R and the others never completed.
    assert jan24["accounts"] == 12
    assert jan24["reached_value_accounts"] == 5
    assert jan24["completed_within_target"] == 3
    assert jan24["completion_rate"] == pytest.approx(3 / 12)
    assert jan24["median_days_to_value"] == pytest.approx(90)
    assert jan24["mean_days_to_value"] == pytest.approx((45 + 20 + 121 + 90 + 140) / 5)
    # COM1's addon starts 2024-06-01: June overlaps 05-20 .. 06-19. 1 of the 5.
    assert jan24["post_onboarding_upsell_rate"] == pytest.approx(1 / 5)
    # CES of the cohort's accounts: T1A 2, T1B 5
    assert jan24["mean_ces"] == pytest.approx(3.5)
    jun24 = cohorts.loc[pd.Timestamp("2024-06-01")]
    # LATE: start 06-01, onboarding_complete 06-20 (19 days), addon from 07-01
    # (July starts within 30 days of 06-20), CES 6
    assert (jun24["accounts"], jun24["completed_within_target"]) == (1, 1)
    assert jun24["median_days_to_value"] == 19
    assert jun24["post_onboarding_upsell_rate"] == 1.0
    assert jun24["mean_ces"] == 6.0


def test_onboarding_never_completed(warehouse):
    t2r = warehouse.query("select * from int_accounts_onboarding_timed where account_id = 'T2R'").iloc[0]
    assert pd.isna(t2r["value_date"]) and pd.isna(t2r["days_to_value"])
    assert not t2r["is_completed_within_target"]
    assert pd.isna(t2r["has_post_onboarding_upsell"])


# --- product feedback ----------------------------------------------------------------------

def test_tickets_with_no_feature_are_counted_under_none(warehouse):
    feedback = warehouse.table("mart_product_feedback")
    none = row(feedback, month=JAN, category="how_to", feature="(none)")
    assert (none["tickets"], none["accounts"]) == (2, 2)  # T1B and UN1
    defects = row(feedback, month=JAN, category="defect", feature="profile_db")
    assert (defects["tickets"], defects["accounts"]) == (3, 2)  # T1A twice, T2A
    assert feedback["tickets"].sum() == 7  # every ticket is in the mart


# --- community -----------------------------------------------------------------------------

def test_community_impact(warehouse):
    # Observations: customer-months with M + 12 <= 2025-03, i.e. January to March
    # 2024: 12 customers x 3 months = 36. With activity in the 90 days that end on
    # the snapshot day: CH1 (2024-01-10) in all three; COM1 (2024-01-01) in January
    # and February, but not on 03-31, exactly 90 days later. 5 observations.
    impact = warehouse.table("mart_community_impact").set_index("has_community_activity")
    active, other = impact.loc[True], impact.loc[False]
    assert (active["observations"], other["observations"]) == (5, 31)
    # CH1 churns in July 2024, within 12 months of each of its 3 observations
    assert active["churned"] == 3 and active["churn_rate_12m"] == pytest.approx(0.6)
    # MRR 3 x 50,000 + 2 x 40,000 = 230,000; 12 months later 0 + 2 x 50,000
    assert active["net_revenue_retention_12m"] == pytest.approx(100_000 / 230_000)
    # the others: ten flat accounts (1,645,000 a month) x 3, plus COM1 in March
    # (40,000, a year later 50,000)
    assert other["churn_rate_12m"] == 0
    assert other["net_revenue_retention_12m"] == pytest.approx((3 * 1_645_000 + 50_000) / (3 * 1_645_000 + 40_000))


# --- scorecard -----------------------------------------------------------------------------

def test_scorecard(warehouse):
    scorecard = warehouse.table("mart_cs_scorecard").set_index("month")
    # toss-ups: T1B 2025-01-10 and OVR 2025-01-31 in January, T1A 2025-02-20 in February
    assert scorecard.loc[JAN, "toss_up_count"] == 2
    assert scorecard.loc[FEB, "toss_up_count"] == 1
    assert scorecard.loc[JAN, "nps"] == pytest.approx(40.0)
    assert scorecard.loc[FEB, "nps"] == 0
    # 12 customers after CH1's churn; COM1 50,000 and LATE 35,000 by then
    assert scorecard.loc[JAN, "customers"] == 12
    assert float(scorecard.loc[JAN, "arr"]) == 12 * (1_645_000 + 50_000 + 35_000)
    # upsells: COM1's addon in June 2024, LATE's in July 2024
    assert scorecard.loc[pd.Timestamp("2024-06-01"), "upsell_count"] == 1
    assert scorecard.loc[pd.Timestamp("2024-07-01"), "upsell_count"] == 1
    assert len(scorecard) == 15  # 2024-01 .. 2025-03


# --- only the required sources ---------------------------------------------------------------

@pytest.fixture(scope="module")
def required_only_warehouse(warehouse_for, tmp_path_factory):
    """The fixture's accounts, contracts and usage alone: every optional source absent."""
    raw_dir = tmp_path_factory.mktemp("coverage_required_only")
    for name in ("accounts", "contracts", "usage"):
        (raw_dir / f"{name}.csv").write_bytes((FIXTURE_DIR / f"{name}.csv").read_bytes())
    return warehouse_for(raw_dir)


def test_marts_build_without_optional_sources(required_only_warehouse):
    warehouse = required_only_warehouse
    months = warehouse.query("select count(*) as n from int_months")["n"][0]
    tiers = warehouse.table("mart_tier_coverage")
    assert len(tiers) == 4 * months
    jan = tiers[tiers["month"] == JAN].set_index("tier")
    # no CSMs: nobody assigned, every customer of a tier with a target unassigned;
    # no touchpoints: nobody compliant, no automated touch
    assert jan["customers"].sum() == 12 and jan["assigned_customers"].sum() == 0
    assert jan.loc["tier2_mid_touch", "unassigned_customers"] == 4
    assert jan.loc["tier4_tech_touch", "unassigned_customers"] == 0
    assert (jan["allocated_fte"] == 0).all() and jan["coverage_ratio"].isna().all()
    assert jan.loc["tier1_high_touch", "touch_compliance_rate"] == 0
    assert jan.loc["tier4_tech_touch", "automated_touch_share"] == 0
    assert warehouse.table("mart_csm_book").empty
    nps = warehouse.table("mart_nps_monthly")
    assert len(nps) == months and (nps["segment_type"] == "all").all() and (nps["responses"] == 0).all()
    assert warehouse.table("mart_product_feedback").empty
    cohorts = warehouse.table("mart_onboarding_cohorts").set_index("cohort_month")
    assert cohorts.loc[pd.Timestamp("2024-01-01"), "accounts"] == 12
    assert cohorts["reached_value_accounts"].sum() == 0 and cohorts["completion_rate"].eq(0).all()
    impact = warehouse.table("mart_community_impact").set_index("has_community_activity")
    assert (impact.loc[True, "observations"], impact.loc[False, "observations"]) == (0, 36)
    assert pd.isna(impact.loc[True, "net_revenue_retention_12m"])
    scorecard = warehouse.table("mart_cs_scorecard")
    assert len(scorecard) == months
    assert (scorecard["toss_up_count"] == 0).all() and scorecard["nps"].isna().all()
