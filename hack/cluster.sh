#!/usr/bin/env bash
# hack/cluster.sh - a real single-node Kubernetes on this machine, plus fake GPU nodes.
#
# Usage (as root)
#   hack/cluster.sh up [--gpu-nodes N] [--images DIR]
#                                  build what is missing, start everything, wait for the node;
#                                  with --images also load-images DIR and install-operator
#   hack/cluster.sh down           stop everything and undo every change made to the machine
#   hack/cluster.sh prepare        only install the Debian packages and build/cache the binaries
#                                  and images (what `up` does first; for CI's build phase)
#   hack/cluster.sh status         what runs (exit 0: up, 1: partly up, 3: down)
#   hack/cluster.sh env            shell exports: eval "$(hack/cluster.sh env)"
#   hack/cluster.sh gpu-nodes N [--gpus G]
#                                  exactly N fake GPU nodes (added or removed), G GPUs each
#   hack/cluster.sh load-images DIR
#                                  import DIR/*.tar (OCI or docker archives) into the node;
#                                  DIR/cospress-<x>.tar ends up as cospress.local/cospress-<x>:dev
#   hack/cluster.sh install-operator [--operator-image REF] [--trainer-image REF]
#                                    [--release NAME] [--namespace NS] [HELM ARGS...]
#                                  helm upgrade --install of charts/cospress-operator (release
#                                  cospress in cospress-system), the images above, pull policy
#                                  Never, leader election on; HELM ARGS e.g. --set replicaCount=1
#   hack/cluster.sh uninstall-operator [--release NAME] [--namespace NS]
#   hack/cluster.sh test-images    build the cluster's own images; prints their directory
#   hack/cluster.sh restart COMPONENT [--down-for SECONDS]
#                                  stop one daemon (etcd, kube-apiserver, kube-controller-manager,
#                                  kube-scheduler, containerd, kubelet, kube-proxy, kwok), keep it
#                                  down for SECONDS, start it again the same way and wait for it
#
# What runs: etcd, kube-apiserver (RBAC, Node authorizer, service-account tokens, the default
# admission plugins plus NodeRestriction), kube-controller-manager (all default controllers:
# Job, garbage collector, service accounts and their tokens, node lifecycle, ...),
# kube-scheduler, containerd + runc (Debian's), a real kubelet, kube-proxy (iptables), and
# KWOK playing fake GPU nodes. Binaries are built from source through the Go module proxy
# (hack/k8s-binaries.sh --with-node, hack/kwok.sh) and cached.
#
# State: /var/lib/cospress-cluster (COSPRESS_CLUSTER_DIR): PKI, kubeconfigs, etcd data,
# containerd's root and state, the kubelet's root, logs. `down` removes it; the logs of the
# last cluster are kept in ~/.cache/cospress/cluster-logs/. One cluster per machine.
#
# Network. Every address lives on the bridge cospress0 that `up` creates (or on loopback);
# nothing is routed off the machine:
#   10.244.0.1/16      the bridge: the node's InternalIP, kube-apiserver :6443, kubelet :10250
#   10.244.0.0/24      real pods (CNI host-local, .10 - .250); pods have no default route
#   10.244.N.0/24      podCIDR of fake GPU node N (N = 1..200): addresses that exist only in
#                      the API; traffic to them ends on the bridge
#   10.244.255.N       InternalIP of fake GPU node N (API objects only)
#   10.96.0.0/24       Service ClusterIPs (`kubernetes` = 10.96.0.1:443), routed to the bridge
#   127.0.0.1          etcd :12379/:12380, controller-manager :10257, scheduler :10259,
#                      kubelet healthz :10248, kube-proxy metrics :10249 and healthz :10256
# Forwarding is switched on for the bridge only (net.ipv4.ip_forward is left alone).

set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/cospress"

