-- The accepted rows of the tickets file (rejected rows are in raw_rejects).
{{ cs_staged_source('tickets') }}
