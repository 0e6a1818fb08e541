-- Every row of the surveys file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'surveys') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('surveys') }}
