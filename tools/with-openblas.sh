#!/bin/sh
# Run a command with OpenBLAS instead of Debian's reference BLAS, for this process only.
#
# Why: Debian's python3-torch is built against the generic libblas.so.3; on a machine where that
# alternative is the reference (netlib) BLAS, matrix multiplies run ~5x slower than with OpenBLAS.
# That makes sample-teacher training slow and would make the PyTorch reference benchmark unfair
# to PyTorch (DJL's libtorch ships its own optimised kernels).
# How: the first call downloads Debian's libopenblas0-pthread .deb with `apt-get download` (the
# ordinary apt client, no root needed, no system change), unpacks it under the cache directory
# and prepends its directory to LD_LIBRARY_PATH. OPENBLAS_NUM_THREADS defaults to 1: torch's own
# OpenMP threads (torch.set_num_threads) parallelise around it, and nested pools oversubscribe.
# It also defaults OMP_WAIT_POLICY to PASSIVE: on this 2-vCPU machine GNU OpenMP's default
# spin-waiting made 2-thread torch *slower* than 1 thread (an elementwise add 0.9 ms with 1 thread,
# 7.8 ms with 2 spinning threads, 0.4 ms with 2 passive threads).
# If OpenBLAS is already the system BLAS, only the two thread defaults are applied.
#
# Usage: tools/with-openblas.sh python3 tools/bench_pytorch_step.py ...
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${COSPRESS_CACHE:-$root/.cache}/openblas
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
if readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | grep -q openblas; then
  exec "$@"
fi
lib=$cache/root/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ ! -f "$lib/libblas.so.3" ]; then
  mkdir -p "$cache"
  (cd "$cache" && apt-get download libopenblas0-pthread >/dev/null 2>&1) || {
    echo "with-openblas: could not download libopenblas0-pthread; running with the system BLAS" >&2
    exec "$@"
  }
  dpkg -x "$cache"/libopenblas0-pthread_*.deb "$cache/root"
fi
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$@"
