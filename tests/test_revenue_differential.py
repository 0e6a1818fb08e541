"""The revenue and cohort marts against an independent computation.

test_revenue_reference.py computes every figure of fct_mrr_monthly,
int_account_tiers_monthly, int_renewals_due, mart_revenue_monthly,
mart_expansion_monthly and mart_cohort_retention in plain Python straight from the
raw files and metrics.md. Here the marts built by dbt must agree with it on a
hand-made dataset full of edge cases and on generated datasets (several seeds,
small and medium sizes): counts and keys exactly, money exactly (both sides are
exact decimals, which is stricter than the 1e-9 the spec allows), rates within
1e-9 relative.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import pytest
import test_revenue_reference as reference
from conftest import open_warehouse
from test_revenue_reference import revenue_hand_raw_dir  # noqa: F401  (a shared session fixture)

GENERATED = [(1, 80), (2, 80), (3, 80), (7, 150), (4, 400)]


def fetch(warehouse, sql: str) -> list[dict]:
    """Rows as dicts with exact values (Decimal money), not pandas floats."""
    with open_warehouse(warehouse.path) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def same(actual, expected) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, Decimal) or isinstance(actual, Decimal):
        return Decimal(actual) == Decimal(expected)
    if isinstance(expected, (bool,)) or isinstance(actual, bool):
        return bool(actual) == bool(expected)
    return actual == expected


def assert_matches(actual_rows: list[dict], expected_frame, keys: list[str], label: str) -> None:
    """Every row and column of the reference frame is in the mart, and no other row."""
    expected_rows = expected_frame.to_dict("records") if len(expected_frame) else []
    columns = [column for column in expected_frame.columns if column != "month_index"]
    def key_of(row):
        return tuple(row[key] for key in keys)
    actual = {key_of(row): row for row in actual_rows}
    expected = {key_of(row): row for row in expected_rows}
    assert len(actual) == len(actual_rows), f"{label}: duplicate keys in the mart"
    missing, extra = sorted(set(expected) - set(actual), key=str), sorted(set(actual) - set(expected), key=str)
    assert not missing and not extra, f"{label}: rows missing {missing[:5]}, unexpected {extra[:5]}"
    problems = []
    for key, row in expected.items():
        for column in columns:
            value = row[column]
            if isinstance(value, float) and math.isnan(value):
                value = None
            if not same(actual[key][column], value):
                problems.append(f"{key} {column}: mart {actual[key][column]!r}, reference {value!r}")
    assert not problems, f"{label}: {len(problems)} differences, e.g.\n" + "\n".join(problems[:15])


def check_all(warehouse, ref: reference.Reference) -> None:
    fct = reference.fct_mrr_monthly(ref)
    assert len(fct) > 0
    assert_matches(fetch(warehouse, "select * from main.fct_mrr_monthly"), fct,
                   ["account_id", "month"], "fct_mrr_monthly")
    assert_matches(fetch(warehouse, "select account_id, month, arr, tier from intermediate.int_account_tiers_monthly"),
                   reference.account_tiers_monthly(ref), ["account_id", "month"], "int_account_tiers_monthly")
    assert_matches(fetch(warehouse, "select * from intermediate.int_renewals_due"), reference.renewals_due(ref),
                   ["account_id", "month"], "int_renewals_due")
    assert_matches(fetch(warehouse, "select * from main.mart_revenue_monthly"), reference.revenue_monthly(ref),
                   ["month"], "mart_revenue_monthly")
    assert_matches(fetch(warehouse, "select * from main.mart_expansion_monthly"),
                   reference.expansion_monthly(ref), ["month", "expansion_type"], "mart_expansion_monthly")
    assert_matches(fetch(warehouse, "select * from main.mart_cohort_retention"), reference.cohort_retention(ref),
                   ["segment_type", "segment", "cohort_month", "age_months"], "mart_cohort_retention")


@pytest.fixture(scope="session")
def hand_warehouse(revenue_hand_raw_dir, warehouse_for):
    return warehouse_for(revenue_hand_raw_dir)


def test_marts_match_the_reference_on_the_hand_dataset(hand_warehouse):
    check_all(hand_warehouse, reference.load(hand_warehouse.raw_dir))


def test_hand_dataset_figures_seen_by_a_user(hand_warehouse):
    """A few figures of the hand dataset, worked out by hand (see test_revenue_reference)."""
    revenue = {row["month"]: row for row in fetch(hand_warehouse, "select * from main.mart_revenue_monthly")}
    february, march = revenue[dt.date(2024, 2, 1)], revenue[dt.date(2024, 3, 1)]
    # February: A2 churns (500), A3 is new at 20 USD x 100
    assert (february["churned_customers"], february["churned_mrr"], february["new_mrr"]) == (1, 500, 2000)
    assert february["renewals_due"] == 1 and february["renewal_churn_rate"] == 1.0
    # March: A2 comes back (reactivation, not new); A3 grows 2000 -> 3300 (FX and a cross-sell)
    assert (march["new_customers"], march["reactivated_customers"], march["reactivation_mrr"]) == (0, 1, 500)
    assert march["expansion_mrr"] == 1300 and march["mrr_end"] == 4800
    assert march["nrr_12m"] is None and march["maturity_level"] is None


@pytest.mark.parametrize("seed, accounts", GENERATED)
def test_marts_match_the_reference_on_generated_data(dataset, warehouse_for, seed, accounts):
    raw_dir = dataset(seed, accounts)
    warehouse = warehouse_for(raw_dir)
    rejects = fetch(warehouse, "select source, count(*) as n from main.raw_rejects "
                               "where source in ('accounts', 'contracts', 'fx_rates') group by source")
    assert not rejects, f"the generated revenue sources should be clean: {rejects}"
    ref = reference.load(raw_dir)
    check_all(warehouse, ref)
    # the dataset is big enough to exercise every movement and the trailing-12 figures
    movements = {row["movement"] for row in fetch(warehouse, "select distinct movement from main.fct_mrr_monthly")}
    assert {"new", "expansion", "contraction", "churn", "retained"} <= movements
    assert fetch(warehouse, "select count(nrr_12m) as n from main.mart_revenue_monthly")[0]["n"] > 0


@pytest.mark.parametrize("seed, accounts", [(1, 80), (4, 400)])
def test_expansions_recover_the_planted_expansions_by_type(dataset, warehouse_for, seed, accounts):
    """Known answer: the generator plants expansions of each type (truth.json expansions_by_type).

    The mart's expansions whose account changed its lines between the two snapshot days are
    exactly those, type for type. The others are moves of the FX rate alone on unchanged
    foreign-currency lines, which metrics.md counts as expansions too (rate of the month).
    """
    raw_dir = dataset(seed, accounts)
    warehouse = warehouse_for(raw_dir)
    truth = json.loads((raw_dir / "truth.json").read_text())["expansions_by_type"]
    rows = fetch(warehouse, """
        with lines as (
            select account_id, month, list_sort(list(contract_id)) as contract_ids
            from intermediate.int_contract_lines_joined_to_snapshots
            group by account_id, month
        )
        select
            fct.expansion_type,
            count(case when now.contract_ids is distinct from before.contract_ids then 1 end) as line_changes,
            count(case when now.contract_ids is not distinct from before.contract_ids then 1 end) as fx_only
        from main.fct_mrr_monthly as fct
        left join lines as now
            on now.account_id = fct.account_id and now.month = fct.month
        left join lines as before
            on before.account_id = fct.account_id and before.month = fct.month - interval 1 month
        where fct.movement = 'expansion'
        group by fct.expansion_type
    """)
    recovered = {row["expansion_type"]: row["line_changes"] for row in rows if row["line_changes"]}
    assert recovered == {kind: count for kind, count in truth.items() if count}
