-- Every row of the milestones file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'milestones') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('milestones') }}
