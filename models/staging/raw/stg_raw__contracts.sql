-- The accepted rows of the contracts file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('contracts', ref('base_raw__contracts')) }}

select
    contract_id,
    account_id,
    product,
    plan,
    line_type,
    department,
    start_date,
    end_date,
    mrr,
    currency,
    seats
from {{ ref('base_raw__contracts') }}
where reject_reason is null
