#!/usr/bin/env bash
# hack/k8s-binaries.sh - build the real Kubernetes control-plane binaries that
# Fabric8 kube-api-test (io.fabric8:kube-api-test 7.5.2) runs in our tests.
#
# WHY this script exists
#   kube-api-test normally downloads a tarball of etcd + kube-apiserver + kubectl.
#   Our machines and CI reach package registries only, never a download site,
#   so we compile the binaries from source, fetching the source through the
#   ordinary Go module machinery (`go` + the configured GOPROXY), and lay them
#   out exactly as kube-api-test's offline mode expects:
#
#       <dir>/k8s/<X.Y.Z>-linux-<arch>/{etcd,kube-apiserver,kubectl}
#
#   kube-api-test 7.5.2 (BinaryManager/Utils/OSInfo) looks for
#   "<testDir>/k8s/<version>" + "-" + lower(os.name) + "-" + arch, where arch is
#   "amd64" for x86_64 and "arm64" for aarch64, and the file names are exactly
#   etcd, kube-apiserver and kubectl. <version> must be purely numeric dotted
#   (its SemverComparator does Integer.parseInt on every part), so no "v"
#   prefix and no suffix.
#
# Usage
#   hack/k8s-binaries.sh [--with-controllers] [--with-node] [--force] [--dir DIR]
#                        [--k8s-version X.Y.Z] [--etcd-version X.Y.Z]
#
#   --with-controllers  also kube-scheduler and kube-controller-manager
#   --with-node         also everything a real node needs (hack/cluster.sh): the
#                       controllers above plus kubelet and kube-proxy
#
#   The LAST line on stdout is the kube-api-test directory (give it to
#   KubeAPIServerConfigBuilder.withTestDir(...) or KUBE_API_TEST_DIR); all
#   progress output goes to stderr so callers can do DIR=$(hack/k8s-binaries.sh | tail -n1).
#
# Environment (all optional)
#   COSPRESS_K8S_VERSION        Kubernetes version (default below)
#   COSPRESS_ETCD_VERSION       etcd version (default: the one the chosen
#                               Kubernetes release tests against)
#   COSPRESS_KUBE_API_TEST_DIR  output root (default ~/.cache/cospress/kube-api-test)
#   COSPRESS_K8S_BUILD_DIR      wrapper-module work dir (default ~/.cache/cospress/k8s-build)
#   GOPATH / GOMODCACHE / GOCACHE are used as Go sets them, so the module and
#   build caches are shared with every other Go build on the machine.

set -Eeuo pipefail

# Everything we (and go) print goes to stderr; fd 3 keeps the real stdout for
# the single result line, so `$(hack/k8s-binaries.sh)` stays clean.
exec 3>&1 1>&2

# ---------------------------------------------------------------------------
# Defaults.
# 1.34.4: newest 1.34 patch the module proxy serves here; builds with Go 1.24+
# (its go.mod says `go 1.24.0`), so the installed Go 1.26 works with
# GOTOOLCHAIN=local; Fabric8 7.5.x / JOSDK 5.2.x target 1.34-era APIs.
DEFAULT_K8S_VERSION="1.34.4"

CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/cospress"
K8S_VERSION="${COSPRESS_K8S_VERSION:-$DEFAULT_K8S_VERSION}"
ETCD_VERSION="${COSPRESS_ETCD_VERSION:-}"
OUT_ROOT="${COSPRESS_KUBE_API_TEST_DIR:-$CACHE_BASE/kube-api-test}"
WORK_ROOT="${COSPRESS_K8S_BUILD_DIR:-$CACHE_BASE/k8s-build}"
WITH_CONTROLLERS=0
WITH_NODE=0
FORCE=0

# Any unexpected failure under `set -e` says where it happened instead of
# exiting silently.
trap 'rc=$?; printf "[k8s-binaries] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[k8s-binaries] %s\n' "$*" >&2; }
die() { printf '[k8s-binaries] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --with-controllers) WITH_CONTROLLERS=1 ;;
    --with-node) WITH_CONTROLLERS=1; WITH_NODE=1 ;;
    --force) FORCE=1 ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; OUT_ROOT="$2"; shift ;;
    --dir=*) OUT_ROOT="${1#*=}" ;;
    --k8s-version) [[ $# -ge 2 ]] || die "--k8s-version needs a value"; K8S_VERSION="$2"; shift ;;
    --k8s-version=*) K8S_VERSION="${1#*=}" ;;
    --etcd-version) [[ $# -ge 2 ]] || die "--etcd-version needs a value"; ETCD_VERSION="$2"; shift ;;
    --etcd-version=*) ETCD_VERSION="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
  shift
done

# Accept "v1.34.4" too, but kube-api-test needs the bare "1.34.4" in the dir name.
K8S_VERSION="${K8S_VERSION#v}"
ETCD_VERSION="${ETCD_VERSION#v}"
[[ "$K8S_VERSION" =~ ^1\.([0-9]+)\.([0-9]+)$ ]] \
  || die "Kubernetes version must look like 1.34.4 (got '$K8S_VERSION'); kube-api-test parses it as plain numbers"
K8S_MINOR="${BASH_REMATCH[1]}"
K8S_PATCH="${BASH_REMATCH[2]}"
# Staging modules (k8s.io/api, client-go, ...) are published as v0.<minor>.<patch>
# for Kubernetes v1.<minor>.<patch>.
STAGING_VERSION="v0.${K8S_MINOR}.${K8S_PATCH}"

[[ "$(uname -s)" == "Linux" ]] || die "only Linux is supported (kube-api-test dir suffix is -linux-<arch>)"
case "$(uname -m)" in
  x86_64|amd64) ARCH=amd64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) die "unsupported CPU $(uname -m): kube-api-test only maps x86_64->amd64 and aarch64->arm64" ;;
