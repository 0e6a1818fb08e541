-- The accepted rows of the touchpoints file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('touchpoints', ref('base_raw__touchpoints')) }}

select
    touch_id,
    account_id,
    csm_id,
    touched_at,
    channel,
    purpose
from {{ ref('base_raw__touchpoints') }}
where reject_reason is null
