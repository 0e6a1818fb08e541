"""Phase 3 of the validation: unique keys, the contract's row rules, the as-of date
and FX coverage.

``RowRulesMixin`` is part of ``Validator`` (checks.py): these checks compare values
across columns or rows, so each computes its own frame in DuckDB (typed as dbt types
it, ``parsed_sql``) rather than a column's distinct values. They use the Validator's
connection, findings and helpers (``add``, ``value_sql``, ``_failed``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from cs_warehouse.contract import Source
from cs_warehouse.validate.files import OpenFile, quote, sql_string
from cs_warehouse.validate.findings import SAMPLE_SIZE
from cs_warehouse.validate.suites import expectations


class RowRulesMixin:
    """Keys, row rules, the as-of date and FX coverage (a part of Validator)."""

    # phase 3: keys and row rules
    def check_unique(self, source: Source, opened: OpenFile) -> None:
        keys = [name for name in source.unique if name in opened.columns]
        if not source.unique or len(keys) < len(source.unique):
            return
        # typed keys, as dbt compares them (and a native Parquet column needs no text conversion)
        values = [self.value_sql(opened, source.column(name), quote(opened.columns[name][0]))[1] for name in keys]
        key_hash = f"hash({', '.join(values)})"
        not_null = " and ".join(f"{value} is not null" for value in values)
        # a hash pre-filter keeps the aggregate small on very large files; the exact
        # group-by then runs only on the rows whose hash repeats
        frame = self.db.execute(f"""
            with repeated_hashes as (
                select {key_hash} as key_hash from {opened.relation} where {not_null} group by 1 having count(*) > 1
            )
            select {', '.join(f'{value} as {quote(name)}' for value, name in zip(values, keys))}, count(*) as row_count
            from {opened.relation}
            where {not_null} and {key_hash} in (select key_hash from repeated_hashes)
            group by all having count(*) > 1
            order by row_count desc
        """).df()
        gxe = expectations().gxe
        check = gxe.ExpectColumnValuesToBeBetween(column="row_count", max_value=1, meta={"id": "unique"})
        result = expectations().run(frame, [check])["unique"]
        index = result.result.get("unexpected_index_list") or []
        failed = frame.iloc[index]
        rows = int((failed["row_count"] - 1).sum()) if len(failed) else 0
        samples = [", ".join(_show(row[name]) for name in keys) + f" ({row['row_count']} rows)"
                   for _, row in failed.head(SAMPLE_SIZE).iterrows()]
        self.add(source, opened, keys, "unique", source.reason_unique(), failed=bool(index), failed_rows=rows,
                 rows_checked=opened.rows, samples=samples, expectations=[check])

    def parsed_sql(self, opened: OpenFile, source: Source, name: str) -> str:
        return self.value_sql(opened, source.column(name), quote(opened.columns[name][0]))[1]

    def check_row_rules(self, source: Source, opened: OpenFile) -> None:
        gxe = expectations().gxe
        for rule in source.row_rules:
            if rule.rule in ("not_in_future", "first_of_month"):
                continue  # checked with the column
            if rule.rule == "fx_rate_for_active_months":
                self.check_fx_rates(source, opened, rule)
                continue
            if any(name not in opened.columns for name in rule.columns):
                continue
            if rule.rule == "not_before":
                column, other = rule["column"], rule["other"]
                frame = self.db.execute(
                    f"select {self.parsed_sql(opened, source, column)} as {quote(column)}, "
                    f"{self.parsed_sql(opened, source, other)} as {quote(other)}, count(*) as row_count "
                    f"from {opened.relation} group by all").df()
                check = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column, column_B=other, or_equal=True, ignore_row_if="either_value_is_missing",
                    meta={"id": "not_before"})
                result = expectations().run(frame, [check])["not_before"]
                rows, samples = self._failed(frame, result, lambda row: (
                    f"{column} {row[column].date()} < {other} {row[other].date()}"))
                self.add(source, opened, [column, other], "not_before", rule.reason(), failed=bool(rows),
                         failed_rows=rows, rows_checked=opened.rows, samples=samples, expectations=[check])
            elif rule.rule == "range_when":
                column, when = rule["column"], rule["when_column"]
                value_when, _ = self.value_sql(opened, source.column(when), quote(opened.columns[when][0]))
                frame = self.db.execute(
                    f"select {value_when} as {quote(when)}, cast({self.parsed_sql(opened, source, column)} as double) "
                    f"as {quote(column)}, count(*) as row_count from {opened.relation} group by all").df()
                for when_value, (low, high) in rule["ranges"].items():
                    part = frame[frame[when] == when_value].reset_index(drop=True)
                    check = gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high,
                                                              meta={"id": "range"})
                    result = expectations().run(part, [check])["range"]
                    rows, samples = self._failed(part, result, lambda row: f"{row[column]:g}")
                    self.add(source, opened, [column, when], "range_when", rule.reason(when_value), failed=bool(rows),
                             failed_rows=rows, rows_checked=int(part["row_count"].sum()), samples=samples,
                             expectations=[check])
            elif rule.rule == "no_overlap":
                key, start, end = rule["partition"], rule["from"], rule["to"]
                key_value, _ = self.value_sql(opened, source.column(key), quote(opened.columns[key][0]))
                frame = self.db.execute(f"""
                    with intervals as (
                        select {key_value} as interval_key,
                               {self.parsed_sql(opened, source, start)} as interval_start,
                               {self.parsed_sql(opened, source, end)} as interval_end,
                               row_number() over () as row_order
                        from {opened.relation}
                    ),
                    valid as (
                        select * from intervals
                        where interval_key is not null and interval_start is not null
                            and (interval_end is null or interval_end >= interval_start)
                    )
                    select interval_key as {quote(key)}, interval_start as {quote(start)},
                           max(coalesce(interval_end, date '9999-12-31')) over (
                               partition by interval_key order by interval_start, row_order
                               rows between unbounded preceding and 1 preceding) as previous_end,
                           1 as row_count
                    from valid
                """).df()
                check = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=start, column_B="previous_end", or_equal=False, ignore_row_if="either_value_is_missing",
                    meta={"id": "no_overlap"})
                result = expectations().run(frame, [check])["no_overlap"]
                rows, samples = self._failed(frame, result, lambda row: (
                    f"{key} {row[key]}: {start} {row[start].date()} before an earlier row ends"))
                self.add(source, opened, [key, start, end], "no_overlap", rule.reason(), failed=bool(rows),
                         failed_rows=rows, rows_checked=opened.rows, samples=samples, expectations=[check])
            else:
                raise ValueError(f"Unknown row rule {rule.rule} in the contract of {source.name}")

    def resolve_as_of_date(self) -> dt.date | None:
        """The as-of date as the build decides it (int_as_of_date): the var as_of_date, else
        the latest usage_date not after today. Reports it, and warns when the latest days
        look like stray rows: days after the latest complete day, a day with at least
        `usage_complete_day_share` of the average rows per day of the 28 days before it
        (macros/usage/cs_latest_complete_usage_day.sql, the test warn_latest_usage_days_look_stray)."""
        usage = self.open_files.get("usage")
        source = self.contract.sources["usage"]
        latest = complete = None
        later_rows = 0
        share = float(self.dbt_vars.get("usage_complete_day_share", 0.1))
        if usage is not None and "usage_date" in usage.columns:
            parsed = self.parsed_sql(usage, source, "usage_date")
            latest, complete, later_rows = self.db.execute(f"""
                with daily_rows as (
                    select d as usage_date, count(*) as rows
                    from (select {parsed} as d from {usage.relation})
                    where d <= current_date
                    group by d
                ),
                days_with_reference as (
                    select usage_date, rows, avg(rows) over (
                        order by usage_date range between interval 28 day preceding and interval 1 day preceding
                    ) as reference_rows
                    from daily_rows
                ),
                complete as (
                    select max(usage_date) as usage_date from days_with_reference
                    where reference_rows is null or rows >= {share} * reference_rows
                )
                select
                    (select max(usage_date) from daily_rows),
                    (select usage_date from complete),
                    (select coalesce(sum(rows), 0) from daily_rows where usage_date > (select usage_date from complete))
            """).fetchone()
        if self.dbt_vars.get("as_of_date"):
            as_of = dt.date.fromisoformat(str(self.dbt_vars["as_of_date"]))
            self.add(source, usage, ["usage_date"], "as_of_date",
                     f"as-of date {as_of}: set by the var as_of_date"
                     + (f"; the usage runs to {latest}" if latest else ""), failed=True, info=True)
            return as_of
        if latest is None:
            return None
        if complete is not None and complete < latest:
            self.add(source, usage, ["usage_date"], "as_of_date",
                     f"as-of date {latest}, the latest usage day; but the days after {complete} hold fewer than "
                     f"{share:g} of an average day's rows each: stray rows? They move the reporting window of "
                     f"every figure. If the export really ends on {complete}, set the var as_of_date: {complete}",
                     failed=True, failed_rows=int(later_rows))
        else:
            self.add(source, usage, ["usage_date"], "as_of_date", f"as-of date {latest}: the latest usage day",
                     failed=False)
        return latest

    def check_fx_rates(self, source: Source, opened: OpenFile, rule) -> None:
        """A line in a currency other than the reporting currency needs a rate for every
        month it is active, up to the as-of month."""
        if any(name not in opened.columns for name in ("start_date",)):
            return
        reporting = str(self.dbt_vars.get("reporting_currency", "JPY"))
        currency_column = source.column("currency")
        if "currency" in opened.columns:
            currency_value, _ = self.value_sql(opened, currency_column, quote(opened.columns["currency"][0]))
        else:
            currency_value = "null"
        currency = f"coalesce({currency_value}, {sql_string(currency_column.default_value(self.dbt_vars) or reporting)})"
        start = self.parsed_sql(opened, source, "start_date")
        end = self.parsed_sql(opened, source, "end_date") if "end_date" in opened.columns else "cast(null as date)"
        as_of = self.as_of_date
        if as_of is None:
            return
        fx = self.open_files.get("fx_rates")
        if fx is not None and all(name in fx.columns for name in ("currency", "month", "rate")):
            fx_source = self.contract.sources["fx_rates"]
            fx_currency, _ = self.value_sql(fx, fx_source.column("currency"), quote(fx.columns["currency"][0]))
            rates = (f"select distinct {fx_currency} as currency, {self.parsed_sql(fx, fx_source, 'month')} as month "
                     f"from {fx.relation} where {self.parsed_sql(fx, fx_source, 'rate')} > 0")
        else:
            rates = "select cast(null as varchar) as currency, cast(null as date) as month where false"
        frame = self.db.execute(f"""
            with lines as (
                select {currency} as currency, {start} as start_date, {end} as end_date, count(*) as row_count
                from {opened.relation}
                group by all
            ),
            foreign_lines as (
                select * from lines
                where currency <> {sql_string(reporting)} and start_date is not null
                    and start_date <= date {sql_string(as_of.isoformat())}
                    and start_date <= coalesce(end_date, start_date)
            ),
            line_months as (
                select currency, start_date, end_date, row_count,
                       cast(unnest(generate_series(
                           date_trunc('month', start_date),
                           date_trunc('month', least(coalesce(end_date, date {sql_string(as_of.isoformat())}),
                                                     date {sql_string(as_of.isoformat())})),
                           interval 1 month)) as date) as month
                from foreign_lines
            ),
            rates as ({rates})
            select line_months.currency, line_months.start_date, line_months.end_date, line_months.row_count,
                   count(*) as months_active,
                   count(rates.month) as months_with_rate,
                   min(case when rates.month is null then line_months.month end) as first_month_missing
            from line_months
            left join rates on rates.currency = line_months.currency and rates.month = line_months.month
            group by all
        """).df()
        gxe = expectations().gxe
        check = gxe.ExpectColumnPairValuesToBeEqual(column_A="months_with_rate", column_B="months_active",
                                                    meta={"id": "fx"})
        result = expectations().run(frame, [check])["fx"]
        rows, samples = self._failed(frame, result, lambda row: (
            f"{row['currency']} {pd.Timestamp(row['first_month_missing']).strftime('%Y-%m')}"))
        self.add(source, opened, ["currency", "start_date", "end_date"], "fx_rate_for_active_months",
                 f"currency has no fx_rates rate for a month the line is active (reporting currency {reporting}, "
                 f"as of {as_of.isoformat()})", failed=bool(rows), failed_rows=rows, rows_checked=opened.rows,
                 samples=samples, expectations=[check])


def _show(value: Any) -> str:
    """A value as a reader wrote it: a date without a time of day."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():  # pandas Timestamps too
        return value.date().isoformat()
    return str(value)
