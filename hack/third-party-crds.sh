#!/usr/bin/env bash
# hack/third-party-crds.sh - fetch the third-party CRDs our tests install into
# the test API server, so that objects of those kinds can be dry-run there.
#
# WHY this script exists
#   The operator creates or documents objects whose kinds a bare kube-apiserver
#   does not know: Kueue's (ClusterQueue, LocalQueue, ResourceFlavor,
#   Workload, ...) and prometheus-operator's (ServiceMonitor, PodMonitor,
#   PrometheusRule). A server-side dry-run of such objects needs the real CRDs.
#   Upstream publishes them as release assets on a download site, which our
#   machines and CI cannot reach; but both projects also ship them inside their
#   Go modules, so we take them from the Go module proxy (`go mod download`)
#   and copy them out of the module cache:
#
#       <dir>/kueue/kueue.x-k8s.io_*.yaml           (sigs.k8s.io/kueue,
#                                                    config/components/crd/bases/)
#       <dir>/kueue/VERSION                         e.g. v0.17.0
#       <dir>/prometheus-operator/monitoring.coreos.com_{servicemonitors,podmonitors,prometheusrules}.yaml
#                                                   (github.com/prometheus-operator/prometheus-operator,
#                                                    example/prometheus-operator-crd/)
#       <dir>/prometheus-operator/VERSION           e.g. v0.94.1
#
#   The directory names carry no version, so tests can find them; each VERSION
#   file says which release the CRDs came from. Every copied file is checked to
#   be a single apiextensions.k8s.io/v1 CustomResourceDefinition.
#
# Usage
#   hack/third-party-crds.sh [--force] [--dir DIR] [--kueue-version vX.Y.Z]
#                            [--prometheus-operator-version vX.Y.Z]
#
#   The LAST line on stdout is <dir> (absolute); all progress output goes to
#   stderr, so callers can do DIR=$(hack/third-party-crds.sh | tail -n1).
#   A re-run with the files in place only checks them (no `go` needed).
#
# Environment (all optional)
#   COSPRESS_THIRD_PARTY_CRDS_DIR          output root (default ~/.cache/cospress/third-party-crds)
#   COSPRESS_KUEUE_VERSION                 Kueue version (default below)
#   COSPRESS_PROMETHEUS_OPERATOR_VERSION   prometheus-operator version (default below)
#   GOPATH / GOMODCACHE are used as Go sets them, so the module cache is shared.

set -Eeuo pipefail

# Everything we (and go) print goes to stderr; fd 3 keeps the real stdout for
# the single result line.
exec 3>&1 1>&2

# ---------------------------------------------------------------------------
# Defaults.
# Kueue v0.17.0: the version the module proxy serves here.
# prometheus-operator v0.94.1: newest root-module release the proxy serves here
#   (v0.95.x is refused; the pkg/apis/monitoring submodule has its own tags).
DEFAULT_KUEUE_VERSION="v0.17.0"
DEFAULT_PROMETHEUS_OPERATOR_VERSION="v0.94.1"

KUEUE_MODULE="sigs.k8s.io/kueue"
KUEUE_SUBDIR="config/components/crd/bases"
# CRDs our tests rely on; any others in that directory are copied as well.
KUEUE_REQUIRED=(clusterqueues localqueues resourceflavors workloads)

PROMOP_MODULE="github.com/prometheus-operator/prometheus-operator"
# Tried in order; both hold the same CRDs in the releases we looked at.
PROMOP_SUBDIRS=(example/prometheus-operator-crd example/prometheus-operator-crd-full)
# file stem -> expected spec.names.kind
PROMOP_FILES=(servicemonitors:ServiceMonitor podmonitors:PodMonitor prometheusrules:PrometheusRule)

CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/cospress"
OUT_ROOT="${COSPRESS_THIRD_PARTY_CRDS_DIR:-$CACHE_BASE/third-party-crds}"
KUEUE_VERSION="${COSPRESS_KUEUE_VERSION:-$DEFAULT_KUEUE_VERSION}"
PROMOP_VERSION="${COSPRESS_PROMETHEUS_OPERATOR_VERSION:-$DEFAULT_PROMETHEUS_OPERATOR_VERSION}"
FORCE=0

