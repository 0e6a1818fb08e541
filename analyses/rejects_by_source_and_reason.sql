-- The rows the raw contract rejected, by source and reason, with one example row
-- each: where to look first when a figure seems short.
with

rejects as (
    select * from {{ ref('raw_rejects') }}
),

final as (
    select
        source,
        reason,
        count(*) as rejected_rows,
        min(source_row) as example_row
    from rejects
    group by source, reason
)

select * from final
order by rejected_rows desc, source asc, reason asc
