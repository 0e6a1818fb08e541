-- The accepted rows of the community file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('community', ref('base_raw__community')) }}

select
    account_id,
    activity_date,
    activity,
    quantity
from {{ ref('base_raw__community') }}
where reject_reason is null
