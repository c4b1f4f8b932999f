#!/usr/bin/env bash
# hack/e2e.sh - the end-to-end suite (e2e/, classes *E2E) on a real single-node cluster.
#
# Usage (as root; it re-runs itself with sudo otherwise)
#   hack/e2e.sh [MAVEN ARGS...]          build what the suite needs, bring a cluster up, run the
#                                        suite, tear the cluster down and prove the tear-down left
#                                        nothing behind (hack/cluster-leak-check.sh --run)
#   hack/e2e.sh --existing-cluster [MAVEN ARGS...]
#                                        run the suite against the cluster that is up now (after
#                                        hack/cluster.sh up --images DIR); nothing is torn down
#
#   hack/e2e.sh --ci [MAVEN ARGS...]     what hack/test.sh (CI) runs: as the first form, without
#                                        the scenarios tagged "manual" (see below)
#
#   MAVEN ARGS pass through, e.g. -Dit.test=HappyPathE2E to run one scenario (tagged or not).
#
# What it builds first (each cached; see hack/README.md): the node binaries and KWOK
# (hack/cluster.sh prepare), the operator and trainer images (hack/images.sh), Kueue
# (hack/kueue.sh), Prometheus (hack/prometheus.sh), Helm (hack/helm.sh) and the PromQL parser
# (hack/promql-metrics.sh). The cluster comes up with the images loaded and the chart installed
# (hack/cluster.sh up --images DIR). Results: e2e/target/failsafe-reports/ (JUnit XML),
# e2e/target/e2e-report/ (durations.tsv, fleet.txt, dashboard-queries.txt, and for each failed
# test what the cluster showed).
#
# The cluster is always torn down, also when the suite fails or the script is interrupted.
set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
log() { printf '[e2e] %s\n' "$*" >&2; }

if [[ "$(id -u)" != 0 ]]; then
  log "the cluster needs root; running with sudo"
  exec sudo -E bash "$0" "$@"
fi

existing=0
if [[ "${1:-}" == --existing-cluster ]]; then
  existing=1
  shift
fi
# CI (hack/test.sh) leaves out the scenarios tagged "manual" (JUnit 5 @Tag): those not yet
# reliable enough to hold up everybody's build. By hand they run like the others.
if [[ "${1:-}" == --ci ]]; then
  shift
  set -- -DexcludedGroups=manual "$@"
fi
# What the harness wrote for each failed test (e2e/target/e2e-report/<Scenario>/<test>/), into
# the CI log: the files stay in the workspace of a CI job that nobody can open afterwards.
print_diagnostics() {
  local report=$1 dir f
  for dir in "$report"/*E2E/*/; do
    [[ -d "$dir" ]] || continue
    log "=== diagnostics of ${dir#"$report"/} ==="
    for f in "$dir"objects.txt "$dir"events.txt "$dir"nodes.txt; do
      [[ -f "$f" ]] && { printf -- '--- %s\n' "$(basename "$f")" >&2; tail -n 80 "$f" >&2; }
    done
    for f in "$dir"log-*.txt "$dir"operator-*.txt; do
      [[ -f "$f" ]] && { printf -- '--- %s (last 60 lines)\n' "$(basename "$f")" >&2; tail -n 60 "$f" | cut -c1-600 >&2; }
    done
  done
  log "the full diagnostics: $report"
}

# The suite itself, run by cluster-leak-check.sh between up and down (internal).
if [[ "${1:-}" == --suite ]]; then
  shift
  eval "$(bash "$REPO/hack/cluster.sh" env)"
  report="$REPO/e2e/target/e2e-report"
  # Each run starts a fresh report: diagnostics of an earlier run would be printed as this one's.
  rm -rf "$report"
  mkdir -p "$report"
  rc=0
  (cd "$REPO" && mvn -B -ntp -Pe2e -pl e2e -am verify \
    -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true \
    -Dcospress.e2e.kubeconfig="$KUBECONFIG" \
    -Dcospress.e2e.kubectl="$(command -v kubectl)" \
    -Dcospress.e2e.containerd="$COSPRESS_CLUSTER_CONTAINERD" \
    -Dcospress.e2e.prometheus="$COSPRESS_E2E_PROMETHEUS" \
    -Dcospress.e2e.kueueDir="$COSPRESS_E2E_KUEUE" \
    -Dcospress.helm="$COSPRESS_E2E_HELM" \
    -Dcospress.promqlMetrics="$COSPRESS_E2E_PROMQL_METRICS" \
    -Dcospress.e2e.reportDir="$report" \
    -Dfailsafe.timeout="${COSPRESS_E2E_TIMEOUT_S:-3600}" \
    "$@") || rc=$?
  # The suite stops its Prometheus when the test JVM exits; should the JVM have died without
  # running its shutdown hooks, the recorded PID is stopped here.
  if [[ -f "$report/prometheus.pid" ]]; then
    pid="$(cat "$report/prometheus.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping the suite's Prometheus (pid $pid) left by the test JVM"
      kill "$pid" 2>/dev/null || true
    fi
  fi
  [[ -f "$report/durations.tsv" ]] && { log "scenario durations (s):"; column -t "$report/durations.tsv" >&2 || cat "$report/durations.tsv" >&2; }
  [[ -f "$report/fleet.txt" ]] && cat "$report/fleet.txt" >&2
  if [[ "$rc" != 0 ]]; then
    print_diagnostics "$report"
  fi
  exit "$rc"
fi

start=$SECONDS
step() { log "$1 ($((SECONDS - start)) s so far)"; }

step "building what the suite needs"
COSPRESS_E2E_HELM="$(bash "$REPO/hack/helm.sh" | tail -n1)"
COSPRESS_E2E_PROMQL_METRICS="$(bash "$REPO/hack/promql-metrics.sh" | tail -n1)"
COSPRESS_E2E_PROMETHEUS="$(bash "$REPO/hack/prometheus.sh" | tail -n1)"
COSPRESS_E2E_KUEUE="$(bash "$REPO/hack/kueue.sh" | tail -n1)"
export COSPRESS_E2E_HELM COSPRESS_E2E_PROMQL_METRICS COSPRESS_E2E_PROMETHEUS COSPRESS_E2E_KUEUE

if [[ "$existing" == 1 ]]; then
  step "running the suite against the cluster that is up"
  exec bash "$0" --suite "$@"
fi

bash "$REPO/hack/cluster.sh" prepare
images="$(bash "$REPO/hack/images.sh" | tail -n1)"
step "images ready in $images"

# Whatever happens from here on, the cluster goes down: cluster-leak-check.sh tears it down after
# the suite; this trap covers an interruption (or a failed `up`) in between.
teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if bash "$REPO/hack/cluster.sh" status >/dev/null 2>&1 || [[ -d "${COSPRESS_CLUSTER_DIR:-/var/lib/cospress-cluster}" ]]; then
    log "tearing the cluster down after exit code $rc"
    bash "$REPO/hack/cluster.sh" down || true
  fi
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

suite="bash $(printf '%q' "$REPO/hack/e2e.sh") --suite"
for arg in "$@"; do suite+=" $(printf '%q' "$arg")"; done
step "cluster up, suite, cluster down, leak check"
bash "$REPO/hack/cluster-leak-check.sh" --run "$suite" --images "$images"
step "end-to-end suite passed and the machine is as it was"
