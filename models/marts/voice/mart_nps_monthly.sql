-- One row per month and segment: NPS in points, with promoters, passives and
-- detractors, and the mean CSAT and CES (metrics.md "NPS"). Segment `all` has a
-- row in every reporting month; a tier or stage has a row in the months in which
-- at least one of its customers responded to any survey.
with

months as (
    select * from {{ ref('int_months') }}
),

responses as (
    select * from {{ ref('int_survey_responses_joined_to_segments') }}
),

segmented_responses as (
    select
        month,
        'all' as segment_type,
        'all' as segment,
        survey,
        score
    from responses

    union all

    select
        month,
        'tier' as segment_type,
        tier as segment,
        survey,
        score
    from responses
    where tier is not null

    union all

    select
        month,
        'stage' as segment_type,
        stage as segment,
        survey,
        score
    from responses
    where stage is not null
),

aggregated as (
    select
        month,
        segment_type,
        segment,
        sum(case when survey = 'nps' then 1 else 0 end) as responses,
        sum(case when survey = 'nps' and score >= 9 then 1 else 0 end) as promoters,
        sum(case when survey = 'nps' and score > 6 and score < 9 then 1 else 0 end) as passives,
        sum(case when survey = 'nps' and score <= 6 then 1 else 0 end) as detractors,
        -- means of doubles: Spark's avg of a decimal keeps 6 decimals, DuckDB's does not
        avg(case when survey = 'csat' then cast(score as double) end) as mean_csat,
        sum(case when survey = 'csat' then 1 else 0 end) as csat_responses,
        avg(case when survey = 'ces' then cast(score as double) end) as mean_ces,
        sum(case when survey = 'ces' then 1 else 0 end) as ces_responses
    from segmented_responses
    group by month, segment_type, segment
),

-- `all` in every month, responses or not
all_segment_months as (
    select
        months.month,
        'all' as segment_type,
        'all' as segment
    from months
),

segment_months as (
    select
        month,
        segment_type,
        segment
    from all_segment_months

    union all

    select
        month,
        segment_type,
        segment
    from aggregated
    where segment_type <> 'all'
),

final as (
    select
        segment_months.month,
        segment_months.segment_type,
        segment_months.segment,
        cast(coalesce(aggregated.responses, 0) as bigint) as responses,
        cast(coalesce(aggregated.promoters, 0) as bigint) as promoters,
        cast(coalesce(aggregated.passives, 0) as bigint) as passives,
        cast(coalesce(aggregated.detractors, 0) as bigint) as detractors,
        100.0 * {{ cs_ratio('aggregated.promoters - aggregated.detractors', 'aggregated.responses') }} as nps,
        cast(aggregated.mean_csat as double) as mean_csat,
        cast(aggregated.mean_ces as double) as mean_ces,
        cast(coalesce(aggregated.csat_responses, 0) as bigint) as csat_responses,
        cast(coalesce(aggregated.ces_responses, 0) as bigint) as ces_responses,
        {{ cs_is_below_min_n('aggregated.responses') }} as is_below_min_n
    from segment_months
    left join aggregated
        on aggregated.month = segment_months.month
        and aggregated.segment_type = segment_months.segment_type
        and aggregated.segment = segment_months.segment
)

select * from final