trap 'rc=$?; printf "[third-party-crds] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[third-party-crds] %s\n' "$*" >&2; }
die() { printf '[third-party-crds] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) FORCE=1 ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; OUT_ROOT="$2"; shift ;;
    --dir=*) OUT_ROOT="${1#*=}" ;;
    --kueue-version) [[ $# -ge 2 ]] || die "--kueue-version needs a value"; KUEUE_VERSION="$2"; shift ;;
    --kueue-version=*) KUEUE_VERSION="${1#*=}" ;;
    --prometheus-operator-version) [[ $# -ge 2 ]] || die "--prometheus-operator-version needs a value"; PROMOP_VERSION="$2"; shift ;;
    --prometheus-operator-version=*) PROMOP_VERSION="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
  shift
done

# Module versions carry the "v".
KUEUE_VERSION="v${KUEUE_VERSION#v}"
PROMOP_VERSION="v${PROMOP_VERSION#v}"
for v in "$KUEUE_VERSION" "$PROMOP_VERSION"; do
  [[ "$v" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "not a module version: '$v'"
done

mkdir -p "$OUT_ROOT"
OUT_ROOT="$(cd "$OUT_ROOT" && pwd -P)"
KUEUE_DIR="$OUT_ROOT/kueue"
PROMOP_DIR="$OUT_ROOT/prometheus-operator"

# ---------------------------------------------------------------------------
# crd_ok FILE [KIND]: FILE holds exactly one YAML document, an
# apiextensions.k8s.io/v1 CustomResourceDefinition (of spec.names.kind KIND if
# given). Generated CRDs are plain block YAML, so line-level checks suffice.
crd_ok() {
  local f="$1" kind="${2:-}"
  [[ -s "$f" ]] || return 1
  awk -v want_kind="$kind" '
    /^---[[:space:]]*$/ { if (seen_content) docs++; next }
    /^[^#[:space:]]/    { seen_content = 1 }
    /^apiVersion:/      { api = $2; napi++ }
    /^kind:/            { k = $2; nkind++ }
    /^  names:/         { in_names = 1; next }
    /^  [^ ]/           { in_names = 0 }
    in_names && /^    kind:/ { names_kind = $2 }
    END {
      if (docs > 0 || napi != 1 || nkind != 1) exit 1
      if (api != "apiextensions.k8s.io/v1" || k != "CustomResourceDefinition") exit 1
      if (names_kind == "" || (want_kind != "" && names_kind != want_kind)) exit 1
    }' "$f"
}

# kueue_ok / promop_ok: the output dir is complete for the wanted version
# (VERSION file matches, every expected CRD file is present and valid).
kueue_ok() {
  local f s
  [[ "$(cat "$KUEUE_DIR/VERSION" 2>/dev/null)" == "$KUEUE_VERSION" ]] || return 1
  for s in "${KUEUE_REQUIRED[@]}"; do
    [[ -f "$KUEUE_DIR/kueue.x-k8s.io_${s}.yaml" ]] || return 1
  done
  for f in "$KUEUE_DIR"/*.yaml; do crd_ok "$f" || return 1; done
}

promop_ok() {
  local e
  [[ "$(cat "$PROMOP_DIR/VERSION" 2>/dev/null)" == "$PROMOP_VERSION" ]] || return 1
  for e in "${PROMOP_FILES[@]}"; do
    crd_ok "$PROMOP_DIR/monitoring.coreos.com_${e%%:*}.yaml" "${e#*:}" || return 1
  done
}

finish() {
  log "CRDs ready: $KUEUE_DIR ($KUEUE_VERSION), $PROMOP_DIR ($PROMOP_VERSION)"
  # The one and only line on stdout.
  printf '%s\n' "$OUT_ROOT" >&3
  exit 0
}

if [[ "$FORCE" == 0 ]] && kueue_ok && promop_ok; then
  log "cached: CRDs already present and valid"
  finish
fi

# ---------------------------------------------------------------------------
# From here on we fetch, so we need Go.
command -v go >/dev/null 2>&1 || die "'go' is not on PATH (try /usr/local/go/bin); it fetches the CRDs' source modules from the module proxy."

# Serialise concurrent runs; they would otherwise race on the output dirs.
exec 9>"$OUT_ROOT/.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for lock $OUT_ROOT/.lock"
  flock 9
  if [[ "$FORCE" == 0 ]] && kueue_ok && promop_ok; then
    log "another run fetched the CRDs meanwhile"
    finish
  fi
fi

# GOTOOLCHAIN=local: never try to download another Go toolchain.
# GOWORK=off / GOFLAGS empty / a scratch cwd: no go.mod or go.work around us
#   may influence the download.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=
SCRATCH="$(mktemp -d "$OUT_ROOT/.work.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

# module_dir MODULE@VERSION: download the module (or find it in the module
# cache) and print its extracted directory.
module_dir() {
  local json dir
  json="$(cd "$SCRATCH" && go mod download -json "$1" 2>&1)" \
    || die "cannot download module $1 through the Go module proxy: $(sed -n 's/.*"Error": "\(.*\)".*/\1/p' <<<"$json" | head -n1)"
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)"
  [[ -d "$dir" ]] || die "go mod download of $1 reported no directory"
  printf '%s\n' "$dir"
}

# install_dir STAGE DEST: replace DEST by the fully prepared STAGE.
install_dir() {
  local stage="$1" dest="$2"
  rm -rf "$dest.old"
  if [[ -e "$dest" ]]; then mv "$dest" "$dest.old"; fi
  mv "$stage" "$dest"
  rm -rf "$dest.old"
}

# ---------------------------------------------------------------------------
fetch_kueue() {
  local src stage f n=0 s
  log "fetching ${KUEUE_MODULE}@${KUEUE_VERSION}"
  src="$(module_dir "${KUEUE_MODULE}@${KUEUE_VERSION}")/${KUEUE_SUBDIR}"
  [[ -d "$src" ]] || die "${KUEUE_MODULE}@${KUEUE_VERSION} has no ${KUEUE_SUBDIR}/"
  stage="$SCRATCH/kueue"
  mkdir -p "$stage"
  for f in "$src"/*.yaml; do
    [[ -e "$f" ]] || continue
    crd_ok "$f" || die "$f is not a single apiextensions.k8s.io/v1 CustomResourceDefinition"
    # Module cache files are read-only; give the copies normal permissions.
    install -m 0644 "$f" "$stage/"
    n=$((n + 1))
  done
  for s in "${KUEUE_REQUIRED[@]}"; do
    [[ -f "$stage/kueue.x-k8s.io_${s}.yaml" ]] \
      || die "${KUEUE_MODULE}@${KUEUE_VERSION} lacks ${KUEUE_SUBDIR}/kueue.x-k8s.io_${s}.yaml"
  done
  printf '%s\n' "$KUEUE_VERSION" >"$stage/VERSION"
  install_dir "$stage" "$KUEUE_DIR"
  log "kueue: $n CRDs from ${KUEUE_MODULE}@${KUEUE_VERSION}/${KUEUE_SUBDIR}"
}

fetch_promop() {
  local mod src="" d stage e f
  log "fetching ${PROMOP_MODULE}@${PROMOP_VERSION}"
  mod="$(module_dir "${PROMOP_MODULE}@${PROMOP_VERSION}")"
  for d in "${PROMOP_SUBDIRS[@]}"; do
    if [[ -f "$mod/$d/monitoring.coreos.com_servicemonitors.yaml" ]]; then src="$mod/$d"; break; fi
  done
  [[ -n "$src" ]] || die "${PROMOP_MODULE}@${PROMOP_VERSION} has none of ${PROMOP_SUBDIRS[*]}"
  stage="$SCRATCH/prometheus-operator"
  mkdir -p "$stage"
  for e in "${PROMOP_FILES[@]}"; do
    f="$src/monitoring.coreos.com_${e%%:*}.yaml"
    [[ -f "$f" ]] || die "${PROMOP_MODULE}@${PROMOP_VERSION} lacks ${f#"$mod"/}"
    crd_ok "$f" "${e#*:}" || die "$f is not a single apiextensions.k8s.io/v1 CustomResourceDefinition of kind ${e#*:}"
    install -m 0644 "$f" "$stage/"
  done
  printf '%s\n' "$PROMOP_VERSION" >"$stage/VERSION"
  install_dir "$stage" "$PROMOP_DIR"
  log "prometheus-operator: ${#PROMOP_FILES[@]} CRDs from ${PROMOP_MODULE}@${PROMOP_VERSION}/${src#"$mod"/}"
}

if [[ "$FORCE" == 1 ]] || ! kueue_ok; then fetch_kueue; fi
if [[ "$FORCE" == 1 ]] || ! promop_ok; then fetch_promop; fi

kueue_ok || die "$KUEUE_DIR does not pass the check after copying"
promop_ok || die "$PROMOP_DIR does not pass the check after copying"
finish
