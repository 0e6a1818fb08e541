-- Every row of the csm_assignments file, typed, with reject_reason (null = accepted).
-- depends_on: {{ source('raw', 'csm_assignments') }}
-- depends_on: {{ ref('base_raw__accounts') }}
-- depends_on: {{ ref('base_raw__csms') }}
{{ cs_read_raw_source('csm_assignments') }}
