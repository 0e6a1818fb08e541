{#-
    Generic test cs_exactly_one_row(): the model has exactly one row (its grain is
    "one row"). Fails with the row count otherwise.
-#}
{% test cs_exactly_one_row(model) %}
select count(*) as rows_in_model
from {{ model }}
having count(*) <> 1
{% endtest %}
