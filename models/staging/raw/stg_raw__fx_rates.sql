-- The accepted rows of the fx_rates file. Rejected rows are in raw_rejects;
-- cs_reject_gate stops the build or warns on them (var reject_policy).
{{ cs_reject_gate('fx_rates', ref('base_raw__fx_rates')) }}

select
    currency,
    month,
    rate
from {{ ref('base_raw__fx_rates') }}
where reject_reason is null
