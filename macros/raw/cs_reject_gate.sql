{#-
    cs_reject_gate(source_name, base, rows=none): what the rejected rows of a source
    do to the build, called by its staging model. `base` holds the source's rejected
    rows (with reject_reason); `rows`, where given, the relation whose rows with a
    null reject_reason are accepted (default: base).

    Rejected rows stay in `raw_rejects`. What a reject does is set by the dbt var
    `reject_policy`:
      default  rejects in a source whose contract says reject_severity: error
               (accounts, contracts) fail the build; others are a warning;
      error    every reject fails the build;
      warn     every reject is a warning.
    Whatever the policy, a source whose every row is rejected says so, with the
    reasons that all its rows share ("all 78,645 usage rows were rejected:
    active_users is null"), instead of leaving an empty staging model to fail a
    test downstream. It stops the build for a required source, and for an
    optional one unless the policy is warn (then it is a warning: the source is
    as if absent).
-#}
{% macro cs_reject_gate(source_name, base, rows=none) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set contract = cs_contract(source_name) -%}
    {%- set policy = var('reject_policy', 'default') -%}
    {%- if policy not in ('default', 'error', 'warn') -%}
        {{ exceptions.raise_compiler_error('var reject_policy must be default, error or warn, not ' ~ policy) }}
    {%- endif -%}
    {%- set summary = run_query(
        'select reject_reason, count(*) as rows_rejected, min(source_row_number) as first_row, min(source_file) as source_file'
        ~ ' from ' ~ base ~ ' where reject_reason is not null group by reject_reason order by rows_rejected desc, reject_reason') -%}
    {%- if summary.rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set total = summary.rows | sum(attribute=1) -%}
    {%- set lines = [] -%}
    {%- for row in summary.rows -%}
        {%- do lines.append(row[1] ~ ' row(s): ' ~ row[0] ~ ' (first at data row ' ~ row[2] ~ ')') -%}
    {%- endfor -%}
    {%- set message = summary.rows[0][3] ~ ': ' ~ total ~ ' row(s) rejected; they are kept in raw_rejects with their reason.\n  '
        ~ lines | join('\n  ') -%}
    {%- set severity = contract.meta.get('reject_severity', 'warn') if policy == 'default' else policy -%}
    {%- set accepted = run_query('select count(*) from (select 1 from ' ~ (rows or base) ~ ' where reject_reason is null limit 1)') -%}
    {%- if accepted.rows[0][0] == 0 -%}
        {#- the reasons every rejected row has: the cause, where there is one -#}
        {%- set parts = {} -%}
        {%- for row in summary.rows -%}
            {%- for part in row[0].split('; ') -%}
                {%- do parts.update({part: parts.get(part, 0) + row[1]}) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set common = [] -%}
        {%- for part, rows in parts.items() if rows == total -%}{%- do common.append(part) -%}{%- endfor -%}
        {%- set message = summary.rows[0][3] ~ ': all ' ~ '{:,}'.format(total) ~ ' ' ~ source_name ~ ' rows were rejected: '
            ~ (common | join('; ') if common else lines | join('; ')) ~ '. They are kept in raw_rejects.' -%}
        {%- if contract.meta.get('required', false) or policy != 'warn' -%}
            {{ exceptions.raise_compiler_error(message
                ~ ('\nThe source ' ~ source_name ~ ' is required: the warehouse has no figures without its rows.'
                   if contract.meta.get('required', false) else
                   '\nFix the file, remove it to build without ' ~ source_name ~ ', or build anyway with --vars \'{reject_policy: warn}\'.')) }}
        {%- endif -%}
        {{- exceptions.warn(message ~ ' The source is treated as absent.') -}}
        {{ return('') }}
    {%- endif -%}
    {%- if severity == 'error' -%}
        {{ exceptions.raise_compiler_error(message
            ~ '\nRejects in ' ~ source_name ~ ' stop the build because the figures would be wrong without them.'
            ~ ' Fix the file, or build anyway with --vars \'{reject_policy: warn}\'.') }}
    {%- else -%}
        {{- exceptions.warn(message) -}}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
