-- The accepted rows of the tickets file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('tickets', ref('base_raw__tickets')) }}

select
    ticket_id,
    account_id,
    opened_at,
    category,
    feature
from {{ ref('base_raw__tickets') }}
where reject_reason is null
