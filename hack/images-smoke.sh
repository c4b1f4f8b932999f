#!/usr/bin/env bash
# Smoke-tests the images of hack/images.sh the way a pod runs them, with podman (runc) as root:
#
#   trainer  uid/gid 10001 (+ fsGroup 10001), read-only root filesystem, all capabilities dropped,
#            no privilege escalation, 2 CPUs / 2 GiB like examples/quickstart.yaml, no network;
#            the manifest mounted read-only at /etc/cospress/run.yaml laid out as a ConfigMap
#            volume (..data symlinks); the checkpoint claim (models + data + checkpoints) at
#            /var/lib/cospress/output; a writable /tmp like the pod's emptyDir; the environment,
#            JAVA_TOOL_OPTIONS and arguments of operator/.../TrainerContainerFactory. Checks:
#            --version; invalid manifest and a teacher that is not TorchScript exit 2 with a
#            one-line error and write nothing; the quickstart trains, SIGTERM mid-epoch writes a
#            checkpoint, the next attempt resumes from it and trains to completion; /metrics
#            answers; nothing is extracted into /tmp (libtorch is unpacked in the image); the
#            checkpoint cleanup Job's command (rm -rf) works in the image.
#   operator the chart's security context and environment; starts its JVM and fails only for
#            want of an API server.
#   archives each one imports into a throwaway containerd with `ctr -n k8s.io images import`.
#
#   hack/images-smoke.sh [--quick] [--cuda] [--no-cpu] [--no-ctr] [DIR]
#
# DIR holds the archives (default: built now by hack/images.sh, whose last line names it).
# --quick trains 2 epochs instead of the quickstart's 10; --cuda also runs the trainer checks on
# the CUDA image (on the CPU, with DJL's library loading logged); --no-cpu skips the operator and
# CPU trainer; --no-ctr skips the containerd import. Prints "N passed, N failed" last.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

quick=false cuda=false cpu=true ctr_check=true dir=
for arg in "$@"; do
  case $arg in
    --quick) quick=true ;;
    --cuda) cuda=true ;;
    --no-cpu) cpu=false ;;
    --no-ctr) ctr_check=false ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "images-smoke: unknown option: $arg" >&2; exit 2 ;;
    *) dir=$arg ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "images-smoke: must run as root (podman, containerd)" >&2; exit 1; }

if [ -z "$dir" ]; then
  build_args=()
  $cuda && build_args+=(--cuda)
  dir=$(bash hack/images.sh "${build_args[@]}" | tail -n1)
fi

missing=()
for pkg in podman runc containerd; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "images-smoke: installing Debian packages: ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# The storage hack/images.sh built into, so loading an archive whose layers are there is quick.
cache=${COSPRESS_IMAGES_CACHE:-$HOME/.cache/cospress/images}
driver=$(cat "$cache/driver" 2>/dev/null || echo overlay)
export CONTAINERS_STORAGE_CONF=$cache/storage-$driver.conf
[ -f "$CONTAINERS_STORAGE_CONF" ] || { echo "images-smoke: run hack/images.sh first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cospress-smoke.XXXXXX")
containers=()
ctrd_pid=
cleanup() {
  for c in "${containers[@]}"; do podman_ rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  if [ -n "$ctrd_pid" ]; then kill "$ctrd_pid" 2>/dev/null || true; wait "$ctrd_pid" 2>/dev/null || true; fi
  grep -o " ${work}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*" >&2; }
