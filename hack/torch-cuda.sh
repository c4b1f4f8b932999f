#!/usr/bin/env bash
# Lays out PyPI's CUDA build of libtorch for trainer/Dockerfile.cuda: downloads the torch wheel
# and the NVIDIA wheels it pins (pip, PyPI), and unpacks only their shared libraries into
# trainer/target/torch-cu128/ as pip would install them (torch/lib/ next to nvidia/*/lib/, so
# the RUNPATHs of libtorch_cuda.so, $ORIGIN/../../nvidia/<pkg>/lib, resolve unchanged).
# DJL's own CUDA libtorch jar (pytorch-native-cu128) is not used: it is not served everywhere.
#
#   hack/torch-cuda.sh            # prints the staging directory last (progress on stderr)
#   hack/torch-cuda.sh --force    # unpack again
#
# Wheels are cached in ~/.cache/cospress/wheels/ (COSPRESS_WHEEL_CACHE), about 2.7 GB; the
# staging directory holds about 4.3 GB of libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

torch_version=${COSPRESS_TORCH_VERSION:-$(sed -n 's:.*<pytorch.native.version>\(.*\)</pytorch.native.version>.*:\1:p' pom.xml)}
# The libraries inside the wheels do not depend on the Python version; one tag is picked so the
# download does not depend on the host's Python either.
python_tag=311
platform=manylinux_2_28_x86_64
wheels=${COSPRESS_WHEEL_CACHE:-$HOME/.cache/cospress/wheels}/torch-$torch_version-cp$python_tag-$platform
staging=$repo/trainer/target/torch-cu128
force=false
for arg in "$@"; do
  case $arg in
    --force) force=true ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "torch-cuda: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
log() { echo "torch-cuda: $*" >&2; }

if ! python3 -m pip --version >/dev/null 2>&1; then
  log "installing Debian's python3-pip"
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends python3-pip >/dev/null
fi

mkdir -p "$wheels"
exec 9>"$wheels/.lock"
flock 9

# pip takes an explicit platform literally: name every glibc baseline up to torch's own
# (the NVIDIA wheels are tagged manylinux2014 / manylinux_2_17).
platforms=(--platform manylinux2014_x86_64)
for minor in $(seq 17 28); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
download() {
  nice python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    "${platforms[@]}" --python-version "$python_tag" --implementation cp --abi "cp$python_tag" \
    -d "$wheels" "$@" >&2
}

torch_wheel=$(ls "$wheels"/torch-"$torch_version"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$torch_wheel" ]; then
  log "downloading torch==$torch_version from PyPI"
  download "torch==$torch_version"
  torch_wheel=$(ls "$wheels"/torch-"$torch_version"-*.whl | head -n1)
fi

# The NVIDIA wheels exactly as the torch wheel pins them for Linux x86_64 (Triton and the pure
# Python dependencies are left out: TorchScript from Java needs neither).
mapfile -t pins < <(python3 - "$torch_wheel" <<'EOF'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    for line in wheel.read(meta).decode().splitlines():
        m = re.match(r"Requires-Dist: (nvidia-[A-Za-z0-9_.-]+==[^;\s]+)\s*;(.*)", line)
        if m and "extra ==" not in m.group(2):
            print(m.group(1))
EOF
)
[ ${#pins[@]} -gt 0 ] || { log "no NVIDIA dependencies in $torch_wheel"; exit 1; }
missing=()
for pin in "${pins[@]}"; do
  name=${pin%%==*} version=${pin#*==}
  ls "$wheels/${name//-/_}-$version-"*.whl >/dev/null 2>&1 || missing+=("$pin")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "downloading ${#missing[@]} NVIDIA wheels from PyPI: ${missing[*]}"
  download "${missing[@]}"
fi

files=("$torch_wheel")
for pin in "${pins[@]}"; do
  name=${pin%%==*} version=${pin#*==}
  files+=("$(ls "$wheels/${name//-/_}-$version-"*.whl | head -n1)")
done
stamp=$( (cat "$0"; for f in "${files[@]}"; do basename "$f"; stat -c %s "$f"; done) | sha256sum | cut -c1-16)
if ! $force && [ -f "$staging/.stamp" ] && [ "$(cat "$staging/.stamp")" = "$stamp" ]; then
  log "up to date: $staging"
  echo "$staging"
  exit 0
fi

log "unpacking the shared libraries of ${#files[@]} wheels into $staging"
rm -rf "$staging.tmp" "$staging"
mkdir -p "$staging.tmp"
python3 - "$staging.tmp" "${files[@]}" <<'EOF'
import os, re, shutil, sys, zipfile
out = sys.argv[1]
# Python bindings and the shared-memory manager of torch.multiprocessing: not used by DJL.
skip = {"torch/lib/libtorch_python.so", "torch/lib/libshm.so"}
# torch/lib/, nvidia/<pkg>/lib/, and cusparselt/lib/ (that wheel installs outside nvidia/).
library = re.compile(r"^([^/]+/){1,2}lib/[^/]+\.so(\.\d+)*$")
licence = re.compile(r"^[^/]+(\.dist-info/(licenses/)?|/)(LICEN[CS]E|NOTICE|License)[^/]*$")
for path in sys.argv[2:]:
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            name = info.filename
            if library.match(name) and name not in skip:
                target = os.path.join(out, name)
                mode = 0o755
            elif licence.match(name):
                package = os.path.basename(path).split("-")[0]
                target = os.path.join(out, "licenses", package, os.path.basename(name))
                mode = 0o644
            else:
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with wheel.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.chmod(target, mode)
EOF
# DJL loads every library in PYTORCH_LIBRARY_PATH up front, libcaffe2_nvrtc.so among them, and
# that one needs the driver's libcuda.so.1: the image would then fail to start on a node without
# a GPU driver, and so would its CPU smoke test. PyTorch opens it lazily, through the RPATH of
# libtorch_cuda.so, which also names nvidia/cuda_nvrtc/lib: moved there, DJL skips it and
# PyTorch still finds it.
mv "$staging.tmp/torch/lib/libcaffe2_nvrtc.so" "$staging.tmp/nvidia/cuda_nvrtc/lib/"
echo "$stamp" >"$staging.tmp/.stamp"
mv "$staging.tmp" "$staging"
log "$(du -sh "$staging" | cut -f1) in $staging"
echo "$staging"
