-- One row per raw source: which file this build read, and how many of its rows were read,
-- accepted (in its staging model) and rejected (in raw_rejects). The three counts
-- come from three relations, so the test rows_read = rows_accepted + rows_rejected
-- checks that no row was lost between them. A Parquet file's rows read are its row
-- count in the file's metadata (no row is read again); a CSV file's are counted in its
-- base model.
{%- set sources = ['accounts', 'contracts', 'usage', 'csms', 'csm_assignments', 'touchpoints',
                   'surveys', 'tickets', 'milestones', 'community', 'fx_rates'] %}

with

rejects as (
    select * from {{ ref('raw_rejects') }}
),

rejected_per_source as (
    select
        source,
        count(*) as rows_rejected
    from rejects
    group by source
),

{% for source_name in sources %}
{%- set raw_file = cs_raw_file(source_name) %}
{%- set in_metadata = raw_file and raw_file.format == 'parquet' %}
{{ source_name }}_read as (
    select
        '{{ source_name }}' as source,
        -- the file this build read
        {{ cs_sql_string(raw_file.path) if raw_file else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as source_file,
        {{ cs_parquet_row_count(raw_file.path) if in_metadata else 'count(*)' }} as rows_read
    from {{ '(select 1 as one_row) as file_metadata' if in_metadata else ref('base_raw__' ~ source_name) }}
),

{{ source_name }}_accepted as (
    select
        '{{ source_name }}' as source,
        {%- if source_name == 'usage' %}
        -- the usage rows the incremental aggregate holds: a refresh that skipped rows
        -- of the export would make rows_read <> rows_accepted + rows_rejected here
        cast(coalesce(sum(usage_rows), 0) as bigint) as rows_accepted
        {%- else %}
        count(*) as rows_accepted
        {%- endif %}
    from {{ ref('int_usage_aggregated_to_account_days' if source_name == 'usage' else 'stg_raw__' ~ source_name) }}
),
{% endfor %}

read_and_accepted as (
    {%- for source_name in sources %}
    select
        {{ source_name }}_read.source,
        {{ source_name }}_read.source_file,
        {{ source_name }}_read.rows_read,
        {{ source_name }}_accepted.rows_accepted
    from {{ source_name }}_read
    cross join {{ source_name }}_accepted
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        read_and_accepted.source,
        read_and_accepted.source_file,
        read_and_accepted.source_file is not null as is_provided,
        cast(read_and_accepted.rows_read as bigint) as rows_read,
        cast(read_and_accepted.rows_accepted as bigint) as rows_accepted,
        cast(coalesce(rejected_per_source.rows_rejected, 0) as bigint) as rows_rejected
    from read_and_accepted
    left join rejected_per_source
        on rejected_per_source.source = read_and_accepted.source
)

select * from final
