"""The duplicate-key checks report exactly the repeated keys.

Three checks look for repeated keys the same way: 64-bit hashes of the key, sorted,
each compared with the one before it (macro cs_sorted_repeats, macros/raw/
cs_row_rules.sql), then an exact count over the rows whose hash repeats:
- the base models' duplicate-key rule (tests/test_staging.py,
  tests/test_usage_batches.py check the rows it rejects),
- the generic data test cs_unique_grain (a model's grain),
- the generic data test raw_contract_holds (the raw contract on a staging model).

Here the two generic tests run, in one `dbt show --inline`, on Parquet files with
planted duplicates (pairs, a triple, keys with a null part, the first and the last
row repeated) among thousands of distinct keys, and cs_sorted_repeats on a list of
integers, whole and in parts. Each must report what pandas counts in the same files.
The same invocation runs cs_values_between (the declared ranges of the marts' rates and
ratios, which the publish audit relies on) on values at, inside and outside its
bounds.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from cs_warehouse.dbt_runner import run_dbt

ROWS = 20_000


def planted_grain(rng: np.random.Generator) -> pd.DataFrame:
    """Distinct (k1, k2) keys, then some of them repeated; k2 is null in some keys."""
    k1 = rng.permutation(ROWS)
    k2 = np.where(k1 % 97 == 0, None, "f" + (k1 % 5).astype(str))
    frame = pd.DataFrame({"k1": k1, "k2": k2})
    repeated = pd.concat([
        frame.sample(40, random_state=1),                    # pairs
        frame.loc[[5]], frame.loc[[5]],                      # a triple
        frame[frame.k2.isna()].head(3),                      # keys with a null part
        frame.iloc[[0, -1]],                                 # the first and the last row
    ])
    return pd.concat([frame, repeated]).sample(frac=1, random_state=2).reset_index(drop=True)


def planted_usage(rng: np.random.Generator, accounts: list[str]) -> pd.DataFrame:
    """Usage rows of known accounts with distinct keys, then some keys repeated."""
    days = pd.date_range("2025-01-01", periods=60).date
    keys = pd.MultiIndex.from_product([accounts[:60], days, ["core_a", "core_b", "extra"]]).to_frame(index=False)
    keys.columns = ["account_id", "usage_date", "feature"]
    frame = keys.sample(n=min(ROWS, len(keys)), random_state=3).reset_index(drop=True)
    frame["active_users"] = rng.integers(0, 50, len(frame))
    frame["events"] = rng.integers(0, 500, len(frame))
    repeated = pd.concat([frame.sample(25, random_state=4), frame.iloc[[7, 7, 0, -1]]])
    # a repeated key with other figures is a duplicate too
    repeated = repeated.assign(events=repeated.events + 1)
    return pd.concat([frame, repeated]).reset_index(drop=True)


def repeated_keys(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, int]:
    counts = frame.groupby(keys, dropna=False).size()
    return {tuple(None if pd.isna(part) else part for part in key): int(n) for key, n in counts[counts > 1].items()}


# values at, inside and outside the bounds of cs_values_between (nulls are not checked)
RANGES = pd.DataFrame({"rate": [0.0, 1.0, -0.1, 1.2, None, 0.5],
                       "share": [0.25, 1.0000001, 0.0, None, 1.0, 0.0],
                       "nrr": [1.8, 0.0, -0.5, None, 12.0, 1.0]})


@pytest.fixture(scope="module")
def reported(demo_warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("duplicate_checks")
    rng = np.random.default_rng(11)
    grain = planted_grain(rng)
    accounts = sorted(demo_warehouse.query("select account_id from staging.stg_raw__accounts").account_id)
    usage = planted_usage(rng, accounts)
    integers = [5, 3, 9, 3, 1, 9, 9, 2, 7, 0, 0]
    # with partition_by: 3 and 9 repeat within a part, 0 only across parts
    parts = [1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3]
    grain.to_parquet(work / "grain.parquet", index=False)
    RANGES.to_parquet(work / "ranges.parquet", index=False)
    usage.to_parquet(work / "usage.parquet", index=False)
    # dbt opens the warehouse for writing: a copy, so that other tests' readers are not in its way
    warehouse = work / "warehouse.duckdb"
    shutil.copy(demo_warehouse.path, warehouse)
    inline = f"""
select 'grain' as checked, cast(k1 as varchar) as value, k2 as detail, rows_with_key as n
from ({{{{ test_cs_unique_grain(model="read_parquet('{work / 'grain.parquet'}')", columns=['k1', 'k2']) }}}})
union all
select 'grain_by_part', cast(k1 as varchar), k2, rows_with_key
from ({{{{ test_cs_unique_grain(model="read_parquet('{work / 'grain.parquet'}')", columns=['k1', 'k2'],
                               partition_by='k2') }}}})
