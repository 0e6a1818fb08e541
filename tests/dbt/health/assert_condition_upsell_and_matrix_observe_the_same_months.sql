-- Invariant: mart_utilization_matrix counts the same customer-months, upsells and
-- churns as mart_condition_upsell (both observe the customer-months whose outcome
-- windows are complete; a condition is null only where health is). Returns a row
-- when the totals differ.
with

condition_totals as (
    select
        sum(observations) as observations,
        sum(upsold) as upsold,
        sum(churned) as churned
    from {{ ref('mart_condition_upsell') }}
),

matrix_totals as (
    select
        sum(observations) as observations,
        sum(upsold) as upsold,
        sum(churned) as churned,
        count(*) as cells
    from {{ ref('mart_utilization_matrix') }}
)

select
    condition_totals.observations as condition_observations,
    matrix_totals.observations as matrix_observations
from condition_totals
cross join matrix_totals
where matrix_totals.cells > 0
    and (
        matrix_totals.observations <> condition_totals.observations
        or matrix_totals.upsold <> condition_totals.upsold
        or matrix_totals.churned <> condition_totals.churned
    )
