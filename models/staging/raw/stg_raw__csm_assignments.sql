-- The accepted rows of the csm_assignments file (rejected rows are in raw_rejects).
{{ cs_staged_source('csm_assignments') }}
