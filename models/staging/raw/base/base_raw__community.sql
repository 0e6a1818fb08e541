-- Every row of the community file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'community') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('community') }}
