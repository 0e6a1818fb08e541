{#-
    cs_wilson_low(successes, observations) / cs_wilson_high(...): the Wilson score
    interval for a binomial proportion, 95% by default (z = the 0.975 quantile of the
    standard normal). Null where there are no observations.

        centre = (p + z^2 / 2n) / (1 + z^2 / n)
        half   = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)
-#}
{% macro cs_wilson_z() -%}
    1.959963984540054
{%- endmacro %}


{% macro cs_wilson_bound(successes, observations, sign, z=none) -%}
    {%- set z = z or cs_wilson_z() -%}
    {%- set n = 'cast(' ~ observations ~ ' as double)' -%}
    {%- set p = '(cast(' ~ successes ~ ' as double) / nullif(' ~ n ~ ', 0))' -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }}))
        {{ sign }} {{ z }} * sqrt({{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }}))
    ) / (1 + {{ z }} * {{ z }} / {{ n }})
{%- endmacro %}


{#- The bounds are exactly 0 when there are no successes and exactly 1 when every
    observation is one (floating point would give 1e-17 or 0.9999999999999998), and
    are clamped to [0, 1]. -#}
{% macro cs_wilson_low(successes, observations, z=none) -%}
    case
        when {{ observations }} > 0 and {{ successes }} = 0 then 0.0
        when {{ observations }} > 0 then greatest(0.0, {{ cs_wilson_bound(successes, observations, '-', z) }})
    end
{%- endmacro %}


{% macro cs_wilson_high(successes, observations, z=none) -%}
    case
        when {{ observations }} > 0 and {{ successes }} = {{ observations }} then 1.0
        when {{ observations }} > 0 then least(1.0, {{ cs_wilson_bound(successes, observations, '+', z) }})
    end
{%- endmacro %}


{#- cs_is_below_min_n(observations): true when a rate rests on fewer than
    `min_n_to_show` [10] observations, so that a report greys it out or leaves it
    out (docs/metrics.md "Small numbers"). -#}
{% macro cs_is_below_min_n(observations) -%}
    coalesce({{ observations }}, 0) < {{ var('min_n_to_show') }}
{%- endmacro %}
