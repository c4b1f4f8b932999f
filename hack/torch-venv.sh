#!/usr/bin/env bash
# hack/torch-venv.sh - a Python virtual environment with PyTorch from PyPI, as a user gets it.
#
# Why: the benchmark's reference must be the PyTorch a user would run, not Debian's 1.13 build:
# `pip install torch==X` from PyPI into a virtual environment. On Linux x86-64 PyPI serves only
# the CUDA build of torch, and it does not import without its NVIDIA libraries (torch/__init__.py
# preloads libcublas and friends), so the full dependency set is installed: the same files a user
# gets. Its CPU kernels (libtorch_cpu with MKL and oneDNN, the bundled libgomp) are what runs here.
#
# Usage: hack/torch-venv.sh [VERSION|newest]        (default: newest)
#   The LAST line on stdout is the venv's python; progress goes to stderr, so callers do
#   PY=$(hack/torch-venv.sh 2.7.1 | tail -n1).
#
# Caches (first run: a few minutes and ~3 GB of downloads per version; later runs: instant):
#   ~/.cache/cospress/venvs/torch-<X>-py<NN>/    the environment (torch, its dependencies, numpy)
#   ~/.cache/cospress/wheels/torch-<X>-py<NN>/   the downloaded wheels, so an environment can be
#                                                rebuilt without the network (pip's own HTTP cache
#                                                is not used: the registry here marks responses
#                                                uncacheable)
# Delete either directory to rebuild; a half-built environment (no .complete marker) is rebuilt.
# "newest" asks PyPI (pip index versions); without network it falls back to the newest
# environment already built.
set -euo pipefail
exec 3>&1 1>&2

want=${1:-newest}
case "$want" in
  newest | [0-9]*.[0-9]*) ;;
  *) echo "usage: $0 [VERSION|newest]" >&2; exit 2 ;;
esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/cospress
root=$cache/venvs
mkdir -p "$root"
pytag=$(/usr/bin/python3 -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')

exec 9>"$root/.lock"
flock 9

bootstrap=$root/.bootstrap-$pytag
if [ ! -x "$bootstrap/bin/pip" ]; then
  /usr/bin/python3 -m venv "$bootstrap"
fi

if [ "$want" = newest ]; then
  if listing=$("$bootstrap/bin/pip" index versions torch 2>/dev/null); then
    want=$(sed -n 's/^torch (\([^)]*\)).*/\1/p' <<<"$listing" | head -n1)
    [ -n "$want" ] || { echo "torch-venv: cannot read the newest torch from: $listing" >&2; exit 1; }
    echo "torch-venv: newest torch on PyPI for this Python is $want" >&2
  else
    want=$(find "$root" -maxdepth 2 -name .complete -path "*/torch-*-$pytag/*" |
      sed "s|.*/torch-\(.*\)-$pytag/.complete|\1|" | sort -V | tail -n1)
    [ -n "$want" ] || { echo "torch-venv: PyPI unreachable and no environment built yet" >&2; exit 1; }
    echo "torch-venv: PyPI unreachable; using the newest environment built: torch $want" >&2
  fi
fi

venv=$root/torch-$want-$pytag
wheels=$cache/wheels/torch-$want-$pytag
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  mkdir -p "$wheels"
  if ! "$bootstrap/bin/pip" download -q --dest "$wheels" "torch==$want" numpy; then
    echo "torch-venv: download failed; trying the cached wheels in $wheels" >&2
  fi
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-index --find-links "$wheels" "torch==$want" numpy
  "$venv/bin/python" -c 'import torch; torch.ones(2) @ torch.ones(2)'
  touch "$venv/.complete"
  echo "torch-venv: built $venv" >&2
fi
echo "$venv/bin/python" >&3
