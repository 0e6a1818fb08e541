-- Invariant: NPS counts add up and stay in range, and no response or ticket is
-- lost. Every NPS row has promoters + passives + detractors = responses and an NPS
-- between -100 and 100; per month, the tier segments and the stage segments each
-- hold at most the `all` responses; the product-feedback tickets add up to the
-- tickets dated in the reporting window. Returns the rows that break it.
with

nps as (
    select * from {{ ref('mart_nps_monthly') }}
),

feedback as (
    select * from {{ ref('mart_product_feedback') }}
),

tickets as (
    select * from {{ ref('stg_raw__tickets') }}
),

months as (
    select * from {{ ref('int_months') }}
),

bad_nps_rows as (
    select
        'nps row' as problem,
        month,
        segment_type || ':' || segment as detail
    from nps
    where promoters + passives + detractors <> responses
        or nps < -100
        or nps > 100
        or (responses = 0 and nps is not null)
),

segment_totals as (
    select
        month,
        sum(case when segment_type = 'all' then responses else 0 end) as all_responses,
        sum(case when segment_type = 'tier' then responses else 0 end) as tier_responses,
        sum(case when segment_type = 'stage' then responses else 0 end) as stage_responses
    from nps
    group by month
),

bad_segment_totals as (
    select
        'segments exceed all' as problem,
        month,
        cast(all_responses as {{ dbt.type_string() }}) as detail
    from segment_totals
    where tier_responses > all_responses
        or stage_responses > all_responses
        or tier_responses <> stage_responses
),

tickets_in_window as (
    select count(*) as tickets
    from tickets
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'tickets.opened_at') }} as date)
        and tickets.opened_at <= months.snapshot_date
),

bad_ticket_total as (
    select
        'tickets lost' as problem,
        cast(null as date) as month,
        cast(tickets_in_window.tickets as {{ dbt.type_string() }}) as detail
    from tickets_in_window
    where tickets_in_window.tickets <> (select coalesce(sum(feedback.tickets), 0) from feedback)
),

final as (
    select * from bad_nps_rows
    union all
    select * from bad_segment_totals
    union all
    select * from bad_ticket_total
)

select * from final
