#!/usr/bin/env bash
# Measures the trainer against a PyTorch reference in one invocation (speed is reported as a
# ratio measured here and now, never as an absolute number from elsewhere):
#   1. the CosPress step (teacher forward, head, student forward + backward, AdamW) in Java/DJL
#      and in PyTorch (tools/bench_pytorch_step.py) on the same TorchScript models, batch and
#      threads, for the quickstart configuration and a larger one (ViT width 384 -> 192, 64 px);
#   2. the data pipeline alone against the Java step rate;
#   3. resident memory over 1,000 steps and the heap the step needs.
# Usage: hack/benchmark.sh [--threads N] [--steps N]
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
steps=30
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--steps N]" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need_deb() {
  dpkg -s "$1" >/dev/null 2>&1 && return
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null
}
# The reference: Debian's PyTorch. Its BLAS is the system libblas.so.3; OpenBLAS makes that a
# fair comparison (the netlib reference BLAS is ~7x slower at matrix products).
need_deb python3-torch
need_deb libopenblas0-pthread

# Both sides wait passively in OpenMP: spinning threads collapse on a shared 2-core machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export OPENBLAS_NUM_THREADS=1

mvn -q -B -DskipTests -pl trainer -am install
cp="trainer/target/cospress-trainer.jar:trainer/target/lib/*"
java_opts=(-Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads"
  -Dai.djl.pytorch.num_interop_threads=1)

models=.cache/bench-models
if [ ! -f "$models/teacher-vit-384.pt" ]; then
  /usr/bin/python3 tools/make_bench_models.py --out "$models" >&2
fi

field() { sed -n "s/.*\"$1\": *\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

compare() { # name teacher student image channels
  local name=$1 teacher=$2 student=$3 size=$4 channels=$5
  local j p
  j=$(java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.bench.StepBenchmark \
    --teacher "$teacher" --student "$student" --batch 64 --image-size "$size" \
    --channels "$channels" --steps "$steps" --warmup 5 2>/dev/null | tail -n1)
  p=$(/usr/bin/python3 tools/bench_pytorch_step.py --teacher "$teacher" --student "$student" \
    --batch 64 --image-size "$size" --channels "$channels" --threads "$threads" \
    --steps "$steps" --warmup 5 | tail -n1)
  local jr pr
  jr=$(echo "$j" | field images_per_second)
  pr=$(echo "$p" | field images_per_second)
  printf '%-11s java %8.1f img/s   pytorch %8.1f img/s   java/pytorch %s\n' \
    "$name" "$jr" "$pr" "$(ratio "$jr" "$pr")"
  echo "$jr" > ".cache/bench-$name.rate"
}

mkdir -p .cache
echo "== CosPress step, batch 64, $threads threads, $steps timed steps (after 5 warm-up)"
compare quickstart examples/models/teacher-vit-fmnist.pt examples/models/student-vit-tiny.pt 28 1
compare large "$models/teacher-vit-384.pt" "$models/student-vit-192.pt" 64 3

echo "== data pipeline alone (Fashion-MNIST sample, 28 px, augmentation on, 1 worker)"
d=$(java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.data.DataPipelineBenchmark \
  --format idx --path examples/data/fashion-mnist-sample/train-images-idx3-ubyte.gz \
  --labels examples/data/fashion-mnist-sample/train-labels-idx1-ubyte.gz --image-size 28 \
  --channels 1 --batch 64 --workers 1 --batches 2000 --warmup 100 2>/dev/null | tail -n1)
dr=$(echo "$d" | sed -n 's/.*"imagesPerSecond": *\([0-9.]*\).*/\1/p')
qr=$(cat .cache/bench-quickstart.rate)
printf 'pipeline %.0f img/s = %sx the quickstart step rate\n' "$dr" "$(ratio "$dr" "$qr")"

echo "== memory over 1000 steps (quickstart models, -Xmx1g)"
java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.bench.StepBenchmark \
  --teacher examples/models/teacher-vit-fmnist.pt --student examples/models/student-vit-tiny.pt \
  --batch 64 --image-size 28 --channels 1 --steps 1000 --warmup 20 2>/dev/null | tail -n1
