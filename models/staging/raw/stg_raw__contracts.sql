-- The accepted rows of the contracts file (rejected rows are in raw_rejects).
{{ cs_staged_source('contracts') }}
