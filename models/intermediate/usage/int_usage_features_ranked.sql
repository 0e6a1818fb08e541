-- One row per feature present in the usage data up to the as-of date: whether it is
-- core, its total events, and its rank among core features by events.
-- A feature is core unless the seed `features` marks it is_core = false, so by
-- default every feature in the data is core (metrics.md "Breadth").
with

feature_days as (
    select * from {{ ref('int_usage_aggregated_to_feature_days') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

feature_seed as (
    select * from {{ ref('features') }}
),

feature_totals as (
    select
        feature_days.feature,
        cast(sum(feature_days.events) as bigint) as events
    from feature_days
    cross join as_of
    where feature_days.usage_date <= as_of.as_of_date
    group by feature_days.feature
),

features_classified as (
    select
        feature_totals.feature,
        feature_seed.display_name,
        coalesce(feature_seed.is_core, true) as is_core,
        feature_totals.events
    from feature_totals
    left join feature_seed
        on feature_seed.feature = feature_totals.feature
),

features_ranked as (
    select
        *,
        case
            when is_core then row_number() over (partition by is_core order by events desc, feature asc)
        end as core_usage_rank
    from features_classified
),

final as (
    select
        feature,
        display_name,
        is_core,
        events,
        core_usage_rank
    from features_ranked
)

select * from final
