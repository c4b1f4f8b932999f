#!/usr/bin/env bash
# hack/cluster-smoke.sh - smoke checks of the cluster that hack/cluster.sh started: each
# proves one thing a real cluster does that the project's end-to-end tests rely on.
#
#   pod-runs            a pod created through the API runs on the real kubelet
#   pod-calls-api       a pod reaches the API server through the `kubernetes` Service ClusterIP
#                       with its mounted token, TLS verified against the mounted CA
#   logs-through-kubelet  kubectl logs works (API server -> kubelet on the node's InternalIP)
#   service-to-pod      a pod reaches another pod through a Service ClusterIP, and so does
#                       the host
#   job-and-gc          a Job completes under the real Job controller; deleting it makes the
#                       garbage collector delete its pod
#   gpu-pod-on-kwok     a pod asking for nvidia.com/gpu: 1 with the GPU toleration runs on a
#                       fake GPU node; annotating it cospress.local/fake-exit-code=0 ends it
#   gpu-pod-unschedulable  a pod asking for more GPUs than any node has stays Pending with the
#                       scheduler's reason, and runs once `gpu-nodes` adds a node big enough
#   chart-installs      image archives in the agreed shape (DIR/cospress-<x>.tar) load with
#                       `load-images`, and `install-operator` installs charts/cospress-operator
#                       with them (the probe image stands in for the operator): both replicas
#                       Ready under the chart's ServiceAccount and security context, and
#                       `kubectl exec` in one proves the chart's token authenticates
#   apiserver-restart   `hack/cluster.sh restart kube-apiserver --down-for 3`: the running pod
#                       keeps running, the node stays Ready, and a new pod reaches the API again
#
# Usage: hack/cluster-smoke.sh   (the cluster must be up; runs every check, exits 1 if any
# failed). Everything happens in the namespace cospress-smoke, deleted at the end.

set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
NS=cospress-smoke
IMAGE=cospress.local/cluster-probe:dev

eval "$(bash "$REPO/hack/cluster.sh" env)"

log() { printf '[smoke] %s\n' "$*" >&2; }
k() { kubectl -n "$NS" "$@"; }

PASSED=() FAILED=()
check() { # NAME FUNCTION
  local name="$1" start=$SECONDS rc
  log "--- $name"
  # errexit is ignored inside an `if` condition, so the check runs outside one.
  set +e
  ( set -Eeuo pipefail; "$2" )
  rc=$?
  set -e
  if [[ $rc == 0 ]]; then
    PASSED+=("$name")
    log "PASS $name ($((SECONDS - start))s)"
  else
    FAILED+=("$name")
    log "FAIL $name ($((SECONDS - start))s)"
  fi
}

fail() { log "$*"; return 1; }

wait_phase() { # POD PHASE SECONDS
  local pod="$1" want="$2" timeout="$3" start=$SECONDS phase
  while true; do
    phase="$(k get pod "$pod" -o jsonpath='{.status.phase}' 2>/dev/null || true)"
    [[ "$phase" == "$want" ]] && return 0
    if (( SECONDS - start >= timeout )); then
      k describe pod "$pod" >&2 || true
      fail "pod $pod is '$phase', not $want, after ${timeout}s"
      return 1
    fi
    sleep 0.5
  done
}

probe_pod() { # NAME ARGS-JSON [RESTART-POLICY]: a pod running the probe image
  cat <<EOF | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels: {app: $1}
spec:
  restartPolicy: ${3:-Never}
  terminationGracePeriodSeconds: 2
  containers:
  - name: probe
    image: $IMAGE
    imagePullPolicy: Never
    args: $2
    securityContext:
      runAsNonRoot: true
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
EOF
}

pod_runs() {
  probe_pod web '["serve","-port","8080"]' Always
  wait_phase web Running 60
  k wait pod/web --for=condition=Ready --timeout=30s >/dev/null
  log "web runs on $(k get pod web -o jsonpath='{.spec.nodeName} with IP {.status.podIP}')"
}

pod_calls_api() {
  local want="system:serviceaccount:$NS:default" out
  probe_pod whoami "[\"whoami\",\"-expect\",\"$want\",\"-wait\",\"30s\"]"
  wait_phase whoami Succeeded 60
  out="$(k logs whoami)"
  log "pod says: $out"
  [[ "$out" == *"authenticated as $want via https://10.96.0.1:443/"* ]] \
    || fail "the pod did not reach the API server through the kubernetes Service ClusterIP"
}