fail() { failed=$((failed + 1)); echo "FAIL $*" >&2; }
check() { # check NAME COMMAND...: passes when the command succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
log() { echo "images-smoke: $*" >&2; }

# No systemd here: cgroupfs and a file event log. This machine's root lacks CAP_SYS_RESOURCE, so
# runc may not raise rlimits: podman's defaults (1M open files) fail; these stay below the host's.
podman_cmd=(podman --cgroup-manager=cgroupfs --events-backend=file)
podman_() { "${podman_cmd[@]}" "$@"; }
java_options=
nofile=$(ulimit -Hn)
hardened=(--network none --read-only --read-only-tmpfs=false --cap-drop ALL
  --security-opt no-new-privileges --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)

load() { # load ARCHIVE NAME: the image as the archive carries it
  local archive=$1 name=$2 t=$SECONDS
  podman_ load -q -i "$archive" >/dev/null
  log "loaded $name from $(basename "$archive") in $((SECONDS - t)) s"
}

# --- containerd: the archives import as the cluster imports them ---------------------------------
ctr_import() {
  local archives=("$@") t=$SECONDS
  mkdir -p "$work/containerd"
  cat >"$work/containerd/config.toml" <<EOF
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd/containerd.sock"
[ttrpc]
  address = "$work/containerd/containerd.sock.ttrpc"
EOF
  containerd --config "$work/containerd/config.toml" >"$work/containerd/log" 2>&1 &
  ctrd_pid=$!
  local sock=$work/containerd/containerd.sock
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
  for archive in "${archives[@]}"; do
    local name
    name=$(python3 -c 'import json,sys,tarfile
t=tarfile.open(sys.argv[1]); i=json.load(t.extractfile("index.json"))
print(i["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])' "$archive")
    ctr -a "$sock" -n k8s.io images import "$archive" >&2
    check "ctr -n k8s.io images import $(basename "$archive") gives $name" \
      sh -c "ctr -a '$sock' -n k8s.io images ls -q | grep -qx '$name'"
  done
  kill "$ctrd_pid"
  wait "$ctrd_pid" 2>/dev/null || true
  ctrd_pid=
  rm -rf "$work/containerd"
  log "containerd import checked in $((SECONDS - t)) s"
}

# --- operator ---------------------------------------------------------------------------------------
smoke_operator() {
  local image=$1 tmp=$work/operator-tmp
  mkdir -p "$tmp" && chmod 0777 "$tmp"
  log "operator: starting $image with the chart's security context and no API server"
  local rc=0
  containers+=(smoke-operator)
  timeout 300 "${podman_cmd[@]}" run --rm --name smoke-operator "${hardened[@]}" \
    --user 10001:10001 --group-add 10001 \
    --memory 512m --cpus 1 -v "$tmp:/tmp" \
    -e WATCH_NAMESPACES= -e LEADER_ELECTION_NAMESPACE=cospress-system \
    -e LEADER_ELECTION_LEASE=cospress-operator-lock -e HTTP_PORT=8080 -e LOG_FORMAT=json \
    -e TRAINER_IMAGE=cospress.local/cospress-trainer:dev \
    -e TRAINER_GPU_IMAGE=cospress.local/cospress-trainer:dev-cuda \
    -e TRAINER_IMAGE_PULL_POLICY=IfNotPresent -e TRAINER_DEFAULT_CPU=2 -e TRAINER_DEFAULT_MEMORY=8Gi \
    -e 'TRAINER_GPU_NODE_SELECTOR={}' \
    -e 'TRAINER_GPU_TOLERATIONS=[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]' \
    "$image" >"$work/operator.log" 2>&1 || rc=$?
  check "operator: JVM starts the Java Operator SDK (JSON log)" \
    grep -q '"loggerName":"io.javaoperatorsdk.operator.Operator"' "$work/operator.log"
  check "operator: stops for want of an API server (exit $rc, kubernetes.default.svc unknown)" \
    sh -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'UnknownHostException: kubernetes.default.svc' '$work/operator.log'"
  check "operator: no class, library or read-only file system errors" \
    sh -c "! grep -E 'NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError|Read-only file system' '$work/operator.log'"
}

# --- trainer ----------------------------------------------------------------------------------------
# The claim: models and data as a user puts them there, owned the way the kubelet leaves a volume
# with fsGroup 10001 (group-owned, group-writable, setgid directories).
new_volume() {
  local vol=$1
  mkdir -p "$vol"
  cp -r examples/models examples/data "$vol/"
  chgrp -R 10001 "$vol"
  chmod -R g+rwX "$vol"
  find "$vol" -type d -exec chmod g+s {} +
}

# The manifest as the operator's ConfigMap volume presents it: run.yaml -> ..data/run.yaml.
new_manifest() {
  local dir=$1 source=$2 stamp=..2026_01_01_00_00_00.000000000
  mkdir -p "$dir/$stamp"
  cp "$source" "$dir/$stamp/run.yaml"
  chmod 0644 "$dir/$stamp/run.yaml"
  chgrp -R 10001 "$dir"
  ln -s "$stamp" "$dir/..data"
  ln -s ..data/run.yaml "$dir/run.yaml"
}

# The run as TrainerManifestConfigMap writes it: name, namespace and uid in the metadata.
quickstart_manifest() {
  local out=$1 epochs=$2
  python3 - examples/quickstart.yaml "$out" "$epochs" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
text = text.replace("  name: quickstart\n",
                    "  name: quickstart\n  namespace: smoke\n  uid: 8d3c6f0e-0000-4000-8000-000000000001\n", 1)
text = re.sub(r"(?m)^    epochs: \d+$", "    epochs: " + sys.argv[3], text, count=1)
open(sys.argv[2], "w").write(text)
EOF
}

# The pod's environment, less COSPRESS_RUN_NAME and COSPRESS_RUN_NAMESPACE: with them the trainer
# also patches the run's status through the API server, and with no API server each failed patch
# holds the training loop for as long as the Kubernetes client retries (about 20 s a step here),
# which would make this check measure the client's backoff instead of the image.
run_trainer() { # run_trainer NAME IMAGE VOLUME MANIFEST_DIR TMP ATTEMPT [extra podman args] -- [trainer args]
  local name=$1 image=$2 vol=$3 manifest=$4 tmp=$5 attempt=$6
  shift 6
  local extra=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do extra+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  local args=("$@")
  if [ ${#args[@]} -eq 0 ]; then
    args=(run -f /etc/cospress/run.yaml --output /var/lib/cospress/output
      --base-dir /var/lib/cospress/output --metrics-port 9400)
  fi
  containers+=("$name")
  podman_ run -d --name "$name" "${hardened[@]}" --user 10001:10001 --group-add 10001 \
    --cpus 2 --memory 2g --stop-timeout 180 \
    -v "$manifest:/etc/cospress:ro" -v "$vol:/var/lib/cospress/output" -v "$tmp:/tmp" \
    -e COSPRESS_RUN_UID=8d3c6f0e-0000-4000-8000-000000000001 -e COSPRESS_ATTEMPT="$attempt" \
    -e COSPRESS_CONFINE_PATHS=true \
    -e "JAVA_TOOL_OPTIONS=${java_options:-} -XX:MaxRAMPercentage=50 -Djava.io.tmpdir=/tmp -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1" \
    -e OMP_WAIT_POLICY=PASSIVE -e DJL_CACHE_DIR=/tmp/djl -e ENGINE_CACHE_DIR=/tmp/djl \
    "${extra[@]}" "$image" "${args[@]}" >/dev/null
}

wait_exit() { # wait_exit NAME LOG: the exit code, the container's output into LOG
  local rc
  rc=$(podman_ wait "$1")
  podman_ logs "$1" >"$2" 2>&1
  podman_ rm -f "$1" >/dev/null
  echo "$rc"
}

status_step() { # the trainer's step from the run's status.json (in its checkpoint path), 0 before there is one
  python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["progress"]["step"])
except Exception: print(0)' "$1/status.json"
}

smoke_trainer() {
  local image=$1 label=$2
  local base=$work/$label
  mkdir -p "$base"
  local epochs=10
  $quick && epochs=2
  local tmp=$base/tmp vol=$base/volume
  mkdir -p "$tmp" && chmod 0777 "$tmp"
  new_volume "$vol"

  log "$label: --version"
  local out
  out=$(podman_ run --rm "${hardened[@]}" --user 10001:10001 "$image" --version 2>&1) || true
  check "$label: --version as uid 10001 on a read-only root" grep -q 'cospress-trainer' <<<"$out"

  # Invalid input: exit 2, one line naming the field or file, nothing written to the claim.
  local before rc
  printf 'this is not TorchScript\n' >"$vol/models/not-torchscript.pt"
  chgrp 10001 "$vol/models/not-torchscript.pt"
  before=$(cd "$vol" && find . -printf '%p %s %T@\n' | sort | sha256sum)
  quickstart_manifest "$base/bad-schema.yaml" 10
  sed -i 's/^    epochs: 10$/    epochs: -2/' "$base/bad-schema.yaml"
  new_manifest "$base/manifest-bad-schema" "$base/bad-schema.yaml"
  run_trainer "smoke-$label-schema" "$image" "$vol" "$base/manifest-bad-schema" "$tmp" 1
  rc=$(wait_exit "smoke-$label-schema" "$base/bad-schema.log")
  check "$label: invalid manifest exits 2 (got $rc)" [ "$rc" = 2 ]
  check "$label: invalid manifest names the field" grep -q '^error: spec.training.epochs: must be >= 1' "$base/bad-schema.log"

  quickstart_manifest "$base/bad-teacher.yaml" 10
  sed -i 's#model: models/teacher-vit-fmnist.pt#model: models/not-torchscript.pt#' "$base/bad-teacher.yaml"
  new_manifest "$base/manifest-bad-teacher" "$base/bad-teacher.yaml"
  run_trainer "smoke-$label-teacher" "$image" "$vol" "$base/manifest-bad-teacher" "$tmp" 1
  rc=$(wait_exit "smoke-$label-teacher" "$base/bad-teacher.log")
  check "$label: teacher that is not TorchScript exits 2 (got $rc)" [ "$rc" = 2 ]
  check "$label: ... with one error line naming the file" \
    sh -c "grep '^error: ' '$base/bad-teacher.log' | grep -q 'not-torchscript.pt' && ! grep -q '^[[:space:]]*at ' '$base/bad-teacher.log'"
  check "$label: invalid input writes nothing to the claim" \
    [ "$(cd "$vol" && find . -printf '%p %s %T@\n' | sort | sha256sum)" = "$before" ]
  rm "$vol/models/not-torchscript.pt"

  # Attempt 1: train, SIGTERM in the middle of the second epoch, checkpoint written.
  quickstart_manifest "$base/run.yaml" "$epochs"
  new_manifest "$base/manifest" "$base/run.yaml"
  log "$label: attempt 1 (quickstart, $epochs epochs), SIGTERM after step 80"
  run_trainer "smoke-$label-a1" "$image" "$vol" "$base/manifest" "$tmp" 1
  local deadline=$((SECONDS + 600)) step=0 metrics=
  while [ "$(podman_ inspect -f '{{.State.Running}}' "smoke-$label-a1")" = true ] && [ $SECONDS -lt $deadline ]; do
    step=$(status_step "$vol/checkpoints")
    if [ -z "$metrics" ] && [ "$step" -gt 0 ]; then
      local pid
      pid=$(podman_ inspect -f '{{.State.Pid}}' "smoke-$label-a1")
      metrics=$(nsenter -t "$pid" -n curl -fsS --max-time 5 http://127.0.0.1:9400/metrics 2>/dev/null || true)
    fi
    [ "$step" -ge 80 ] && break
    sleep 1
  done
  podman_ kill --signal TERM "smoke-$label-a1" >/dev/null 2>&1 || true
  rc=$(wait_exit "smoke-$label-a1" "$base/attempt1.log")
  check "$label: /metrics answers in the pod's network namespace" \
    grep -q '^cospress_train_step{.*run="quickstart"' <<<"$metrics"
  local stopped_at
  stopped_at=$(sed -n 's/.*after checkpointing at step \([0-9]*\).*/\1/p' "$base/attempt1.log" | tail -n1)
  check "$label: SIGTERM reaches the JVM: checkpoint at step ${stopped_at:-?} (exit $rc)" \
    sh -c "[ -n '$stopped_at' ] && [ '$stopped_at' -ge 80 ] && [ -d '$vol/checkpoints/ckpt-$(printf %010d "${stopped_at:-0}")' ]"
  check "$label: the checkpoint belongs to uid 10001, group 10001" \
    sh -c "[ \"\$(stat -c %u:%g '$vol/checkpoints')\" = 10001:10001 ]"

  # Attempt 2: resumes where attempt 1 stopped and trains to the end.
  log "$label: attempt 2, to completion"
  run_trainer "smoke-$label-a2" "$image" "$vol" "$base/manifest" "$tmp" 2
  rc=$(wait_exit "smoke-$label-a2" "$base/attempt2.log")
  local total=$((epochs * 62))
  check "$label: attempt 2 resumes from step ${stopped_at:-?}" \
    grep -q "resuming from .*ckpt-$(printf %010d "${stopped_at:-0}") .*step ${stopped_at:-x}\$" "$base/attempt2.log"
  check "$label: trains the quickstart to completion (exit $rc)" \
    sh -c "[ $rc = 0 ] && grep -q '^done: $total steps' '$base/attempt2.log' && [ -s '$vol/checkpoints/final/student.pt' ]"
  grep -E '^(done|kNN accuracy|epoch [0-9]+:)' "$base/attempt2.log" | sed "s/^/  $label: /" >&2 || true
  check "$label: status.json says Succeeded" grep -q '"phase" : "Succeeded"' "$vol/checkpoints/status.json"
  check "$label: nothing extracted into /tmp (no libtorch copy)" \
    sh -c "! find '$tmp' -name '*.so*' | grep -q ."
  log "$label: /tmp after the run: $(du -sh "$tmp" | cut -f1); the claim: $(du -sh "$vol" | cut -f1)"

  # retentionPolicy: Delete — CheckpointCleanupJobFactory runs this image with the command
  # rm -rf -- <claim>/<checkpoint.path> under the same security context.
  podman_ run --rm "${hardened[@]}" --user 10001:10001 --group-add 10001 \
    -v "$vol:/var/lib/cospress/output" \
    --entrypoint '["rm","-rf","--","/var/lib/cospress/output/checkpoints"]' "$image" >&2 || true
  check "$label: the checkpoint cleanup Job's rm removes the run's directory, nothing else" \
    sh -c "[ ! -e '$vol/checkpoints' ] && [ -s '$vol/models/teacher-vit-fmnist.pt' ] && [ -s '$vol/data/fashion-mnist-sample/train-images-idx3-ubyte.gz' ]"
  for f in "$base"/*.log; do cp "$f" "$results/$label-$(basename "$f")"; done
}

# DJL's loading of PyPI's CUDA libtorch, logged, and every library's dependencies resolved
# (the driver's libcuda.so.1 aside, which the NVIDIA container toolkit mounts on GPU nodes).
smoke_cuda_loading() {
  local image=$1 base=$work/cuda-loading
  mkdir -p "$base/tmp" && chmod 0777 "$base/tmp"
  cat >"$base/logback.xml" <<'EOF'
<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %logger{24} - %msg%n</pattern></encoder>
  </appender>
  <logger name="ai.djl" level="DEBUG"/>
  <root level="INFO"><appender-ref ref="STDERR"/></root>
</configuration>
EOF
  local unresolved
  unresolved=$(podman_ run --rm "${hardened[@]}" --user 10001:10001 --entrypoint sh "$image" -c \
    'cd /opt/torch/torch/lib
     for f in *.so*; do
       # DJL loads libtorch before its JNI library, which therefore carries no search path.
       if [ "$f" = libdjl_torch.so ]; then LD_LIBRARY_PATH=$PWD ldd "$f"; else ldd "$f"; fi |
         grep "not found" | grep -v libcuda.so.1 | sed "s|^|$f: |"
     done' 2>&1 || true)
  check "cuda: every library in /opt/torch/torch/lib resolves (without the driver)" [ -z "$unresolved" ]
  [ -z "$unresolved" ] || echo "$unresolved" >&2
  local vol=$base/volume
  new_volume "$vol"
  quickstart_manifest "$base/run.yaml" 1
  new_manifest "$base/manifest" "$base/run.yaml"
  java_options="-Dlogback.configurationFile=/etc/cospress-debug/logback.xml" \
    run_trainer smoke-cuda-loading "$image" "$vol" "$base/manifest" "$base/tmp" 1 \
    -v "$base/logback.xml:/etc/cospress-debug/logback.xml:ro" -- \
    run -f /etc/cospress/run.yaml --output /var/lib/cospress/output \
    --base-dir /var/lib/cospress/output --stop-after-steps 3
  local rc
  rc=$(wait_exit smoke-cuda-loading "$base/loading.log")
  grep -E 'LibUtils|PtEngine|Platform' "$base/loading.log" | sed 's/^/  cuda: /' >&2 || true
  check "cuda: DJL loads libtorch_cuda.so from the wheel" \
    grep -q 'Loading native library: /opt/torch/torch/lib/libtorch_cuda.so' "$base/loading.log"
  check "cuda: DJL loads the CUDA JNI library placed beside it" \
    grep -q 'Loading native library: /opt/torch/torch/lib/libdjl_torch.so' "$base/loading.log"
  check "cuda: three steps on the CPU and a checkpoint (exit $rc)" \
    sh -c "[ $rc = 0 ] && grep -q 'after checkpointing at step 3' '$base/loading.log'"
  cp "$base/loading.log" "$results/cuda-loading.log"
}

results=${COSPRESS_SMOKE_RESULTS:-$repo/target/images-smoke}
rm -rf "$results" && mkdir -p "$results"
started=$SECONDS
archives=()
if $cpu; then
  load "$dir/cospress-operator.tar" cospress.local/cospress-operator:dev
  load "$dir/cospress-trainer.tar" cospress.local/cospress-trainer:dev
  archives+=("$dir/cospress-operator.tar" "$dir/cospress-trainer.tar")
fi
if $cuda; then
  load "$dir/cospress-trainer-cuda.tar" cospress.local/cospress-trainer:dev-cuda
  archives+=("$dir/cospress-trainer-cuda.tar")
fi
if $ctr_check && [ ${#archives[@]} -gt 0 ]; then ctr_import "${archives[@]}"; fi
if $cpu; then
  smoke_operator cospress.local/cospress-operator:dev
  cp "$work/operator.log" "$results/operator.log"
  smoke_trainer cospress.local/cospress-trainer:dev cpu
fi
if $cuda; then
  smoke_cuda_loading cospress.local/cospress-trainer:dev-cuda
  smoke_trainer cospress.local/cospress-trainer:dev-cuda cuda
fi
podman_ images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^cospress.local/' >&2 || true
log "logs in $results; took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
