# shellcheck shell=bash
# Images (the cluster's own, and the project's loaded from archives) and the operator's chart.
# Sourced by hack/cluster.sh.

# The sandbox image and the smoke-test image: one static binary (hack/cluster/probe), two
# entrypoints. Cached by the hash of their sources.
test_images_dir() {
  local hash dir
  hash="$(cat "$REPO/hack/cluster/probe/go.mod" "$REPO/hack/cluster/probe/main.go" \
            "$REPO/hack/cluster/oci-image.sh" | sha256sum | cut -c1-12)"
  dir="$CACHE_BASE/cluster-images/$hash"
  if [[ ! -f "$dir/pause.tar" || ! -f "$dir/cluster-probe.tar" ]]; then
    command -v go >/dev/null || die "'go' is not on PATH (try /usr/local/go/bin); it builds hack/cluster/probe"
    log "building the cluster's own images into $dir"
    mkdir -p "$dir"
    (cd "$REPO/hack/cluster/probe" && GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false \
      nice -n 10 go build -trimpath -ldflags '-s -w' -o "$dir/cluster-probe" .)
    bash "$REPO/hack/cluster/oci-image.sh" --ref "$PAUSE_IMAGE" --out "$dir/pause.tar" \
      --entrypoint '["/cluster-probe","pause"]' --user 65535:65535 --file "$dir/cluster-probe:/cluster-probe"
    bash "$REPO/hack/cluster/oci-image.sh" --ref "$PROBE_IMAGE" --out "$dir/cluster-probe.tar" \
      --entrypoint '["/cluster-probe"]' --cmd '["serve"]' --user 65532:65532 \
      --file "$dir/cluster-probe:/cluster-probe"
  fi
  echo "$dir"
}

# --- the project's images and the operator

check_images_dir() {
  [[ -d "$1" ]] || bad_input "images directory: no such directory: $1"
  compgen -G "$1/*.tar" >/dev/null || bad_input "images directory: no *.tar archive in $1"
}

cmd_load_images() {
  [[ $# -eq 1 ]] || bad_input "usage: hack/cluster.sh load-images DIR"
  local dir="$1" f base want out got
  check_images_dir "$dir"
  require_up
  for f in "$dir"/*.tar; do
    base="$(basename "$f" .tar)"
    log "importing $f"
    out="$(ctr_k8s images import "$f")" || die "ctr images import $f failed"
    # ctr prints "unpacking NAME (sha256:...)...done" for each image it names.
    got="$(sed -n 's/^unpacking \([^ ]*\) (sha256:.*/\1/p' <<<"$out" | head -n1)"
    [[ -n "$got" ]] || die "$f: the archive names no image"
    if [[ "$base" == cospress-* ]]; then
      want="cospress.local/$base:dev"
      if [[ "$got" != "$want" ]]; then
        ctr_k8s images tag --force "$got" "$want" >/dev/null
        log "  $got tagged as $want"
      fi
    else
      want="$got"
    fi
    log "  $want loaded"
  done
}

# (grep without -q reads all of ctr's output: with -q, ctr could die of SIGPIPE and pipefail
# would turn a match into a failure.)
image_present() { ctr_k8s images ls -q | grep -Fx "$1" >/dev/null; }

helm_cmd() { # runs the cached Helm with its config and caches inside the state directory
  local helm
  helm="$(bash "$REPO/hack/helm.sh" | tail -n1)"
  mkdir -p "$STATE/helm"
  HELM_CONFIG_HOME="$STATE/helm/config" HELM_CACHE_HOME="$STATE/helm/cache" HELM_DATA_HOME="$STATE/helm/data" \
    "$helm" --kubeconfig "$ADMIN_KUBECONFIG" "$@"
}

cmd_install_operator() {
  local operator="$OPERATOR_IMAGE" trainer="$TRAINER_IMAGE" release="$RELEASE" namespace="$NAMESPACE"
  local -a extra=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --operator-image) [[ $# -ge 2 ]] || bad_input "--operator-image needs a value"; operator="$2"; shift ;;
      --trainer-image) [[ $# -ge 2 ]] || bad_input "--trainer-image needs a value"; trainer="$2"; shift ;;
      --release) [[ $# -ge 2 ]] || bad_input "--release needs a value"; release="$2"; shift ;;
      --namespace) [[ $# -ge 2 ]] || bad_input "--namespace needs a value"; namespace="$2"; shift ;;
      *) extra+=("$1") ;;
    esac
    shift
  done
  [[ "$operator" =~ ^[^:@]+:[A-Za-z0-9._-]+$ ]] || bad_input "--operator-image: expected NAME:TAG, got '$operator'"
  [[ "$trainer" =~ ^[^:@]+:[A-Za-z0-9._-]+$ ]] || bad_input "--trainer-image: expected NAME:TAG, got '$trainer'"
  [[ "$release" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || bad_input "--release: not a valid release name: '$release'"
  [[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || bad_input "--namespace: not a valid namespace: '$namespace'"
  require_up
  image_present "$operator" || die "image $operator is not in the cluster; run hack/cluster.sh load-images DIR first"
  image_present "$trainer" || warn "image $trainer is not in the cluster yet; trainer pods will fail with ErrImageNeverPull until it is loaded"
  log "helm upgrade --install $release charts/cospress-operator -n $namespace (operator $operator, trainer $trainer)"
  # Images never come from a registry here: Never makes a missing image an immediate, named
  # error (ErrImageNeverPull) instead of a pull attempt.
  helm_cmd upgrade --install "$release" "$REPO/charts/cospress-operator" \
    --namespace "$namespace" --create-namespace \
    --set image.repository="${operator%:*}" --set image.tag="${operator##*:}" --set image.pullPolicy=Never \
    --set trainer.image.repository="${trainer%:*}" --set trainer.image.tag="${trainer##*:}" \
    --set trainer.gpuImage.repository="${trainer%:*}" --set trainer.gpuImage.tag="${trainer##*:}" \
    --set trainer.imagePullPolicy=Never \
    --set leaderElection.enabled=true \
    --set trainer.resources.cpu=1 --set trainer.resources.memory=4Gi \
    --wait --timeout 5m "${extra[@]}" >&2 \
    || { kubectl -n "$namespace" get pods -o wide >&2 || true; die "helm install failed"; }
  kubectl -n "$namespace" get deploy,pods -o wide >&2
}

cmd_uninstall_operator() {
  local release="$RELEASE" namespace="$NAMESPACE"
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --release) [[ $# -ge 2 ]] || bad_input "--release needs a value"; release="$2"; shift ;;
      --namespace) [[ $# -ge 2 ]] || bad_input "--namespace needs a value"; namespace="$2"; shift ;;
      *) bad_input "uninstall-operator: unknown argument: $1" ;;
    esac
    shift
  done
  require_up
  helm_cmd uninstall "$release" --namespace "$namespace" --wait --timeout 2m >&2
}
