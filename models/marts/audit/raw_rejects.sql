-- Every raw row that broke a contract rule, with its source and reason. Together
-- with the staging models it accounts for every row read: for each source,
-- rows read = rows accepted (stg_raw__<source>) + rows rejected (here).
{%- set sources = ['accounts', 'contracts', 'usage', 'csms', 'csm_assignments', 'touchpoints',
                   'surveys', 'tickets', 'milestones', 'community', 'fx_rates'] %}

with

{% for source_name in sources %}
{{ source_name }}_rejects as (
    select
        '{{ source_name }}' as source,
        source_row,
        reject_reason as reason,
        source_file,
        source_row_number
    {#- usage: its base model is a view; its rejects, duplicate keys included, are collected in base_raw__usage_rejects #}
    from {{ ref('base_raw__usage_rejects' if source_name == 'usage' else 'base_raw__' ~ source_name) }}
    where reject_reason is not null
),
{% endfor %}

final as (
    {%- for source_name in sources %}
    select * from {{ source_name }}_rejects
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
