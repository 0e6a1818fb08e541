-- The accepted rows of the csms file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('csms', ref('base_raw__csms')) }}

select
    csm_id,
    csm_name,
    team,
    fte
from {{ ref('base_raw__csms') }}
where reject_reason is null