esac

# Make relative --dir values absolute: the printed path is used from other cwd's.
mkdir -p "$OUT_ROOT" "$WORK_ROOT"
OUT_ROOT="$(cd "$OUT_ROOT" && pwd -P)"
WORK_ROOT="$(cd "$WORK_ROOT" && pwd -P)"
BIN_DIR="$OUT_ROOT/k8s/${K8S_VERSION}-linux-${ARCH}"

BINARIES=(etcd kube-apiserver kubectl)
if [[ "$WITH_CONTROLLERS" == 1 ]]; then
  BINARIES+=(kube-scheduler kube-controller-manager)
fi
# kubelet and kube-proxy come from the same wrapper module; the go.sum it starts
# with lacks their extra dependencies, which GOFLAGS=-mod=mod below fills in.
if [[ "$WITH_NODE" == 1 ]]; then
  BINARIES+=(kubelet kube-proxy)
fi

# ---------------------------------------------------------------------------
# Cache check: a binary counts as present only if it runs and reports the
# expected version, so a truncated file from an interrupted run (or a build of
# another version) is rebuilt rather than trusted.
binary_ok() {
  local name="$1" f="$BIN_DIR/$1" out
  [[ -x "$f" ]] || return 1
  case "$name" in
    etcd)
      out="$(timeout 20 "$f" --version 2>/dev/null)" || return 1
      if [[ -n "$ETCD_VERSION" ]]; then
        grep -qx "etcd Version: ${ETCD_VERSION}" <<<"$out" || return 1
      else
        grep -q '^etcd Version: 3\.' <<<"$out" || return 1
      fi ;;
    kubectl)
      out="$(timeout 20 "$f" version --client 2>/dev/null)" || return 1
      grep -qx "Client Version: v${K8S_VERSION}" <<<"$out" || return 1 ;;
    *)
      out="$(timeout 20 "$f" --version 2>/dev/null)" || return 1
      [[ "$out" == "Kubernetes v${K8S_VERSION}" ]] || return 1 ;;
  esac
}

all_ok() {
  local b
  for b in "${BINARIES[@]}"; do binary_ok "$b" || return 1; done
}

finish() {
  log "binaries ready in $BIN_DIR"
  # The one and only line on stdout.
  printf '%s\n' "$OUT_ROOT" >&3
  exit 0
}

if [[ "$FORCE" == 0 ]] && all_ok; then
  log "cached: ${BINARIES[*]} for Kubernetes v${K8S_VERSION} already present and working"
  finish
fi

# ---------------------------------------------------------------------------
# From here on we build, so we need Go.
command -v go >/dev/null 2>&1 || die "'go' is not on PATH (try /usr/local/go/bin). Go >= 1.24 is needed to build Kubernetes ${K8S_VERSION} from the module proxy."

# Serialise concurrent runs (e.g. two Maven modules preparing tests at once):
# they would otherwise race on the same wrapper go.mod and output files.
exec 9>"$WORK_ROOT/.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for build lock $WORK_ROOT/.lock"
  flock 9
  # Someone else may have finished the job while we waited.
  if [[ "$FORCE" == 0 ]] && all_ok; then
    log "another run built the binaries meanwhile"
    finish
  fi
fi

# GOTOOLCHAIN=local: never try to download another Go toolchain (not reachable
#   here); if the installed Go is too old, `go` says so clearly.
# CGO_ENABLED=0: upstream builds these binaries statically too; no C toolchain needed.
# GOWORK=off: a go.work somewhere above the cache dir must not leak in.
# GOFLAGS=-mod=mod: the wrapper go.sum is filled in on the fly from the checksum db.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH="$ARCH" GOWORK=off
export GOFLAGS="-mod=mod -buildvcs=false"
# Be a good neighbour on a shared 2-core machine.
NICE=(nice -n 10)

