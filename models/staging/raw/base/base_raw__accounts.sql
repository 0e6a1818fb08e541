-- Every row of the accounts file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'accounts') }}
-- depends_on: {{ ref('tier_policy') }}
{{ cs_read_raw_source('accounts') }}
