-- The accepted rows of the csm_assignments file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('csm_assignments', ref('base_raw__csm_assignments')) }}

select
    account_id,
    csm_id,
    valid_from,
    valid_to
from {{ ref('base_raw__csm_assignments') }}
where reject_reason is null
