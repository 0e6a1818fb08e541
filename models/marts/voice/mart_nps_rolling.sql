-- One row per month and segment: NPS over the `nps_rolling_months` [3] months that
-- end with the month (M-2 .. M), with its responses (docs/metrics.md "Small
-- numbers"). Monthly NPS per tier or stage rests on a handful of responses; three
-- months triple them. Every month has a row for `all`, each tier of seed
-- tier_policy and each stage, with 0 responses and a null NPS where nobody in the
-- segment answered in the window. A response's tier and stage are the account's in
-- the month of the response, as in mart_nps_monthly.
{%- set window_months = var('nps_rolling_months') | int %}
with

months as (
    select * from {{ ref('int_months') }}
),

responses as (
    select * from {{ ref('int_survey_responses_joined_to_segments') }}
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

segments as (
    select
        'all' as segment_type,
        'all' as segment

    union all

    select
        'tier' as segment_type,
        tier as segment
    from tier_policy

    union all

    select
        'stage' as segment_type,
        stage as segment
    from {{ cs_stages_relation() }} as stages
),

segmented_responses as (
    select
        month,
        'all' as segment_type,
        'all' as segment,
        score
    from responses
    where survey = 'nps'

    union all

    select
        month,
        'tier' as segment_type,
        tier as segment,
        score
    from responses
    where survey = 'nps' and tier is not null

    union all

    select
        month,
        'stage' as segment_type,
        stage as segment,
        score
    from responses
    where survey = 'nps' and stage is not null
),

monthly as (
    select
        month,
        segment_type,
        segment,
        count(*) as responses,
        sum(case when score >= 9 then 1 else 0 end) as promoters,
        sum(case when score > 6 and score < 9 then 1 else 0 end) as passives,
        sum(case when score <= 6 then 1 else 0 end) as detractors
    from segmented_responses
    group by month, segment_type, segment
),

windowed as (
    select
        months.month,
        segments.segment_type,
        segments.segment,
        sum(monthly.responses) as responses,
        sum(monthly.promoters) as promoters,
        sum(monthly.passives) as passives,
        sum(monthly.detractors) as detractors
    from months
    cross join segments
    left join monthly
        on monthly.segment_type = segments.segment_type
        and monthly.segment = segments.segment
        and monthly.month <= months.month
        and monthly.month > cast({{ dbt.dateadd('month', -window_months, 'months.month') }} as date)
    group by months.month, segments.segment_type, segments.segment
),

final as (
    select
        month,
        segment_type,
        segment,
        {{ window_months }} as window_months,
        cast(coalesce(responses, 0) as bigint) as responses,
        cast(coalesce(promoters, 0) as bigint) as promoters,
        cast(coalesce(passives, 0) as bigint) as passives,
        cast(coalesce(detractors, 0) as bigint) as detractors,
        100.0 * {{ cs_ratio('promoters - detractors', 'responses') }} as nps,
        {{ cs_is_below_min_n('responses') }} as is_below_min_n
    from windowed
)

select * from final
