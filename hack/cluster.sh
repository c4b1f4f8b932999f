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
# shellcheck source=hack/cluster/lib/components.sh
source "$REPO/hack/cluster/lib/components.sh"
# shellcheck source=hack/cluster/lib/images.sh
source "$REPO/hack/cluster/lib/images.sh"

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

  local step=$SECONDS
  pki_all
  write_containerd_config
  write_cni_config
  write_kubelet_config
  write_kube_proxy_config
  cgroup_create
  net_up
  log "PKI, configs, cgroups and the bridge ready ($((SECONDS - step))s)"
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
