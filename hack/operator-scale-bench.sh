#!/usr/bin/env bash
# The operator at fleet scale, against a real API server (etcd + kube-apiserver from
# hack/k8s-binaries.sh, with an audit log, and kube-controller-manager's garbage collector):
#   1. the operator jar runs as the chart runs it: the chart's ServiceAccount, RBAC and env
#      (helm template with default values), the Dockerfile's JVM flags, the chart's memory limit
#      as -XX:MaxRAM and its CPU limit as -XX:ActiveProcessorCount (not enforced);
#   2. 1,000 runs (the quickstart manifest, renamed) are created as fast as a client can; the
#      API server's audit log times the last run's create against the operator's last Job create
#      and counts the operator's requests per run, repeated status writes and repeated events;
#      the operator's CPU, heap (after a full GC), RSS and JOSDK's reconcile timer are read;
#   3. the runs are deleted; how soon are they gone and is the operator idle;
#   4. 5,000 runs, for memory.
# --trainer-status measures the trainer instead: each REF's trainer jar trains a small run with
# short epochs (a milestone every second or so) with its run's ServiceAccount token, and the audit
# log counts its status writes per second (TrainerStatusRate).
# Each REF is a git ref, built from `git archive` in a temporary directory, or "." for this
# working tree (the default). Several are measured in one invocation, in an order that alternates
# from round to round, so a machine that gets busier (it is shared) favours none of them.
# Usage: hack/operator-scale-bench.sh [--rounds N] [--runs N] [--large N]
#          [--creation parallel|kubectl-apply] [--threads N] [--out DIR] [--trainer-status] [REF...]
#   e.g. hack/operator-scale-bench.sh main .      # main against the working tree
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/operator-scale-bench
args=()
refs=()
trainer_status=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --trainer-status) trainer_status=1; shift ;;
    --rounds|--runs|--large|--creation|--threads|--phase-timeout-seconds) args+=("$1" "$2"); shift 2 ;;
    -*) echo "usage: $0 [--rounds N] [--runs N] [--large N] [--creation parallel|kubectl-apply] [--threads N] [--out DIR] [--trainer-status] [REF...]" >&2; exit 2 ;;
    *) refs+=("$1"); shift ;;
  esac
done
[ ${#refs[@]} -gt 0 ] || refs=(.)

# kube-controller-manager too: its garbage collector deletes a run's Job, ConfigMap and RBAC.
kube=$(bash hack/k8s-binaries.sh --with-controllers | tail -n1)
helm=$(bash hack/helm.sh | tail -n1)

module=operator
[ "$trainer_status" = 0 ] || module=trainer
build() { # checkout root; the jar and lib/ land in its <module>/target
  (cd "$1" && nice mvn -B -ntp -q -pl "$module" -am package -DskipTests -Dspotless.check.skip=true "${@:2}")
}

# The benchmark itself runs from this working tree, with its test classpath.
classpath_file="$PWD/operator/target/bench-classpath.txt"
nice mvn -B -ntp -q -pl operator -am package -DskipTests -Dspotless.check.skip=true \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
operators=()
for ref in "${refs[@]}"; do
  if [ "$ref" = . ]; then
    [ "$module" = operator ] || build .
    operators+=(--operator "worktree=$PWD")
  else
    sha=$(git rev-parse --short "$ref^{commit}")
    mkdir -p "$scratch/$sha"
    git archive "$sha" | tar -x -C "$scratch/$sha"
    echo "==> building the $module at $ref ($sha)" >&2
    build "$scratch/$sha"
    operators+=(--operator "$ref@$sha=$scratch/$sha")
  fi
done

mkdir -p "$out"
classpath="operator/target/test-classes:operator/target/classes:$(cat "$classpath_file")"
echo "==> load before: $(cat /proc/loadavg)" >&2
if [ "$trainer_status" = 1 ]; then
  jars=()
  for ((i = 1; i < ${#operators[@]}; i += 2)); do
    jars+=("${operators[i]%%=*}=${operators[i]#*=}/trainer/target/cospress-trainer.jar")
  done
  java -cp "$classpath" io.cospress.operator.bench.TrainerStatusRate --kube-binaries "$kube" \
    --crd crds/distillationruns.cospress.io-v1.yml --examples examples "${jars[@]}" | tee "$out/trainer-status.md"
else
  java -Xmx1g -cp "$classpath" io.cospress.operator.bench.FleetScaleBenchmark \
    --kube-binaries "$kube" --helm "$helm" --manifest examples/quickstart.yaml \
    "${operators[@]}" --out "$out" "${args[@]}"
fi
echo "==> load after: $(cat /proc/loadavg)" >&2