log "using $(go version) (GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE))"

# Print the field $2 of `go mod download -json $1` (the JSON is flat enough for sed).
mod_field() {
  local json
  json="$(cd "$WORK_ROOT" && GOFLAGS= go mod download -json "$1")" \
    || die "cannot download module $1 through the Go module proxy"
  sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json" | head -n1
}

# Copy the `go` and `godebug` directives of an upstream go.mod so the wrapper
# gets the same language version and GODEBUG defaults upstream builds with.
go_directives() {
  grep -E '^(go|godebug) ' "$1" || true
}

# ---------------------------------------------------------------------------
# Kubernetes: wrapper module that requires k8s.io/kubernetes and pins each
# staging module to its published version.
log "fetching k8s.io/kubernetes v${K8S_VERSION} (first time: a few hundred MB into the module cache)"
K8S_GOMOD="$(mod_field "k8s.io/kubernetes@v${K8S_VERSION}" GoMod)"
K8S_DIR="$(mod_field "k8s.io/kubernetes@v${K8S_VERSION}" Dir)"
K8S_INFO="$(mod_field "k8s.io/kubernetes@v${K8S_VERSION}" Info)"
K8S_TIME="$(sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' "$K8S_INFO" 2>/dev/null | head -n1)"
[[ -f "$K8S_GOMOD" && -d "$K8S_DIR" ]] || die "module download of k8s.io/kubernetes v${K8S_VERSION} gave no go.mod/dir"

