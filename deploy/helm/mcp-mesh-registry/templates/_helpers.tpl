{{- define "mcp-mesh-registry.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mcp-mesh-registry.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mcp-mesh-registry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-mesh-registry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mcp-mesh-registry.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "mcp-mesh-registry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "mcp-mesh-registry.isSqlite" -}}
{{- if eq .Values.database.type "sqlite" -}}true{{- else if eq .Values.database.type "postgresql" -}}{{- else -}}
{{- fail (printf "database.type must be sqlite or postgresql, not %q" .Values.database.type) -}}
{{- end -}}
{{- end -}}

{{- define "mcp-mesh-registry.replicas" -}}
{{- if include "mcp-mesh-registry.isSqlite" . -}}
{{- if gt (int .Values.replicaCount) 1 -}}
{{- fail "database.type=sqlite runs one replica: one SQLite file takes one writer. Use database.type=postgresql for more." -}}
{{- end -}}
1
{{- else -}}
{{- if not .Values.database.postgresql.existingSecret -}}
{{- fail "database.type=postgresql needs database.postgresql.existingSecret: a Secret with the database URL" -}}
{{- end -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{- define "mcp-mesh-registry.claimName" -}}
{{- .Values.database.sqlite.persistence.existingClaim | default (printf "%s-data" (include "mcp-mesh-registry.fullname" .)) -}}
{{- end -}}

{{- /* "true" when registration trust is on (tls.mode auto or strict), which needs both Secrets. */ -}}
{{- define "mcp-mesh-registry.isTls" -}}
{{- $mode := .Values.tls.mode | toString -}}
{{- if or (eq $mode "auto") (eq $mode "strict") -}}
{{- if not .Values.tls.certSecret -}}
{{- fail (printf "tls.mode=%s needs tls.certSecret: a kubernetes.io/tls Secret with the registry's certificate" $mode) -}}
{{- end -}}
{{- if not .Values.tls.trustSecret -}}
{{- fail (printf "tls.mode=%s needs tls.trustSecret: a Secret with the trusted entities' CA certificates (<entity>.pem)" $mode) -}}
{{- end -}}
true
{{- else if ne $mode "off" -}}
{{- fail (printf "tls.mode must be off, auto or strict, not %q" $mode) -}}
{{- end -}}
{{- end -}}