STATE="${COSPRESS_CLUSTER_DIR:-/var/lib/cospress-cluster}"
PKI="$STATE/pki"
KUBECONFIGS="$STATE/kubeconfigs"
ADMIN_KUBECONFIG="$KUBECONFIGS/admin.kubeconfig"
RUN="$STATE/run"
LOGS="$STATE/logs"
CONTAINERD_ROOT="$STATE/containerd/root"
CONTAINERD_STATE="$STATE/containerd/state"
CONTAINERD_CONFIG="$STATE/containerd.toml"
CONTAINERD_SOCK="$RUN/containerd.sock"
KUBELET_ROOT="$STATE/kubelet"
CNI_CONF_DIR="$STATE/cni/net.d"
CNI_BIN_DIR="/usr/lib/cni"
CLUSTER_CGROUP="cospress-cluster"

BRIDGE="cospress0"
BRIDGE_CIDR="10.244.0.0/16"
NODE_IP="10.244.0.1"
POD_RANGE_START="10.244.0.10"
POD_RANGE_END="10.244.0.250"
SERVICE_CIDR="10.96.0.0/24"
API_SERVICE_IP="10.96.0.1"
API_URL="https://$NODE_IP:6443"
ETCD_URL="http://127.0.0.1:12379"
ETCD_PEER_URL="http://127.0.0.1:12380"
CLUSTER_PORTS=(6443 10250 12379 12380 10257 10259 10248 10249 10256)
NODE_NAME="cospress-node"
MAX_FAKE_NODES=200
FAKE_NODE_LABEL="cospress.local/fake-gpu-node"

PAUSE_IMAGE="cospress.local/pause:cluster"
PROBE_IMAGE="cospress.local/cluster-probe:dev"
OPERATOR_IMAGE="cospress.local/cospress-operator:dev"
TRAINER_IMAGE="cospress.local/cospress-trainer:dev"
NAMESPACE="cospress-system"
RELEASE="cospress"

DAEMONS_START_ORDER=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kwok)

log() { printf '[cluster] %s\n' "$*" >&2; }
warn() { printf '[cluster] WARNING: %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
bad_input() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 2; }

# shellcheck source=hack/cluster/lib/pki.sh
source "$REPO/hack/cluster/lib/pki.sh"
# shellcheck source=hack/cluster/lib/config.sh
source "$REPO/hack/cluster/lib/config.sh"
# shellcheck source=hack/cluster/lib/host.sh
source "$REPO/hack/cluster/lib/host.sh"

usage() { sed -n '2,/^set -Eeuo pipefail/{/^#/s/^# \{0,1\}//p}' "$0" >&2; }

require_root() { [[ "$(id -u)" == 0 ]] || die "run as root: the cluster creates a bridge, cgroups and mounts"; }

# --- tools and binaries

ensure_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x "$CNI_BIN_DIR/bridge" && -x "$CNI_BIN_DIR/host-local" && -x "$CNI_BIN_DIR/loopback" ]] \
    || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v nft >/dev/null || missing+=(nftables)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# The directory of etcd, kube-* and kubectl; `up` records it for the other commands.
K8S_BIN=""
[[ -f "$STATE/k8s-bin" ]] && K8S_BIN="$(cat "$STATE/k8s-bin")"
k8s_binaries() {
  local dir version arch
  # The version hack/k8s-binaries.sh pins (or COSPRESS_K8S_VERSION), so a cache holding other
  # versions too cannot hand us the wrong kubelet.
  version="${COSPRESS_K8S_VERSION:-$(sed -n 's/^DEFAULT_K8S_VERSION="\(.*\)"$/\1/p' "$REPO/hack/k8s-binaries.sh")}"
  version="${version#v}"
  case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=amd64 ;; esac
  dir="$(bash "$REPO/hack/k8s-binaries.sh" --with-node --k8s-version "$version" | tail -n1)"
  K8S_BIN="$dir/k8s/$version-linux-$arch"
  [[ -x "$K8S_BIN/kubelet" ]] || die "hack/k8s-binaries.sh --with-node gave no kubelet in $K8S_BIN"
}

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

kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# --- waiting

wait_for() { # SECONDS WHAT COMMAND...: retry COMMAND until it succeeds
  local timeout="$1" what="$2" start=$SECONDS; shift 2
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start >= timeout )); then
      warn "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
  log "$what ($((SECONDS - start))s)"
}

