-- Every row of the fx_rates file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'fx_rates') }}
{{ cs_read_raw_source('fx_rates') }}
