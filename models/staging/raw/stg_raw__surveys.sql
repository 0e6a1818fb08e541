-- The accepted rows of the surveys file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('surveys', ref('base_raw__surveys')) }}

select
    response_id,
    account_id,
    responded_at,
    survey,
    score
from {{ ref('base_raw__surveys') }}
where reject_reason is null
