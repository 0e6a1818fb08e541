-- The accepted rows of the milestones file (rejected rows are in raw_rejects).
{{ cs_staged_source('milestones') }}
