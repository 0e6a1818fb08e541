-- The accepted rows of the touchpoints file (rejected rows are in raw_rejects).
{{ cs_staged_source('touchpoints') }}
