-- The accepted rows of the milestones file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('milestones', ref('base_raw__milestones')) }}

select
    account_id,
    milestone,
    achieved_at
from {{ ref('base_raw__milestones') }}
where reject_reason is null
