#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then `mvn verify`
# (unit tests `*Test`, and `*IT` tests against a real kube-apiserver + etcd).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Fashion-MNIST (MIT licence) for the data-pipeline tests on the full original files.
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "==> installing Debian package dataset-fashion-mnist" >&2
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null
fi

# etcd, kube-apiserver and kubectl for the *IT tests, built from source once and cached.
kube_api_test_dir=$(bash hack/k8s-binaries.sh | tail -n1)

mvn -B -ntp verify -Dcospress.kubeApiTestDir="$kube_api_test_dir" "$@"
