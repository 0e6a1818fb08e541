-- Every row of the tickets file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'tickets') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('tickets') }}
