-- Every row of the csms file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'csms') }}
{{ cs_read_raw_source('csms') }}
