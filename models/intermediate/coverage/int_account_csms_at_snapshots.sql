-- One row per account and reporting month in which a CSM is assigned to the account
-- on the month's snapshot day: that CSM is the account's CSM in the month
-- (metrics.md "Tiers and coverage": the one assigned on the snapshot day). A
-- reassignment in the middle of a month counts from the month whose snapshot day
-- it covers. The contract allows one CSM per account and day; should two
-- assignments overlap anyway, the later-starting one wins.
with

assignments as (
    select * from {{ ref('stg_raw__csm_assignments') }}
),

months as (
    select * from {{ ref('int_months') }}
),

assignments_at_snapshot as (
    select
        assignments.account_id,
        months.month,
        months.snapshot_date,
        assignments.csm_id,
        assignments.valid_from,
        row_number() over (
            partition by assignments.account_id, months.month
            order by assignments.valid_from desc, assignments.csm_id asc
        ) as assignment_order
    from months
    inner join assignments
        on assignments.valid_from <= months.snapshot_date
        and (assignments.valid_to is null or assignments.valid_to >= months.snapshot_date)
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        csm_id
    from assignments_at_snapshot
    where assignment_order = 1
)

select * from final
