-- Every row of the contracts file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'contracts') }}
-- depends_on: {{ ref('base_raw__accounts') }}
-- depends_on: {{ ref('int_as_of_date') }}
-- depends_on: {{ ref('stg_raw__fx_rates') }}
{{ cs_read_raw_source('contracts') }}