api_ready() {
  curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "$API_URL/readyz" | grep -x ok >/dev/null
}
node_ready() {
  [[ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}
default_service_account() { kubectl -n default get serviceaccount default; }

show_log_tail() {
  local name
  for name in "$@"; do
    [[ -f "$LOGS/$name.log" ]] || continue
    printf '[cluster] --- last lines of %s ---\n' "$LOGS/$name.log" >&2
    tail -n 15 "$LOGS/$name.log" >&2
  done
}

# --- up

preflight() {
  local port
  if [[ -e "$STATE" ]]; then
    die "$STATE exists: a cluster is up or was not torn down; run 'hack/cluster.sh down' first"
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && die "network device $BRIDGE exists; run 'hack/cluster.sh down' first"
  [[ -d /sys/fs/cgroup/pids/kubepods || -d /sys/fs/cgroup/kubepods ]] \
    && die "cgroup /kubepods exists: another kubelet runs (or ran) on this machine"
  kube_chains_present && die "iptables has KUBE-* chains: another kube-proxy or kubelet owns them; refusing to touch them"
  [[ -n "$(ip route show "$SERVICE_CIDR")" ]] && die "a route for $SERVICE_CIDR exists already"
  ip -o addr show | grep -F " ${NODE_IP%.*}." >/dev/null && die "an interface already has an address in ${NODE_IP%.*}.0/24"
  for port in "${CLUSTER_PORTS[@]}"; do
    [[ -n "$(ss -Hltn "sport = :$port")" ]] && die "TCP port $port is in use (the cluster listens on it, on the bridge or on 127.0.0.1)"
  done
  return 0
}

start_control_plane() {
  daemon_start etcd "$K8S_BIN/etcd" --name cospress --data-dir "$STATE/etcd" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "$ETCD_PEER_URL" --initial-advertise-peer-urls "$ETCD_PEER_URL" \
    --initial-cluster "cospress=$ETCD_PEER_URL" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  wait_for 60 "etcd healthy" sh -c "curl -sf --max-time 2 $ETCD_URL/health | grep -q '\"health\":\"true\"'"

  daemon_start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers="$ETCD_URL" \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port=6443 \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$PKI/ca.crt" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false
  wait_for 120 "kube-apiserver ready" api_ready || { show_log_tail kube-apiserver; return 1; }

  daemon_start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$KUBECONFIGS/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$KUBECONFIGS/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$KUBECONFIGS/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false --profiling=false

  daemon_start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$KUBECONFIGS/scheduler.kubeconfig" \
    --authentication-kubeconfig="$KUBECONFIGS/scheduler.kubeconfig" \
    --authorization-kubeconfig="$KUBECONFIGS/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false
}

start_node() {
  local images="$1" f
  # A closed loopback port as the proxy: if anything ever made containerd pull, the request
  # would fail here instead of resolving a registry name through the machine's DNS.
  daemon_start containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    containerd --config "$CONTAINERD_CONFIG" --log-level warn
  wait_for 30 "containerd ready" ctr --address "$CONTAINERD_SOCK" version || { show_log_tail containerd; return 1; }
  for f in "$images/pause.tar" "$images/cluster-probe.tar"; do
    ctr_k8s images import "$f" >/dev/null
  done
  log "imported $PAUSE_IMAGE and $PROBE_IMAGE"

  daemon_start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet.yaml" \
    --kubeconfig="$KUBECONFIGS/kubelet.kubeconfig" --root-dir="$KUBELET_ROOT" \
    --cert-dir="$PKI/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --node-labels=cospress.local/node-kind=real
  daemon_start kube-proxy "$K8S_BIN/kube-proxy" --config="$STATE/kube-proxy.yaml"
  wait_for 120 "node $NODE_NAME Ready" node_ready || { show_log_tail kubelet containerd; return 1; }
}

start_kwok() {
  local kwok
  kwok="$(bash "$REPO/hack/kwok.sh" | tail -n1)"
  daemon_start kwok "$kwok" --kubeconfig="$KUBECONFIGS/kwok.kubeconfig" \
    --config="$REPO/hack/cluster/kwok-stages.yaml" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 --cidr=10.244.254.0/24 --node-ip=10.244.255.254
}

cmd_prepare() {
  require_root
  ensure_packages
  k8s_binaries
  bash "$REPO/hack/kwok.sh" >/dev/null
  test_images_dir >/dev/null
}

up_failed() {
  local rc=$?
  trap - EXIT
  if [[ "${COSPRESS_CLUSTER_KEEP:-0}" == 1 ]]; then
    warn "up failed (exit $rc); COSPRESS_CLUSTER_KEEP=1 leaves it as it is: inspect $LOGS, then run down"
  else
    warn "up failed (exit $rc); tearing down what was started (COSPRESS_CLUSTER_KEEP=1 keeps it)"
    cmd_down || true
  fi
  exit "$rc"
}

cmd_up() {
  local gpu_nodes=2 images_dir=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --gpu-nodes) [[ $# -ge 2 ]] || bad_input "--gpu-nodes needs a value"; gpu_nodes="$2"; shift ;;
      --images) [[ $# -ge 2 ]] || bad_input "--images needs a directory"; images_dir="$2"; shift ;;
      *) bad_input "up: unknown argument: $1" ;;
    esac
    shift
  done
  [[ "$gpu_nodes" =~ ^[0-9]+$ && "$gpu_nodes" -le $MAX_FAKE_NODES ]] \
    || bad_input "--gpu-nodes: expected 0..$MAX_FAKE_NODES, got '$gpu_nodes'"
  [[ -z "$images_dir" ]] || check_images_dir "$images_dir"
  require_root
  local start=$SECONDS images
  cmd_prepare
  images="$(test_images_dir)"
  preflight

  log "bringing the cluster up in $STATE"
  local up_start=$SECONDS
  mkdir -p "$STATE" "$RUN" "$LOGS"
  chmod 0700 "$STATE"
  echo "$K8S_BIN" >"$STATE/k8s-bin"
  # Record what `down` must restore before anything changes.
  sysctl_save
  nft_tables >"$STATE/nft-tables.before"
  outside_paths_save
  # Whatever stops `up` half-way (a failed command, a timeout, Ctrl-C) undoes what it did.
  trap up_failed EXIT
  trap 'exit 130' INT TERM

  pki_all
  write_containerd_config
  write_cni_config
  write_kubelet_config
  write_kube_proxy_config
  cgroup_create
  net_up
  start_control_plane
  start_node "$images"
  start_kwok
  wait_for 60 "service account default/default" default_service_account
  set_gpu_nodes "$gpu_nodes" 1
  trap - EXIT INT TERM
  log "cluster up in $((SECONDS - up_start))s ($((SECONDS - start))s with build checks); memory: $(( $(cluster_memory_bytes) / 1048576 )) MiB anonymous, $(( $(cluster_rss_bytes) / 1048576 )) MiB summed VmRSS"

  if [[ -n "$images_dir" ]]; then
    cmd_load_images "$images_dir"
    cmd_install_operator
  fi
  cat >&2 <<EOF

The cluster is up. Use it with:
  export KUBECONFIG=$ADMIN_KUBECONFIG
  export PATH=$K8S_BIN:\$PATH      # kubectl $("$K8S_BIN/kubectl" version --client 2>/dev/null | head -n1 | sed 's/.*: //')
or: eval "\$(hack/cluster.sh env)"
  kubectl get nodes                # $NODE_NAME (real) and gpu-node-N (KWOK, nvidia.com/gpu, tainted)
Tear it down with: hack/cluster.sh down
EOF
}

# --- fake GPU nodes

fake_node_manifest() { # INDEX GPUS
  local i="$1" gpus="$2"
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: gpu-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    $FAKE_NODE_LABEL: "true"
    type: kwok
    kubernetes.io/hostname: gpu-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: fake-gpu
    nvidia.com/gpu.present: "true"
    nvidia.com/gpu.count: "$gpus"
spec:
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
  taints:
  - key: nvidia.com/gpu
    value: present
    effect: NoSchedule
status:
  addresses:
  - {type: InternalIP, address: 10.244.255.$i}
  - {type: Hostname, address: gpu-node-$i}
  capacity: {cpu: "8", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi, nvidia.com/gpu: "$gpus"}
  allocatable: {cpu: "8", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi, nvidia.com/gpu: "$gpus"}
EOF
}

fake_nodes_ready() { # N: all of gpu-node-1..N Ready
  local want="$1" ready
  ready="$(kubectl get nodes -l "$FAKE_NODE_LABEL=true" \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)" || true
  [[ "$ready" -ge "$want" ]]
}

set_gpu_nodes() { # N GPUS
  local want="$1" gpus="$2" name i
  for name in $(kubectl get nodes -l "$FAKE_NODE_LABEL=true" -o name); do
    i="${name##*/gpu-node-}"
    if [[ "$i" =~ ^[0-9]+$ && "$i" -gt "$want" ]]; then
      kubectl delete "$name" --wait=false >/dev/null
      log "removed fake GPU node gpu-node-$i"
    fi
  done
  for ((i = 1; i <= want; i++)); do
    kubectl get node "gpu-node-$i" >/dev/null 2>&1 && continue
    fake_node_manifest "$i" "$gpus" | kubectl create -f - >/dev/null
  done
  [[ "$want" -eq 0 ]] || wait_for 60 "fake GPU nodes gpu-node-1..$want Ready (new ones with $gpus nvidia.com/gpu)" fake_nodes_ready "$want"
}

cmd_gpu_nodes() {
  local n="" gpus=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --gpus) [[ $# -ge 2 ]] || bad_input "--gpus needs a value"; gpus="$2"; shift ;;
      *) [[ -z "$n" ]] || bad_input "gpu-nodes: unexpected argument: $1"; n="$1" ;;
    esac
    shift
  done
  [[ "$n" =~ ^[0-9]+$ && "$n" -le $MAX_FAKE_NODES ]] || bad_input "gpu-nodes: N must be 0..$MAX_FAKE_NODES, got '$n'"
  [[ "$gpus" =~ ^[1-9][0-9]*$ ]] || bad_input "--gpus: expected a positive integer, got '$gpus'"
  require_up
  set_gpu_nodes "$n" "$gpus"
}

# --- images and the operator

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

cmd_restart() {
  local name="" down_for=0 args known=0 d
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --down-for) [[ $# -ge 2 ]] || bad_input "--down-for needs a value"; down_for="$2"; shift ;;
      *) [[ -z "$name" ]] || bad_input "restart: unexpected argument: $1"; name="$1" ;;
    esac
    shift
  done
  for d in "${DAEMONS_START_ORDER[@]}"; do [[ "$d" == "$name" ]] && known=1; done
  [[ $known == 1 ]] || bad_input "restart: COMPONENT must be one of: ${DAEMONS_START_ORDER[*]} (got '$name')"
  [[ "$down_for" =~ ^[0-9]+$ ]] || bad_input "--down-for: expected whole seconds, got '$down_for'"
  require_root
  [[ -f "$RUN/$name.args" ]] || die "the cluster is not up (no $RUN/$name.args); run hack/cluster.sh up"
  mapfile -d '' -t args <"$RUN/$name.args"
  # The API server drains open requests for up to a minute after TERM; a restart does not wait
  # that long (a crashed API server would not either).
  daemons_stop 10 "$name"
  if [[ "$down_for" -gt 0 ]]; then
    log "$name stays down for ${down_for}s"
    sleep "$down_for"
  fi
  daemon_start "$name" "${args[@]}"
  case "$name" in
    etcd) wait_for 60 "etcd healthy" sh -c "curl -sf --max-time 2 $ETCD_URL/health | grep -q '\"health\":\"true\"'" ;;
    kube-apiserver) wait_for 120 "kube-apiserver ready" api_ready ;;
    containerd) wait_for 30 "containerd ready" ctr --address "$CONTAINERD_SOCK" version ;;
    kubelet) wait_for 120 "node $NODE_NAME Ready" node_ready ;;
    *) ;;
  esac
}

