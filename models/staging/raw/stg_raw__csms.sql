-- The accepted rows of the csms file (rejected rows are in raw_rejects).
{{ cs_staged_source('csms') }}
