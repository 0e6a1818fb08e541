-- The accepted rows of the accounts file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('accounts', ref('base_raw__accounts')) }}

select
    account_id,
    account_name,
    created_at,
    industry,
    employee_count,
    region,
    is_advocate,
    tier_override
from {{ ref('base_raw__accounts') }}
where reject_reason is null