# Staging modules: upstream's go.mod replaces each with ./staging/src/...; those
# replaces only apply inside the kubernetes repo, and the published module
# zip does not even contain staging/, so we redirect them to the published
# v0.X.Y versions. Derived from the go.mod, not hard-coded, so other versions work.
mapfile -t STAGING < <(awk '
  /^replace[[:space:]]*\(/ { inblock = 1; next }
  inblock && /^\)/         { inblock = 0; next }
  {
    line = $0
    sub(/^replace[[:space:]]+/, "", line)
    if ((inblock || $0 ~ /^replace[[:space:]]/) && line ~ /=>[[:space:]]*\.\/staging\//) {
      n = split(line, f, /[[:space:]]+/)
      for (i = 1; i <= n; i++) if (f[i] != "") { print f[i]; break }
    }
  }' "$K8S_GOMOD" | sort -u)
if [[ ${#STAGING[@]} -eq 0 ]]; then
  # Fallback: modules required at the placeholder version v0.0.0.
  mapfile -t STAGING < <(awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { print $1 }' "$K8S_GOMOD" | sort -u)
fi
[[ ${#STAGING[@]} -gt 0 ]] || die "found no staging modules in $K8S_GOMOD"
log "redirecting ${#STAGING[@]} staging modules to ${STAGING_VERSION}"

K8S_WORK="$WORK_ROOT/kubernetes-${K8S_VERSION}"
mkdir -p "$K8S_WORK"
{
  echo "// Generated by hack/k8s-binaries.sh; safe to delete."
  echo "module cospress.local/k8s-build"
  echo
  go_directives "$K8S_GOMOD"
  echo
  echo "require k8s.io/kubernetes v${K8S_VERSION}"
  echo
  echo "replace ("
  for m in "${STAGING[@]}"; do echo "	$m => $m ${STAGING_VERSION}"; done
  echo ")"
} >"$K8S_WORK/go.mod.new"
# Only replace go.mod when it changed, so an existing go.sum stays valid.
if ! cmp -s "$K8S_WORK/go.mod.new" "$K8S_WORK/go.mod" 2>/dev/null; then
  mv "$K8S_WORK/go.mod.new" "$K8S_WORK/go.mod"
  rm -f "$K8S_WORK/go.sum"
else
  rm -f "$K8S_WORK/go.mod.new"
fi

# etcd version: default to what this Kubernetes release runs its own tests
# against (hack/lib/etcd.sh), else the etcd server module its go.mod requires.
if [[ -z "$ETCD_VERSION" ]]; then
  if [[ -f "$K8S_DIR/hack/lib/etcd.sh" ]]; then
    ETCD_VERSION="$(sed -n 's/^ETCD_VERSION=\${ETCD_VERSION:-\([0-9.]*\)}.*/\1/p' "$K8S_DIR/hack/lib/etcd.sh" | head -n1)"
  fi
  if [[ -z "$ETCD_VERSION" ]]; then
    ETCD_VERSION="$(awk '$1 == "go.etcd.io/etcd/server/v3" { sub(/^v/, "", $2); print $2 }' "$K8S_GOMOD" | head -n1)"
  fi
  [[ -n "$ETCD_VERSION" ]] || die "cannot derive the etcd version; pass --etcd-version"
fi
log "etcd version: ${ETCD_VERSION}"

# Build into a scratch dir next to the target and move into place only after
# every binary built, so kube-api-test never sees a half-filled version dir.
mkdir -p "$OUT_ROOT/k8s"
STAGE="$(mktemp -d "$OUT_ROOT/k8s/.build-${K8S_VERSION}.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# Same version stamping as upstream's hack/lib/version.sh (both the
# component-base and client-go copies), so `kube-apiserver --version` and
# `kubectl version` report the real release; kube-apiserver also derives its
# binary/emulation version from it. The build date is the release's module
# timestamp, keeping rebuilds reproducible.
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X '${pkg}.gitVersion=v${K8S_VERSION}'"
  K8S_LDFLAGS+=" -X '${pkg}.gitMajor=1'"
  K8S_LDFLAGS+=" -X '${pkg}.gitMinor=${K8S_MINOR}'"
  K8S_LDFLAGS+=" -X '${pkg}.gitTreeState=clean'"
  K8S_LDFLAGS+=" -X '${pkg}.buildDate=${K8S_TIME:-1970-01-01T00:00:00Z}'"
done

build_k8s() {
  local name="$1" start=$SECONDS
  log "building $name v${K8S_VERSION} ..."
  (cd "$K8S_WORK" && "${NICE[@]}" go build -trimpath -ldflags "$K8S_LDFLAGS" \
      -o "$STAGE/$name" "k8s.io/kubernetes/cmd/$name") \
    || die "go build of $name failed (see above)"
  log "built $name in $((SECONDS - start))s"
}

# ---------------------------------------------------------------------------
# etcd: its own wrapper module, because etcd's dependency set differs from
# Kubernetes'. The root package of go.etcd.io/etcd/server/v3 is etcd's main.
ETCD_WORK="$WORK_ROOT/etcd-${ETCD_VERSION}"
build_etcd() {
  local start=$SECONDS gomod
  log "building etcd v${ETCD_VERSION} ..."
  gomod="$(mod_field "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" GoMod)"
  [[ -f "$gomod" ]] || die "cannot fetch go.etcd.io/etcd/server/v3 v${ETCD_VERSION}"
  mkdir -p "$ETCD_WORK"
  {
    echo "// Generated by hack/k8s-binaries.sh; safe to delete."
    echo "module cospress.local/etcd-build"
    echo
    go_directives "$gomod"
    echo
    echo "require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}"
  } >"$ETCD_WORK/go.mod.new"
  if ! cmp -s "$ETCD_WORK/go.mod.new" "$ETCD_WORK/go.mod" 2>/dev/null; then
    mv "$ETCD_WORK/go.mod.new" "$ETCD_WORK/go.mod"
    rm -f "$ETCD_WORK/go.sum"
  else
    rm -f "$ETCD_WORK/go.mod.new"
  fi
  # GitSHA is normally stamped by etcd's ./build script from git; a module
  # build has no git checkout, so say where it came from instead.
  (cd "$ETCD_WORK" && "${NICE[@]}" go build -trimpath \
      -ldflags "-s -w -X 'go.etcd.io/etcd/api/v3/version.GitSHA=module-v${ETCD_VERSION}'" \
      -o "$STAGE/etcd" "go.etcd.io/etcd/server/v3") \
    || die "go build of etcd failed (see above)"
  log "built etcd in $((SECONDS - start))s"
}

# Build only what is missing or broken (unless --force); keep the good ones.
TOTAL_START=$SECONDS
TO_INSTALL=()
for b in "${BINARIES[@]}"; do
  if [[ "$FORCE" == 0 ]] && binary_ok "$b"; then
    log "$b: already good, keeping it"
    continue
  fi
  if [[ "$b" == etcd ]]; then build_etcd; else build_k8s "$b"; fi
  TO_INSTALL+=("$b")
done

# Sanity-check the fresh binaries before they replace anything. (Capture the
# output first: piping into `head` could SIGPIPE the binary and, with
# pipefail, abort the script.)
for b in "${TO_INSTALL[@]}"; do
  case "$b" in
    etcd) out="$("$STAGE/etcd" --version)" || die "fresh etcd does not run" ;;
    kubectl) out="$("$STAGE/kubectl" version --client)" || die "fresh kubectl does not run" ;;
    *) out="$("$STAGE/$b" --version)" || die "fresh $b does not run" ;;
  esac
  log "  $b: ${out%%$'\n'*}"
done

mkdir -p "$BIN_DIR"
for b in "${TO_INSTALL[@]}"; do
  chmod 0755 "$STAGE/$b"
  # mv within one filesystem is an atomic rename: a running test keeps its old inode.
  mv -f "$STAGE/$b" "$BIN_DIR/$b"
done

all_ok || die "installed binaries in $BIN_DIR do not pass the version check"
log "build finished in $((SECONDS - TOTAL_START))s"
finish
