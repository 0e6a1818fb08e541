-- Every row of the usage file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'usage') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('usage') }}
