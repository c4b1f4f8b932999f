#!/usr/bin/env bash
# hack/helm.sh - build the Helm 3 CLI that our chart tests run.
#
# WHY this script exists
#   Helm is normally installed from a release tarball or an install script that
#   downloads one. Our machines and CI reach package registries only, never a
#   download site, so we compile `helm` from its source, fetched through the
#   ordinary Go module machinery (`go` + the configured GOPROXY):
#
#       ~/.cache/cospress/tools/helm-<X.Y.Z>/helm
#
#   Helm 3 (helm.sh/helm/v3), not 4: v3 is what most users run.
#
# Usage
#   hack/helm.sh [--force] [--version X.Y.Z]
#
#   The LAST line on stdout is the absolute path of the helm binary; all
#   progress output goes to stderr, so callers can do HELM=$(hack/helm.sh | tail -n1).
#   A second run finds the binary cached, checks that it runs and reports the
#   expected version, and prints the path (well under a second, no `go` needed).
#
# Environment (all optional)
#   COSPRESS_HELM_VERSION   Helm version (default below)
#   COSPRESS_TOOLS_DIR      output root (default ~/.cache/cospress/tools)
#   GOPATH / GOMODCACHE / GOCACHE are used as Go sets them, so the module and
#   build caches are shared with every other Go build on the machine.

set -Eeuo pipefail

# Everything we (and go) print goes to stderr; fd 3 keeps the real stdout for
# the single result line, so `$(hack/helm.sh)` stays clean.
exec 3>&1 1>&2

# ---------------------------------------------------------------------------
# Defaults.
# 3.22.0: newest Helm 3 release the module proxy serves here; its go.mod says
# `go 1.26.0`, so the installed Go 1.26 builds it with GOTOOLCHAIN=local.
DEFAULT_HELM_VERSION="3.22.0"

CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/cospress"
HELM_VERSION="${COSPRESS_HELM_VERSION:-$DEFAULT_HELM_VERSION}"
TOOLS_DIR="${COSPRESS_TOOLS_DIR:-$CACHE_BASE/tools}"
FORCE=0

