-- Every row of the touchpoints file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'touchpoints') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('touchpoints') }}
