#!/usr/bin/env bash
# hack/promql-metrics.sh - build hack/promql-metrics, the tool our Java tests
# use to list the metric names that PromQL expressions read.
#
# WHY this script exists
#   The tests check that every metric used by the Grafana dashboard and the
#   alert rules is exported by the trainer or the operator. Only Prometheus'
#   own parser finds those names reliably, and it is Go, so we build a small Go
#   program (hack/promql-metrics/, its go.mod pins the Prometheus version) with
#   dependencies fetched through the ordinary Go module machinery:
#
#       ~/.cache/cospress/tools/promql-metrics-<hash>/promql-metrics
#
#   <hash> is taken from go.mod and main.go, so an edit to either builds a new
#   binary and an old checkout still finds its own.
#
#   The program reads a JSON array of PromQL strings on stdin and prints
#   {"metrics": [sorted unique names], "errors": [{"expr", "error"}]}; see the
#   doc comment in hack/promql-metrics/main.go.
#
# Usage
#   hack/promql-metrics.sh [--force]
#
#   The LAST line on stdout is the absolute path of the binary; all progress
#   output goes to stderr, so callers can do BIN=$(hack/promql-metrics.sh | tail -n1).
#   A re-run with the binary in place only smoke-tests it (no `go` needed).
#
# Environment (all optional)
#   COSPRESS_TOOLS_DIR   output root (default ~/.cache/cospress/tools)
#   GOPATH / GOMODCACHE / GOCACHE are used as Go sets them, so the module and
#   build caches are shared with every other Go build on the machine.

set -Eeuo pipefail

# Everything we (and go) print goes to stderr; fd 3 keeps the real stdout for
# the single result line.
exec 3>&1 1>&2

CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/cospress"
TOOLS_DIR="${COSPRESS_TOOLS_DIR:-$CACHE_BASE/tools}"
SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/promql-metrics" && pwd -P)"
FORCE=0

trap 'rc=$?; printf "[promql-metrics] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[promql-metrics] %s\n' "$*" >&2; }
die() { printf '[promql-metrics] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) FORCE=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
  shift
done

for f in go.mod go.sum main.go; do
  [[ -f "$SRC_DIR/$f" ]] || die "missing $SRC_DIR/$f"
done

# Content hash of what determines the binary (go.sum only verifies go.mod's
# choices). File names are part of the hashed text, so content cannot shift
# from one file to the other unnoticed.
HASH="$(cd "$SRC_DIR" && sha256sum go.mod main.go | sha256sum | cut -c1-12)"

mkdir -p "$TOOLS_DIR"
TOOLS_DIR="$(cd "$TOOLS_DIR" && pwd -P)"
BIN_DIR="$TOOLS_DIR/promql-metrics-${HASH}"
BIN="$BIN_DIR/promql-metrics"

# Cache check: the binary counts only if it runs and gives the known answer,
# so a truncated file from an interrupted run is rebuilt, not trusted.
SMOKE_IN='["rate(a_total[5m]) / on(pod) {__name__=\"b\"}", "sum("]'
bin_ok() {
  local f="${1:-$BIN}" out
  [[ -x "$f" ]] || return 1
  out="$(timeout 20 "$f" <<<"$SMOKE_IN" 2>/dev/null)" || return 1
  [[ "$out" == '{"metrics":["a_total","b"],"errors":[{"expr":"sum(","error":'* ]]
}

finish() {
  # The one and only line on stdout.
  printf '%s\n' "$BIN" >&3
  exit 0
}

if [[ "$FORCE" == 0 ]] && bin_ok; then
  log "cached: $BIN"
  finish
fi

# ---------------------------------------------------------------------------
# From here on we build, so we need Go.
command -v go >/dev/null 2>&1 || die "'go' is not on PATH (try /usr/local/go/bin); it builds $SRC_DIR."

# Serialise concurrent runs (e.g. parallel test JVMs asking at once).
exec 9>"$TOOLS_DIR/.promql-metrics.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for build lock $TOOLS_DIR/.promql-metrics.lock"
  flock 9
  if [[ "$FORCE" == 0 ]] && bin_ok; then
    log "another run built it meanwhile"
    finish
  fi
fi

# GOTOOLCHAIN=local: never try to download another Go toolchain; go.mod's
#   `go` line says which Go is needed, and `go` says so clearly if ours is older.
# CGO_ENABLED=0: a static binary, no C toolchain.
# GOWORK=off: a go.work somewhere above the repo must not leak in.
# GOFLAGS: -mod=readonly never rewrites the committed go.mod/go.sum;
#   -trimpath keeps local paths out of the binary.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
export GOFLAGS="-mod=readonly -trimpath -buildvcs=false"

log "using $(go version) (GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE))"

WORK="$(mktemp -d "$TOOLS_DIR/.promql-metrics-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

START=$SECONDS
log "building $SRC_DIR (hash $HASH) ..."
(cd "$SRC_DIR" && nice -n 10 go build -ldflags "-s -w" -o "$WORK/promql-metrics" .) \
  || die "go build of $SRC_DIR failed (see above)"
log "built in $((SECONDS - START))s"

bin_ok "$WORK/promql-metrics" || die "fresh binary does not give the expected answer for $SMOKE_IN"

mkdir -p "$BIN_DIR"
chmod 0755 "$WORK/promql-metrics"
# mv within one filesystem is an atomic rename: a running test keeps its old inode.
mv -f "$WORK/promql-metrics" "$BIN"
log "ready: $BIN"
finish