trap 'rc=$?; printf "[helm] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[helm] %s\n' "$*" >&2; }
die() { printf '[helm] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) FORCE=1 ;;
    --version) [[ $# -ge 2 ]] || die "--version needs a value"; HELM_VERSION="$2"; shift ;;
    --version=*) HELM_VERSION="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
  shift
done

HELM_VERSION="${HELM_VERSION#v}"
[[ "$HELM_VERSION" =~ ^3\.[0-9]+\.[0-9]+$ ]] \
  || die "Helm version must look like 3.22.0 (got '$HELM_VERSION'); this script builds Helm 3 only"

mkdir -p "$TOOLS_DIR"
TOOLS_DIR="$(cd "$TOOLS_DIR" && pwd -P)"
BIN_DIR="$TOOLS_DIR/helm-${HELM_VERSION}"
BIN="$BIN_DIR/helm"

# ---------------------------------------------------------------------------
# Cache check: the binary counts only if it runs and reports the expected
# version, so a truncated file from an interrupted run is rebuilt, not trusted.
# HELM_*_HOME point at an empty place so a user's broken helm config cannot
# make the check fail.
helm_ok() {
  local f="${1:-$BIN}" out
  [[ -x "$f" ]] || return 1
  out="$(timeout 20 env HELM_CONFIG_HOME=/nonexistent HELM_CACHE_HOME=/nonexistent \
           HELM_DATA_HOME=/nonexistent "$f" version --template '{{.Version}}' 2>/dev/null)" || return 1
  [[ "$out" == "v${HELM_VERSION}" ]]
}

finish() {
  # The one and only line on stdout.
  printf '%s\n' "$BIN" >&3
  exit 0
}

if [[ "$FORCE" == 0 ]] && helm_ok; then
  log "cached: helm v${HELM_VERSION} at $BIN"
  finish
fi

# ---------------------------------------------------------------------------
# From here on we build, so we need Go.
command -v go >/dev/null 2>&1 || die "'go' is not on PATH (try /usr/local/go/bin); it builds Helm ${HELM_VERSION} from the module proxy (3.22.x needs Go >= 1.26)."

# Serialise concurrent runs; they would otherwise race on the output file.
exec 9>"$TOOLS_DIR/.helm.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for build lock $TOOLS_DIR/.helm.lock"
  flock 9
  if [[ "$FORCE" == 0 ]] && helm_ok; then
    log "another run built helm meanwhile"
    finish
  fi
fi

# GOTOOLCHAIN=local: never try to download another Go toolchain; if the
#   installed Go is too old, `go` says so clearly.
# CGO_ENABLED=0: a static binary, as upstream's release builds; no C toolchain.
# GOWORK=off: a go.work somewhere above the work dir must not leak in.
# GOFLAGS: -mod=mod fills the wrapper's go.sum from the checksum db;
#   -trimpath keeps local paths out of the binary.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
export GOFLAGS="-mod=mod -trimpath -buildvcs=false"
NICE=(nice -n 10)

log "using $(go version) (GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE))"

# A temporary wrapper module that requires Helm; built into a scratch dir next
# to the target and moved into place only once it runs.
WORK="$(mktemp -d "$TOOLS_DIR/.helm-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Print the field $2 of `go mod download -json $1` (the JSON is flat enough for sed).
mod_field() {
  local json
  json="$(cd "$WORK" && GOFLAGS='' go mod download -json "$1")" \
    || die "cannot download module $1 through the Go module proxy"
  sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json" | head -n1
}

MODULE="helm.sh/helm/v3"
log "fetching ${MODULE} v${HELM_VERSION} (first time: its source and dependencies into the module cache)"
HELM_GOMOD="$(mod_field "${MODULE}@v${HELM_VERSION}" GoMod)"
[[ -f "$HELM_GOMOD" ]] || die "module download of ${MODULE} v${HELM_VERSION} gave no go.mod"

{
  echo "// Generated by hack/helm.sh; temporary."
  echo "module cospress.local/helm-build"
  echo
  # Same language version and GODEBUG defaults upstream builds with.
  grep -E '^(go|godebug) ' "$HELM_GOMOD" || true
  echo
  echo "require ${MODULE} v${HELM_VERSION}"
} >"$WORK/go.mod"

# Version stamping as upstream's Makefile does it: `helm version` reports the
# release, and the default Kubernetes version (.Capabilities.KubeVersion in
# `helm template`, deprecation lint) follows the client-go Helm is built with
# (client-go v0.M.m -> Kubernetes v1.m).
LDFLAGS="-s -w"
LDFLAGS+=" -X ${MODULE}/internal/version.version=v${HELM_VERSION}"
LDFLAGS+=" -X ${MODULE}/internal/version.gitTreeState=clean"
CLIENT_GO="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$HELM_GOMOD")"
if [[ "$CLIENT_GO" =~ ^v0\.([0-9]+)\. ]]; then
  K8S_MINOR="${BASH_REMATCH[1]}"
  for pkg in pkg/lint/rules pkg/chartutil; do
    LDFLAGS+=" -X ${MODULE}/${pkg}.k8sVersionMajor=1 -X ${MODULE}/${pkg}.k8sVersionMinor=${K8S_MINOR}"
  done
  log "default Kubernetes version for templates: v1.${K8S_MINOR} (client-go ${CLIENT_GO})"
else
  log "warning: no k8s.io/client-go v0.x in ${MODULE}'s go.mod; keeping Helm's built-in default Kubernetes version"
fi

START=$SECONDS
log "building helm v${HELM_VERSION} (cold: several minutes on 2 cores) ..."
(cd "$WORK" && "${NICE[@]}" go build -ldflags "$LDFLAGS" -o "$WORK/helm" "${MODULE}/cmd/helm") \
  || die "go build of helm failed (see above)"
log "built helm in $((SECONDS - START))s"

helm_ok "$WORK/helm" || die "fresh helm does not run or does not report v${HELM_VERSION}"
log "  $("$WORK/helm" version 2>&1)"

mkdir -p "$BIN_DIR"
chmod 0755 "$WORK/helm"
# mv within one filesystem is an atomic rename: a running test keeps its old inode.
mv -f "$WORK/helm" "$BIN"

helm_ok || die "installed $BIN does not pass the version check"
log "helm ready at $BIN"
finish
