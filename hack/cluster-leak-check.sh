#!/usr/bin/env bash
# hack/cluster-leak-check.sh - prove that `hack/cluster.sh down` leaves the machine as `up`
# found it: snapshot the host state, bring the cluster up, optionally run the smoke checks,
# tear it down, snapshot again and compare. Prints the up/down wall times and the cluster's
# memory, and any difference; exits 1 if there is one.
#
# Usage (as root)
#   hack/cluster-leak-check.sh [--ignore REGEX]... [--smoke | --run COMMAND] [UP ARGS...]
#
#   --ignore REGEX leave snapshot lines matching REGEX (grep -E) out of the comparison: on a
#                  machine shared with others, e.g. '^/root/\.cache/cospress/images/' for the
#                  mounts another user's podman makes meanwhile; never needed on a CI machine
#   --smoke        run hack/cluster-smoke.sh between up and down (a cluster that ran pods, Jobs
#                  and Services has more to clean up than an idle one)
#   --run COMMAND  run COMMAND (bash -c) between up and down instead, e.g. the end-to-end
#                  suite, so one up/down both serves the suite and proves the tear-down
#
# The snapshot (hack/cluster/host-state.sh) covers network devices, addresses, routes, network
# namespaces, mounts, iptables and nft rules, sysctls, top-level cgroups, the cluster's ports,
# processes and paths. Run it on a machine nobody else changes meanwhile: another user's
# mount or rule shows up as a difference too.

set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
log() { printf '[leak-check] %s\n' "$*" >&2; }

RUN=""
IGNORE=()
while [[ "${1:-}" == --ignore ]]; do
  [[ $# -ge 2 ]] || { log "ERROR: --ignore needs a regular expression"; exit 2; }
  IGNORE+=(-e "$2"); shift 2
done
case "${1:-}" in
  --smoke) RUN="bash '$REPO/hack/cluster-smoke.sh'"; shift ;;
  --run) [[ $# -ge 2 ]] || { log "ERROR: --run needs a command"; exit 2; }; RUN="$2"; shift 2 ;;
esac
[[ "$(id -u)" == 0 ]] || { log "ERROR: run as root"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Install the packages and build the binaries first, so the "before" snapshot already has the
# tools (nft, iptables) the "after" one is taken with, and nothing that `up` installs counts.
bash "$REPO/hack/cluster.sh" prepare

bash "$REPO/hack/cluster/host-state.sh" >"$WORK/before"

start=$SECONDS
bash "$REPO/hack/cluster.sh" up "$@"
up_s=$((SECONDS - start))
status_out="$(bash "$REPO/hack/cluster.sh" status 2>&1 || true)"
memory="$(sed -n 's/^memory of cluster and pods: //p' <<<"$status_out")"

run_rc=0
if [[ -n "$RUN" ]]; then
  bash -c "$RUN" || run_rc=$?
fi

start=$SECONDS
bash "$REPO/hack/cluster.sh" down
down_s=$((SECONDS - start))

bash "$REPO/hack/cluster/host-state.sh" >"$WORK/after"

log "up: ${up_s}s, down: ${down_s}s, memory right after up: ${memory:-unknown}"
if [[ ${#IGNORE[@]} -gt 0 ]]; then
  for f in before after; do grep -Ev "${IGNORE[@]}" "$WORK/$f" >"$WORK/$f.kept" || true; mv "$WORK/$f.kept" "$WORK/$f"; done
  log "left out of the comparison: lines matching ${IGNORE[*]}"
fi
if diff -u "$WORK/before" "$WORK/after" >"$WORK/diff"; then
  log "PASS: the machine is as it was before up (no device, address, route, netns, mount, rule, sysctl, cgroup, port, process or path left)"
else
  log "FAIL: tear-down left differences (- before up, + after down):"
  cat "$WORK/diff" >&2
  exit 1
fi
if [[ "$run_rc" != 0 ]]; then
  log "FAIL: $RUN failed (exit $run_rc)"
  exit "$run_rc"
fi
