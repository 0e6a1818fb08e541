-- Every row of the csm_assignments file, typed, with reject_reason (null = accepted).
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('csm_assignments') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'account_id') }} as account_id,
        {{ cs_typed(raw, 'csm_id') }} as csm_id,
        {{ cs_typed(raw, 'valid_from') }} as valid_from,
        {{ cs_typed(raw, 'valid_to') }} as valid_to,
        {{ cs_as_read(raw) }}
    from source
),

known_accounts as (
    select distinct account_id
    from {{ ref('base_raw__accounts') }}
    where reject_reason is null
),

known_csms as (
    select distinct csm_id
    from {{ ref('base_raw__csms') }}
    where reject_reason is null
),

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        {{ cs_row_reason(raw, rules_in_model=[
            {'rule': 'no_overlap', 'partition': 'account_id', 'from': 'valid_from', 'to': 'valid_to'}]) }} as row_reason
    from typed
    left join known_accounts
        on known_accounts.account_id = typed.account_id
    left join known_csms
        on known_csms.csm_id = typed.csm_id
),

{{ cs_duplicate_key_rule(raw, 'rows_with_row_reasons') | trim }},

-- an interval that starts before an earlier valid interval of the same account ends
-- (contract row rule no_overlap)
rows_with_overlap_reasons as (
    select
        *,
        case
            when row_reason is null and key_reason is null
                and valid_from <= max(coalesce(valid_to, date '9999-12-31')) over (
                    partition by account_id, (row_reason is null and key_reason is null)
                    order by valid_from, source_row_number
                    rows between unbounded preceding and 1 preceding
                )
                then 'valid_from-valid_to overlaps another row of the same account_id'
        end as overlap_reason
    from rows_with_key_reasons
),

rows_with_reasons as (
    select
        *,
        nullif(concat_ws('; ', row_reason, key_reason, overlap_reason), '') as reject_reason
    from rows_with_overlap_reasons
),

final as (
    select
        source_row_number,
        account_id,
        csm_id,
        valid_from,
        valid_to,
        {{ cs_source_file(raw) }} as source_file,
        {{ cs_row_as_read(raw, 'reject_reason is not null') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
