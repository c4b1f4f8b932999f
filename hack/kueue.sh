#!/usr/bin/env bash
# hack/kueue.sh - Kueue itself for the local cluster (hack/cluster.sh), built from source.
#
# WHY this script exists
#   The end-to-end suite shows a DistillationRun queued by Kueue, admitted when quota frees and
#   preempted without using its restart budget, against the real Kueue controller and webhooks
#   (sigs.k8s.io/kueue). Kueue is normally installed from a release manifest and an image on a
#   registry; our machines and CI reach package registries only, so we
#     1. compile Kueue's manager (sigs.k8s.io/kueue/cmd/kueue) through the Go module proxy,
#     2. pack the static binary as a one-layer OCI image (hack/cluster/oci-image.sh),
#     3. render Kueue's own install manifests (config/default of the same module, with the
#        kustomize built into kubectl) with the changes this cluster needs (below).
#   The result is cached in ~/.cache/cospress/kueue-<version>/:
#       kueue.tar     OCI archive, image cospress.local/kueue:<version>
#                     (hack/cluster.sh load-images DIR imports it)
#       kueue.yaml    everything Kueue installs: CRDs, RBAC, the Deployment, Services, webhooks
#       manager       the binary
#
#   Changes to upstream's config/default, all in the kustomization below:
#     - image cospress.local/kueue:<version>, pull policy Never (no registry is reachable);
#     - requests 100m CPU / 256Mi (upstream asks 500m of the node's 2 CPUs), limit 512Mi;
#     - only the batch/job integration (the other frameworks' CRDs are not installed);
#     - no visibility API: its APIService needs the API server's aggregation layer (front-proxy
#       certificates), which the local cluster does not configure; the VisibilityOnDemand
#       feature gate is off so the manager does not start that server.
#   Webhook certificates come from Kueue's internal certificate management (the default): the
#   manager generates a CA and serving certificate into its Secret and injects the CA into its
#   webhook configurations and CRDs. The webhooks reach the manager through its Service's
#   ClusterIP; the API server resolves Services itself, so no cluster DNS is needed.
#
# Usage
#   hack/kueue.sh [--force] [--version vX.Y.Z]
#
#   The LAST line on stdout is the output directory; progress goes to stderr:
#       KUEUE_DIR=$(hack/kueue.sh | tail -n1)
#   A second run finds everything cached, checks the binary's version and prints the directory
#   without `go`.
#
# Environment (all optional)
#   COSPRESS_KUEUE_VERSION  Kueue version (default: the one hack/third-party-crds.sh fetches CRDs of)
#   COSPRESS_TOOLS_DIR      parent of the output directory (default ~/.cache/cospress)
#   GOPATH / GOMODCACHE / GOCACHE as Go sets them (shared with every other Go build here).

set -Eeuo pipefail

# Everything we (and go) print goes to stderr; fd 3 keeps stdout for the one result line.
exec 3>&1 1>&2

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# The same version as the CRDs the ITs validate the examples against.
DEFAULT_KUEUE_VERSION="$(sed -n 's/^DEFAULT_KUEUE_VERSION="\(.*\)"$/\1/p' "$REPO/hack/third-party-crds.sh")"
KUEUE_VERSION="${COSPRESS_KUEUE_VERSION:-$DEFAULT_KUEUE_VERSION}"
CACHE_BASE="${COSPRESS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cospress}"
FORCE=0
MODULE="sigs.k8s.io/kueue"
IMAGE_REPO="cospress.local/kueue"

trap 'rc=$?; printf "[kueue] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

