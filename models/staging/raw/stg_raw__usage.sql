-- The accepted rows of the usage file (rejected rows are in raw_rejects).
{{ cs_staged_source('usage') }}
