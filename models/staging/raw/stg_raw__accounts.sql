-- The accepted rows of the accounts file (rejected rows are in raw_rejects).
{{ cs_staged_source('accounts') }}