log() { printf '[kueue] %s\n' "$*" >&2; }
die() { printf '[kueue] ERROR: %s\n' "$*" >&2; exit 1; }
bad_input() { printf '[kueue] ERROR: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) FORCE=1 ;;
    --version) [[ $# -ge 2 ]] || bad_input "--version needs a value"; KUEUE_VERSION="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage; bad_input "unknown argument: $1" ;;
  esac
  shift
done
[[ "$KUEUE_VERSION" == v* ]] || KUEUE_VERSION="v$KUEUE_VERSION"
[[ "$KUEUE_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || bad_input "--version: expected vX.Y.Z, got '$KUEUE_VERSION'"

OUT="$CACHE_BASE/kueue-$KUEUE_VERSION"
IMAGE="$IMAGE_REPO:$KUEUE_VERSION"
# The inputs of the rendered manifest and the image: a change to this script rebuilds them. Their
# contents only, not their paths: CI runs from a fresh clone in a new directory each time.
STAMP="$(cat "$REPO/hack/kueue.sh" "$REPO/hack/cluster/oci-image.sh" | sha256sum | cut -c1-16)"

# The manager binary is rebuilt only for another version (that is the expensive part); the
# image and the manifest are remade whenever this script or the image packer changed.
binary_ok() { [[ -x "$OUT/manager" && "$(cat "$OUT/manager.version" 2>/dev/null)" == "$KUEUE_VERSION" ]]; }
complete() {
  binary_ok && [[ -s "$OUT/kueue.tar" && -s "$OUT/kueue.yaml" ]] || return 1
  [[ "$(cat "$OUT/stamp" 2>/dev/null)" == "$KUEUE_VERSION $STAMP" ]]
}

finish() {
  printf '%s\n' "$OUT" >&3
  exit 0
}

if [[ "$FORCE" == 0 ]] && complete; then
  log "cached: Kueue $KUEUE_VERSION in $OUT"
  finish
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH (try /usr/local/go/bin); it builds Kueue $KUEUE_VERSION from the module proxy"
mkdir -p "$CACHE_BASE" "$OUT"
exec 9>"$CACHE_BASE/.kueue.lock"
log "waiting for build lock $CACHE_BASE/.kueue.lock"
flock 9
if [[ "$FORCE" == 0 ]] && complete; then
  log "another run built Kueue meanwhile"
  finish
fi

# kubectl's built-in kustomize renders the manifests; hack/k8s-binaries.sh has it cached.
K8S_DIR="$(bash "$REPO/hack/k8s-binaries.sh" | tail -n1)"
KUBECTL="$(find "$K8S_DIR/k8s" -maxdepth 2 -name kubectl -type f | sort | tail -n1)"
[[ -x "$KUBECTL" ]] || die "hack/k8s-binaries.sh gave no kubectl under $K8S_DIR/k8s"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
export GOFLAGS="-mod=mod -trimpath -buildvcs=false"

WORK="$(mktemp -d "$CACHE_BASE/.kueue-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log "fetching $MODULE $KUEUE_VERSION through the Go module proxy"
MOD_JSON="$(cd "$WORK" && GOFLAGS='' go mod download -json "$MODULE@$KUEUE_VERSION")" \
  || die "cannot download module $MODULE $KUEUE_VERSION through the Go module proxy"
MOD_DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$MOD_JSON" | head -n1)"
[[ -f "$MOD_DIR/go.mod" && -d "$MOD_DIR/config/default" ]] || die "module $MODULE $KUEUE_VERSION has no go.mod or config/default"

if [[ "$FORCE" == 1 ]] || ! binary_ok; then
  # A wrapper module that requires Kueue at the release: minimal version selection then picks
  # exactly the dependency versions Kueue's own go.mod pins. Replace directives would not carry
  # over from a dependency, so a release that has some must be handled here explicitly.
  if grep -qE '^replace' "$MOD_DIR/go.mod"; then
    die "$MODULE $KUEUE_VERSION has replace directives; teach hack/kueue.sh to carry them over"
  fi
  mkdir -p "$WORK/build"
  {
    echo "// Generated by hack/kueue.sh; temporary."
    echo "module cospress.local/kueue-build"
    echo
    grep -E '^(go|godebug) ' "$MOD_DIR/go.mod" || true
    echo
    echo "require $MODULE $KUEUE_VERSION"
  } >"$WORK/build/go.mod"
  # Upstream's Makefile stamps these into pkg/version; Kueue logs them at start.
  LDFLAGS="-s -w -X $MODULE/pkg/version.GitVersion=$KUEUE_VERSION -X $MODULE/pkg/version.GitCommit=module-proxy"
  START=$SECONDS
  log "building Kueue's manager $KUEUE_VERSION (cold: module downloads and several minutes on 2 cores) ..."
  (cd "$WORK/build" && nice -n 10 go build -ldflags "$LDFLAGS" -o "$WORK/manager" "$MODULE/cmd/kueue") \
    || die "go build of $MODULE/cmd/kueue failed (see above)"
  log "built the manager in $((SECONDS - START))s"
  go version -m "$WORK/manager" | grep -E "^[[:space:]]*mod[[:space:]]+$MODULE[[:space:]]+$KUEUE_VERSION[[:space:]]" >/dev/null \
    || die "the built manager does not carry $MODULE $KUEUE_VERSION"
  mv -f "$WORK/manager" "$OUT/manager"
  echo "$KUEUE_VERSION" >"$OUT/manager.version"
fi

log "packing $IMAGE"
# Kueue's own image is distroless and runs as 65532; the manager needs no file of the image but
# itself (it reads its config and certificates from mounted volumes).
bash "$REPO/hack/cluster/oci-image.sh" --ref "$IMAGE" --out "$WORK/kueue.tar" \
  --entrypoint '["/manager"]' --user 65532:65532 --file "$OUT/manager:/manager" >/dev/null

log "rendering Kueue's manifests (config/default of the module, adapted to this cluster)"
mkdir -p "$WORK/overlay"
# kustomize takes resources only by relative path: a copy of the module's config/ sits beside the
# overlay (the module cache itself is read-only).
cp -r "$MOD_DIR/config" "$WORK/config"
chmod -R u+w "$WORK/config"
cat >"$WORK/overlay/controller_manager_config.yaml" <<'EOF'
apiVersion: config.kueue.x-k8s.io/v1beta2
kind: Configuration
health:
  healthProbeBindAddress: :8081
metrics:
  bindAddress: :8443
webhook:
  port: 9443
leaderElection:
  leaderElect: true
  resourceName: c1f6bfd2.kueue.x-k8s.io
clientConnection:
  qps: 50
  burst: 100
integrations:
  frameworks:
  - "batch/job"
EOF
cat >"$WORK/overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../config/default
configMapGenerator:
- name: kueue-manager-config
  namespace: kueue-system
  behavior: replace
  files:
  - controller_manager_config.yaml
generatorOptions:
  disableNameSuffixHash: true
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: kueue-controller-manager
      namespace: kueue-system
    spec:
      template:
        spec:
          containers:
          - name: manager
            image: $IMAGE
            imagePullPolicy: Never
            args:
            - --config=/controller_manager_config.yaml
            - --zap-log-level=2
            - --feature-gates=VisibilityOnDemand=false
            resources:
              requests:
                cpu: 100m
                memory: 256Mi
              limits:
                cpu: "1"
                memory: 512Mi
- patch: |-
    \$patch: delete
    apiVersion: apiregistration.k8s.io/v1
    kind: APIService
    metadata:
      name: v1beta1.visibility.kueue.x-k8s.io
- patch: |-
    \$patch: delete
    apiVersion: apiregistration.k8s.io/v1
    kind: APIService
    metadata:
      name: v1beta2.visibility.kueue.x-k8s.io
EOF
"$KUBECTL" kustomize "$WORK/overlay" >"$WORK/kueue.yaml" \
  || die "kubectl kustomize of Kueue's config/default failed"
grep -q "image: $IMAGE" "$WORK/kueue.yaml" || die "the rendered manifest does not use $IMAGE"
! grep -q '^kind: APIService' "$WORK/kueue.yaml" || die "the rendered manifest still has an APIService"

for f in kueue.tar kueue.yaml; do mv -f "$WORK/$f" "$OUT/$f"; done
echo "$KUEUE_VERSION $STAMP" >"$OUT/stamp"
log "Kueue $KUEUE_VERSION ready in $OUT ($(du -h "$OUT/kueue.tar" | cut -f1) image)"
finish
