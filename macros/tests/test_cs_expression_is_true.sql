{#-
    Generic test cs_expression_is_true(expression): every row of the model satisfies
    `expression` (a SQL boolean over its columns). Fails with the rows that do not.
-#}
{% test cs_expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