# --- status, env

require_up() {
  [[ -d "$STATE" && -n "$K8S_BIN" ]] || die "the cluster is not up (no $STATE); run hack/cluster.sh up"
  api_ready || die "the API server at $API_URL does not answer; see hack/cluster.sh status"
}

cmd_status() {
  if [[ ! -d "$STATE" ]]; then
    echo "down (no $STATE)"
    exit 3
  fi
  local name pid running=0
  for name in "${DAEMONS_START_ORDER[@]}"; do
    if pid="$(daemon_pid "$name")"; then
      printf '%-24s running (pid %s)\n' "$name" "$pid"
      running=$((running + 1))
    else
      printf '%-24s NOT running (log: %s)\n' "$name" "$LOGS/$name.log"
    fi
  done
  echo "memory of cluster and pods: $(( $(cluster_memory_bytes) / 1048576 )) MiB anonymous (cgroup rss), $(( $(cluster_rss_bytes) / 1048576 )) MiB summed VmRSS"
  echo "KUBECONFIG=$ADMIN_KUBECONFIG"
  if [[ $running -gt 0 ]] && api_ready; then
    kubectl get nodes -o wide
  fi
  [[ $running -eq ${#DAEMONS_START_ORDER[@]} ]] || exit 1
}

cmd_env() {
  [[ -d "$STATE" && -n "$K8S_BIN" ]] || die "the cluster is not up (no $STATE); run hack/cluster.sh up"
  printf 'export KUBECONFIG=%q\n' "$ADMIN_KUBECONFIG"
  printf 'export PATH=%q:"$PATH"\n' "$K8S_BIN"
  printf 'export COSPRESS_CLUSTER_CONTAINERD=%q\n' "$CONTAINERD_SOCK"
}

# --- down

cmd_down() {
  require_root
  # Tear-down goes on past a step that fails: each later step undoes something else.
  set +e
  local start=$SECONDS name
  if [[ ! -d "$STATE" ]]; then
    net_down
    log "no cluster state at $STATE; nothing else to do"
    return 0
  fi
  log "tearing the cluster down"
  # The kubelet first, so it restarts no container; then the containers themselves, and only
  # then containerd (its shims would otherwise be orphaned with their containers) and the
  # control plane; etcd last, so the API server shuts down cleanly.
  daemons_stop 10 kwok kube-proxy kubelet
  local root
  for root in $(cgroup_roots); do
    [[ -d "$root/kubepods" ]] && find "$root/kubepods" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un | xargs -r kill -KILL 2>/dev/null || true
  daemons_stop 15 containerd kube-scheduler kube-controller-manager kube-apiserver
  daemons_stop 15 etcd
  kill_cluster_processes

  local cleanup_start=$SECONDS
  # kube-proxy's own clean-up first (it knows every chain it made), then whatever KUBE-
  # chain is left (the kubelet's KUBE-FIREWALL, KUBE-KUBELET-CANARY, ...).
  if [[ -x "$K8S_BIN/kube-proxy" ]]; then
    timeout 60 "$K8S_BIN/kube-proxy" --cleanup >>"$LOGS/kube-proxy-cleanup.log" 2>&1 || true
  fi
  iptables_cleanup
  nft_cleanup
  log "removed the cluster's iptables/nftables rules ($((SECONDS - cleanup_start))s)"

  unmount_under "$STATE"
  net_down
  sysctl_restore
  cgroup_remove
  outside_paths_cleanup

  mkdir -p "$CACHE_BASE/cluster-logs"
  rm -rf "$CACHE_BASE/cluster-logs/last"
  cp -a "$LOGS" "$CACHE_BASE/cluster-logs/last" 2>/dev/null || true
  rm -rf "$STATE"
  log "cluster down in $((SECONDS - start))s (logs kept in $CACHE_BASE/cluster-logs/last)"
}

# --- main

[[ $# -ge 1 ]] || { usage; exit 2; }
command="$1"; shift
case "$command" in
  up) cmd_up "$@" ;;
  prepare) [[ $# -eq 0 ]] || bad_input "prepare takes no argument"; cmd_prepare ;;
  down) [[ $# -eq 0 ]] || bad_input "down takes no argument"; cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  gpu-nodes) cmd_gpu_nodes "$@" ;;
  load-images) cmd_load_images "$@" ;;
  install-operator) cmd_install_operator "$@" ;;
  uninstall-operator) cmd_uninstall_operator "$@" ;;
  test-images) test_images_dir ;;
  restart) cmd_restart "$@" ;;
  -h|--help|help) usage ;;
  *) usage; bad_input "unknown command: $command" ;;
esac
