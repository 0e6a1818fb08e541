-- The accepted rows of the fx_rates file (rejected rows are in raw_rejects).
{{ cs_staged_source('fx_rates') }}
