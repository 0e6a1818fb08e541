-- The accepted rows of the community file (rejected rows are in raw_rejects).
{{ cs_staged_source('community') }}