logs_through_kubelet() {
  # `kubectl logs` makes the API server call the kubelet at the node's InternalIP, verifying
  # its serving certificate: it must not look the node name up in the machine's DNS.
  local out
  out="$(k logs web --tail=5)"
  [[ "$out" == *"serving on :8080"* ]] || fail "kubectl logs web gave: $out"
}

service_to_pod() {
  cat <<EOF | k apply -f - >/dev/null
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
  local ip
  ip="$(k get service web -o jsonpath='{.spec.clusterIP}')"
  probe_pod client "[\"get\",\"-wait\",\"30s\",\"http://$ip/\"]"
  wait_phase client Succeeded 60
  log "pod -> service: $(k logs client)"
  local i
  for i in $(seq 30); do
    curl -sf --max-time 2 "http://$ip/" >/dev/null && { log "host -> service $ip: ok"; return 0; }
    sleep 1
  done
  fail "the host could not reach http://$ip/"
}

job_and_gc() {
  cat <<EOF | k apply -f - >/dev/null
apiVersion: batch/v1
kind: Job
metadata: {name: sleeper}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 2
      containers:
      - name: probe
        image: $IMAGE
        imagePullPolicy: Never
        args: ["sleep", "2s"]
EOF
  k wait job/sleeper --for=condition=Complete --timeout=90s >/dev/null \
    || { k describe job sleeper >&2; fail "Job sleeper did not complete"; }
  local pod owner
  pod="$(k get pods -l batch.kubernetes.io/job-name=sleeper -o jsonpath='{.items[0].metadata.name}')"
  owner="$(k get pod "$pod" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')"
  [[ "$owner" == Job/sleeper ]] || fail "pod $pod is owned by '$owner', not Job/sleeper"
  log "Job sleeper complete; its pod $pod is owned by $owner"
  # Orphan-free deletion is the garbage collector's job: delete only the Job, in background.
  k delete job sleeper --cascade=background --wait=false >/dev/null
  local i
  for i in $(seq 60); do
    if ! k get pod "$pod" >/dev/null 2>&1; then
      log "the garbage collector deleted $pod ${i}s after the Job"
      return 0
    fi
    sleep 1
  done
  fail "pod $pod still exists 60s after its Job was deleted"
}

gpu_pod() { # NAME GPUS
  cat <<EOF | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: Never
  containers:
  - name: trainer
    image: $IMAGE
    imagePullPolicy: Never
    resources:
      limits: {nvidia.com/gpu: "$2"}
  tolerations:
  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
EOF
}

gpu_pod_on_kwok() {
  [[ "$(kubectl get nodes -l cospress.local/fake-gpu-node=true -o name | wc -l)" -ge 1 ]] \
    || bash "$REPO/hack/cluster.sh" gpu-nodes 1
  gpu_pod gpu-one 1
  wait_phase gpu-one Running 60
  local node gpus
  node="$(k get pod gpu-one -o jsonpath='{.spec.nodeName}')"
  gpus="$(kubectl get node "$node" -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')"
  [[ "$node" == gpu-node-* ]] || fail "gpu-one runs on $node, not on a fake GPU node"
  log "gpu-one Running on $node (allocatable nvidia.com/gpu: $gpus), IP $(k get pod gpu-one -o jsonpath='{.status.podIP}')"
  k annotate pod gpu-one cospress.local/fake-exit-code=0 >/dev/null
  wait_phase gpu-one Succeeded 30
  log "gpu-one Succeeded after the fake-exit-code annotation"
}

gpu_pod_unschedulable() {
  local max reason message i
  max="$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.allocatable.nvidia\.com/gpu}{"\n"}{end}' | sort -n | tail -n1)"
  local want=$(( ${max:-0} + 1 ))
  gpu_pod gpu-big "$want"
  for i in $(seq 30); do
    reason="$(k get pod gpu-big -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}')"
    [[ "$reason" == Unschedulable ]] && break
    sleep 1
  done
  message="$(k get pod gpu-big -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')"
  log "gpu-big (nvidia.com/gpu: $want): $reason: $message"
  [[ "$reason" == Unschedulable && "$message" == *"Insufficient nvidia.com/gpu"* ]] \
    || fail "expected Unschedulable with 'Insufficient nvidia.com/gpu'"
  sleep 3
  [[ "$(k get pod gpu-big -o jsonpath='{.status.phase}')" == Pending ]] || fail "gpu-big left Pending"

  # A bigger GPU node joins: the scheduler places the waiting pod there.
  local nodes
  nodes="$(kubectl get nodes -l cospress.local/fake-gpu-node=true -o name | wc -l)"
  bash "$REPO/hack/cluster.sh" gpu-nodes $((nodes + 1)) --gpus "$want"
  wait_phase gpu-big Running 60
  log "gpu-big Running on $(k get pod gpu-big -o jsonpath='{.spec.nodeName}') once the node joined"
  k delete pod gpu-big --wait=true --timeout=30s >/dev/null
  bash "$REPO/hack/cluster.sh" gpu-nodes "$nodes"
}

