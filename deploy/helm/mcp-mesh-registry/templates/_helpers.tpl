{{- define "mcp-mesh-registry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mcp-mesh-registry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
The Service's name. Kubernetes gives every later pod in the namespace <NAME>_PORT=tcp://…,
<NAME>_SERVICE_HOST and friends for each Service (service links), with NAME the Service's name in
upper case and "-" as "_". A Service named mcp-mesh-registry would set MCP_MESH_REGISTRY_PORT and
MCP_MESH_REGISTRY_HOST-like names that the SDK and the CLI read as settings, so a name that would
start with MCP_MESH loses its "mcp-" (mcp-mesh-registry serves as mesh-registry). service.name
chooses another, and is refused when it would collide.
*/ -}}
{{- define "mcp-mesh-registry.serviceName" -}}
{{- if .Values.service.name -}}
{{- if hasPrefix "MCP_MESH" (.Values.service.name | upper | replace "-" "_") -}}
{{- fail (printf "service.name %q would make Kubernetes set %s_PORT=tcp://… in every later pod of the namespace, a name the MCP Mesh SDK reads: choose a name that does not start with mcp-mesh" .Values.service.name (.Values.service.name | upper | replace "-" "_")) -}}
{{- end -}}
{{- .Values.service.name -}}
{{- else -}}
{{- $fullname := include "mcp-mesh-registry.fullname" . -}}
{{- if hasPrefix "mcp-mesh" $fullname -}}
{{- trimPrefix "mcp-" $fullname -}}
{{- else -}}
{{- $fullname -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mcp-mesh-registry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mcp-mesh-registry.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- /* The registry's URL inside the cluster, as agents set MCP_MESH_REGISTRY_URL. */ -}}
{{- define "mcp-mesh-registry.url" -}}
{{- printf "%s://%s.%s.svc:%v" (ternary "https" "http" (eq (include "mcp-mesh-registry.isTls" .) "true")) (include "mcp-mesh-registry.serviceName" .) .Release.Namespace .Values.service.port -}}
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

{{- /* preStop delay and grace period: the delay must leave the registry time to close. */ -}}
{{- define "mcp-mesh-registry.checkTermination" -}}
{{- $delay := int .Values.termination.preStopDelaySeconds -}}
{{- $grace := int .Values.termination.gracePeriodSeconds -}}
{{- if and (gt $delay 0) (ge $delay $grace) -}}
{{- fail (printf "termination.preStopDelaySeconds (%d) must be less than termination.gracePeriodSeconds (%d): the registry needs time to close after the delay" $delay $grace) -}}
{{- end -}}
{{- end -}}
