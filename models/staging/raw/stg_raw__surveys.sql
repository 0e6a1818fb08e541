-- The accepted rows of the surveys file (rejected rows are in raw_rejects).
{{ cs_staged_source('surveys') }}
