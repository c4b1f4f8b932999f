# shellcheck shell=bash
# Starting the cluster's daemons, and the fake GPU nodes. Sourced by hack/cluster.sh, which
# sets the paths, addresses and helpers (daemon_start, wait_for, kubectl, ...) used here.

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
  local step=$SECONDS
  for f in "$images/pause.tar" "$images/cluster-probe.tar"; do
    ctr_k8s images import "$f" >/dev/null
  done
  log "imported $PAUSE_IMAGE and $PROBE_IMAGE ($((SECONDS - step))s)"

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