union all
select 'contract', value, broken_rule, null
from ({{{{ test_raw_contract_holds(model="read_parquet('{work / 'usage.parquet'}')", source_name='usage') }}}})
union all
select 'sorted_repeats', cast(key_hash as varchar), null, null
from ({{{{ cs_sorted_repeats("select unnest({integers}) as key_hash", 'key_hash') }}}})
union all
select 'sorted_repeats_by_part', cast(key_hash as varchar), null, null
from ({{{{ cs_sorted_repeats("select unnest({parts}) as part, unnest({integers}) as key_hash", 'key_hash',
                            partition_by='part') }}}})
union all
select 'between', column_name, cast(value as varchar), null
from ({{{{ test_cs_values_between(model="read_parquet('{work / 'ranges.parquet'}')", columns=['rate', 'share'],
                                 min_value=0, max_value=1) }}}})
union all
select 'at_least', column_name, cast(value as varchar), null
from ({{{{ test_cs_values_between(model="read_parquet('{work / 'ranges.parquet'}')", columns=['nrr'],
                                 min_value=0) }}}})
"""
    process = run_dbt(["show", "--inline", inline, "--limit", "10000", "--output", "json", "--quiet"],
                      raw_dir=demo_warehouse.raw_dir, warehouse=warehouse, target_path=work / "target", check=True)
    shown = pd.DataFrame(json.loads(process.stdout[process.stdout.index("{"):])["show"],
                         columns=["checked", "value", "detail", "n"])
    return {"grain": grain, "usage": usage, "integers": integers, "parts": parts, "shown": shown}


def test_unique_grain_reports_every_repeated_key_with_its_count(reported):
    shown = reported["shown"].query("checked == 'grain'")
    got = {(int(row.value), row.detail): int(row.n) for row in shown.itertuples()}
    expected = repeated_keys(reported["grain"], ["k1", "k2"])
    assert len(expected) >= 40 and max(expected.values()) >= 3
    assert any(k2 is None for _, k2 in expected)
    assert got == expected


def test_unique_grain_by_part_reports_the_same_keys(reported):
    # partitioned by k2, a part of the key (its nulls one part): every repeated key is
    # within one part, so the answer is the same as without parts
    shown = reported["shown"].query("checked == 'grain_by_part'")
    got = {(int(row.value), row.detail): int(row.n) for row in shown.itertuples()}
    assert got == repeated_keys(reported["grain"], ["k1", "k2"])


def test_unique_grain_by_a_column_outside_the_grain_is_refused(demo_warehouse, tmp_path):
    inline = ("select * from ({{ test_cs_unique_grain(model='(select 1 as k1, 2 as other)', "
              "columns=['k1'], partition_by='other') }})")
    process = run_dbt(["show", "--inline", inline, "--quiet"], raw_dir=demo_warehouse.raw_dir,
                      warehouse=tmp_path / "warehouse.duckdb", target_path=tmp_path / "target", check=False)
    assert process.returncode != 0
    assert "partition_by other is not one of the grain columns k1" in process.stdout + process.stderr


def test_raw_contract_reports_every_repeated_usage_key(reported):
    shown = reported["shown"].query("checked == 'contract'")
    # the planted file keeps every other rule of the usage contract
    assert set(shown.detail) == {"unique (account_id, usage_date, feature)"}
    got = sorted(shown.value)
    expected = sorted(f"{account}|{day}|{feature}"
                      for account, day, feature in repeated_keys(reported["usage"],
                                                                 ["account_id", "usage_date", "feature"]))
    assert len(expected) >= 27
    assert got == expected


def test_sorted_repeats_returns_each_repeated_value_once(reported):
    shown = reported["shown"].query("checked == 'sorted_repeats'")
    counts = pd.Series(reported["integers"]).value_counts()
    assert sorted(int(value) for value in shown.value) == sorted(counts[counts > 1].index) == [0, 3, 9]


def test_sorted_repeats_by_part_returns_the_values_repeated_within_a_part(reported):
    shown = reported["shown"].query("checked == 'sorted_repeats_by_part'")
    pairs = pd.DataFrame({"part": reported["parts"], "value": reported["integers"]})
    counts = pairs.groupby(["part", "value"]).size()
    expected = sorted(set(counts[counts > 1].index.get_level_values("value")))
    assert sorted(int(value) for value in shown.value) == expected == [3, 9]


def test_values_between_reports_each_value_outside_its_bounds(reported):
    shown = reported["shown"]
    between = sorted((row.value, float(row.detail)) for row in shown.query("checked == 'between'").itertuples())
    expected = sorted((column, value) for column in ("rate", "share") for value in RANGES[column].dropna()
                      if not 0 <= value <= 1)
    assert between == expected == [("rate", -0.1), ("rate", 1.2), ("share", 1.0000001)]
    at_least = [(row.value, float(row.detail)) for row in shown.query("checked == 'at_least'").itertuples()]
    assert at_least == [("nrr", -0.5)]
