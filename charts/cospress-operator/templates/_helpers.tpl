{{/* Chart name, shortened to the 63 characters a label value allows. */}}
{{- define "cospress-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart's. */}}
{{- define "cospress-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cospress-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cospress-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cospress-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cospress-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: cospress
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "cospress-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cospress-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cospress-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "cospress-operator.trainerImage" -}}
{{- printf "%s:%s" .Values.trainer.image.repository (default .Chart.AppVersion .Values.trainer.image.tag) }}
{{- end }}

{{- define "cospress-operator.trainerGpuImage" -}}
{{- printf "%s:%s" .Values.trainer.gpuImage.repository (default (printf "%s-cuda" .Chart.AppVersion) .Values.trainer.gpuImage.tag) }}
{{- end }}

{{/*
What the operator does to runs and to what it creates for them, in each watched namespace (or all).
It creates per-run Roles granting get/patch on one run's status, which Kubernetes allows only to
a subject that holds those permissions itself; hence get on distillationruns/status.
*/}}
{{- define "cospress-operator.runRules" -}}
- apiGroups: ["cospress.io"]
  resources: ["distillationruns"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["cospress.io"]
  resources: ["distillationruns/status"]
  verbs: ["get", "patch", "update"]
# Owner references with blockOwnerDeletion need update on the owner's finalizers.
- apiGroups: ["cospress.io"]
  resources: ["distillationruns/finalizers"]
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]
# Per-run trainer identity and manifest, watched (label
# app.kubernetes.io/managed-by=cospress-operator) so drift is repaired at once. The
# ServiceAccount is server-side applied (patch); the manifest ConfigMap is replaced (update),
# because the Java Operator SDK keeps ConfigMaps and Secrets out of server-side apply by default.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