chart_installs() {
  local dir ns=cospress-smoke-operator sa pod uid ro
  dir="$(mktemp -d)"
  # The archives name their image differently inside, as another tool's archives may:
  # load-images must still make them cospress.local/cospress-smoke-<x>:dev.
  cp "$(bash "$REPO/hack/cluster.sh" test-images)/cluster-probe.tar" "$dir/cospress-smoke-operator.tar"
  cp "$dir/cospress-smoke-operator.tar" "$dir/cospress-smoke-trainer.tar"
  bash "$REPO/hack/cluster.sh" load-images "$dir"
  rm -rf "$dir"
  bash "$REPO/hack/cluster.sh" install-operator --release smoke --namespace "$ns" \
    --operator-image cospress.local/cospress-smoke-operator:dev \
    --trainer-image cospress.local/cospress-smoke-trainer:dev
  [[ "$(kubectl -n "$ns" get deploy smoke-cospress-operator -o jsonpath='{.status.readyReplicas}')" == 2 ]] \
    || fail "the chart's Deployment does not have 2 ready replicas"
  pod="$(kubectl -n "$ns" get pods -l app.kubernetes.io/instance=smoke -o jsonpath='{.items[0].metadata.name}')"
  sa="$(kubectl -n "$ns" get pod "$pod" -o jsonpath='{.spec.serviceAccountName}')"
  uid="$(kubectl -n "$ns" get pod "$pod" -o jsonpath='{.spec.securityContext.runAsUser}')"
  ro="$(kubectl -n "$ns" get pod "$pod" -o jsonpath='{.spec.containers[0].securityContext.readOnlyRootFilesystem}')"
  log "$pod Ready: ServiceAccount $sa, runAsUser $uid, readOnlyRootFilesystem $ro"
  [[ "$uid" == 10001 && "$ro" == true ]] || fail "the pod does not run with the chart's security context"
  kubectl -n "$ns" exec "$pod" -- /cluster-probe whoami -expect "system:serviceaccount:$ns:$sa" >&2 \
    || fail "kubectl exec whoami in $pod failed"
  bash "$REPO/hack/cluster.sh" uninstall-operator --release smoke --namespace "$ns"
  kubectl delete namespace "$ns" --wait=true --timeout=60s >/dev/null
}

apiserver_restart() {
  local before after
  before="$(k get pod web -o jsonpath='{.metadata.uid}/{.status.containerStatuses[0].restartCount}')"
  bash "$REPO/hack/cluster.sh" restart kube-apiserver --down-for 3
  k wait pod/web --for=condition=Ready --timeout=60s >/dev/null
  after="$(k get pod web -o jsonpath='{.metadata.uid}/{.status.containerStatuses[0].restartCount}')"
  [[ "$before" == "$after" ]] || fail "pod web changed across the restart: $before -> $after"
  kubectl wait node/cospress-node --for=condition=Ready --timeout=60s >/dev/null
  k delete pod whoami --ignore-not-found --wait=true >/dev/null
  pod_calls_api
}

kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null
# The namespace's default ServiceAccount comes from the ServiceAccount controller.
for _ in $(seq 60); do k get serviceaccount default >/dev/null 2>&1 && break; sleep 0.5; done

check pod-runs pod_runs
check pod-calls-api pod_calls_api
check logs-through-kubelet logs_through_kubelet
check service-to-pod service_to_pod
check job-and-gc job_and_gc
check gpu-pod-on-kwok gpu_pod_on_kwok
check gpu-pod-unschedulable gpu_pod_unschedulable
check chart-installs chart_installs
check apiserver-restart apiserver_restart

kubectl delete namespace "$NS" --wait=true --timeout=120s >/dev/null || log "namespace $NS not deleted in time"

log "passed: ${PASSED[*]:-none}"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  log "FAILED: ${FAILED[*]}"
  exit 1
fi
log "all ${#PASSED[@]} smoke checks passed"
