#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then `mvn verify`
# (unit tests `*Test`, and `*IT` tests against a real kube-apiserver + etcd), then the
# end-to-end suite (`*E2E`) on a real single-node cluster (hack/e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: Fashion-MNIST (MIT licence) for the data-pipeline tests on the full original
# files; Lua 5.1 (the dialect of Argo CD's interpreter) and 5.4 for the health-check test.
missing=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] ||
  missing+=(dataset-fashion-mnist)
command -v lua5.1 >/dev/null || missing+=(lua5.1)
command -v lua5.4 >/dev/null || missing+=(lua5.4)
# Debian's PyTorch and NumPy: LossFixturesRegenerationTest reruns tools/cospress_loss_reference.py.
/usr/bin/python3 -c 'import numpy, torch' 2>/dev/null || missing+=(python3-torch python3-numpy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Built from source through the Go module proxy once, then cached: etcd, kube-apiserver and
# kubectl for the *IT tests; Helm for the chart tests; the Prometheus query parser for the
# dashboard and alert test. promtool (from Debian's prometheus package, unpacked, not installed)
# evaluates the alert rules. Kueue and prometheus-operator CRDs let the API server validate the
# examples and the chart's monitoring objects.
kube_api_test_dir=$(bash hack/k8s-binaries.sh | tail -n1)
helm=$(bash hack/helm.sh | tail -n1)
promql_metrics=$(bash hack/promql-metrics.sh | tail -n1)
promtool=$(bash hack/promtool.sh | tail -n1)
third_party_crds=$(bash hack/third-party-crds.sh | tail -n1)

mvn -B -ntp verify \
  -Dcospress.kubeApiTestDir="$kube_api_test_dir" \
  -Dcospress.helm="$helm" \
  -Dcospress.promqlMetrics="$promql_metrics" \
  -Dcospress.promtool="$promtool" \
  -Dcospress.thirdPartyCrdDir="$third_party_crds" \
  "$@"

# The end-to-end suite (e2e/, classes *E2E): the images built from this checkout run on a real
# single-node cluster that hack/cluster.sh brings up on this machine (needs root). hack/e2e.sh
# builds what the suite needs, brings the cluster up, runs the scenarios CI runs, tears the
# cluster down and compares the machine before and after (hack/cluster-leak-check.sh): a
# tear-down that leaves anything behind fails the build like a failed scenario does.
# COSPRESS_E2E=0 leaves it out (a machine where you are not root, or a quick local run).
if [ "${COSPRESS_E2E:-1}" != 0 ]; then
  echo "==> end-to-end suite on a real single-node cluster (hack/e2e.sh --ci)" >&2
  bash hack/e2e.sh --ci
fi
