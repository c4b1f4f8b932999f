#!/usr/bin/env bash
# Measures the trainer against PyTorch from PyPI in one invocation. Speed is only ever reported as
# a ratio measured here and now, on this machine, never as an absolute number from elsewhere:
#   1. the CosPress step (teacher forward, head, student forward + backward, AdamW) in Java/DJL
#      and in PyTorch (tools/bench_pytorch_step.py) on the same TorchScript models, batch and
#      threads, for the quickstart configuration and a larger one (ViT width 384 -> 192, 64 px).
#      The references are PyPI's torch of the libtorch version DJL runs (read from the root pom)
#      and the newest torch PyPI serves, each in its own virtual environment (hack/torch-venv.sh).
#      Every round runs each side once, in an order that rotates from round to round, so a load
#      change on a shared machine hits every side alike; the table shows medians over rounds;
#   2. the data pipeline alone against the Java step rate;
#   3. resident memory over 1,000 steps and the heap the step needs.
# Usage: hack/benchmark.sh [--threads N] [--steps N] [--rounds N] [--torch "X Y ..."]
#                          [--only quickstart|large] [--profile DIR] [--step-only]
#   --torch      torch versions to compare with (default: DJL's libtorch version and "newest")
#   --profile    also write one profiled step per side to DIR and summarise where time goes
#   --step-only  skip parts 2 and 3
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
steps=40
rounds=3
only=
profile=
step_only=0
djl_torch=$(sed -n 's:.*<pytorch.native.version>\(.*\)</pytorch.native.version>.*:\1:p' pom.xml)
versions="$djl_torch newest"
usage="usage: $0 [--threads N] [--steps N] [--rounds N] [--torch \"X Y\"] [--only quickstart|large] [--profile DIR] [--step-only]"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --torch) versions=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --step-only) step_only=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

# Both sides wait passively in OpenMP: spinning threads collapse on a shared 2-core machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

mvn -q -B -ntp -DskipTests -pl trainer -am package
cp="trainer/target/cospress-trainer.jar:trainer/target/lib/*"
java_opts=(-Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads"
  -Dai.djl.pytorch.num_interop_threads=1)

declare -A python
sides=(java)
for v in $versions; do
  py=$(bash hack/torch-venv.sh "$v" | tail -n1)
  v=$("$py" -c 'import torch; print(torch.__version__.split("+")[0])')
  python[$v]=$py
  sides+=("torch-$v")
done
first_py=${python[${sides[1]#torch-}]}

models=.cache/bench-models
if [ ! -f "$models/teacher-vit-384.pt" ]; then
  "$first_py" tools/make_bench_models.py --out "$models" >&2
fi
out=.cache/bench
mkdir -p "$out"
[ -z "$profile" ] || mkdir -p "$profile"

run_side() { # side teacher student size channels [extra args...]
  local side=$1 teacher=$2 student=$3 size=$4 channels=$5
  shift 5
  local common=(--teacher "$teacher" --student "$student" --batch 64 --image-size "$size"
    --channels "$channels" --warmup 5)
  if [ "$side" = java ]; then
    java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.bench.StepBenchmark "${common[@]}" "$@" \
      2>/dev/null | tail -n1
  else
    "${python[${side#torch-}]}" tools/bench_pytorch_step.py "${common[@]}" --threads "$threads" \
      "$@" 2>/dev/null | tail -n1
  fi
}

compare() { # name teacher student size channels
  local name=$1
  local results=$out/$name.jsonl
  : >"$results"
  local n=${#sides[@]}
  for ((r = 0; r < rounds; r++)); do
    for ((i = 0; i < n; i++)); do
      local side=${sides[$(((i + r) % n))]}
      local line
      line=$(run_side "$side" "${@:2}" --steps "$steps")
      echo "{\"round\": $r, \"side\": \"$side\", \"result\": $line}" >>"$results"
    done
  done
  "$first_py" - "$name" "$results" "${sides[@]}" <<'EOF'
import json, statistics, sys
name, path, sides = sys.argv[1], sys.argv[2], sys.argv[3:]
rates = {s: [] for s in sides}
phases = {s: [] for s in sides}
for line in open(path):
    row = json.loads(line)
    rates[row["side"]].append(row["result"]["images_per_second"])
    phases[row["side"]].append(row["result"]["phase_ms"])
java = statistics.median(rates["java"])
cells = [f"java {java:7.1f} img/s"]
for s in sides[1:]:
    ref = statistics.median(rates[s])
    cells.append(f"{s} {ref:7.1f} img/s (java/{s.split('-')[1]} {java / ref:.2f})")
print(f"{name:10s} " + "   ".join(cells))
for s in sides:
    each = ", ".join(f"{v:.1f}" for v in rates[s])
    mid = {k: round(statistics.median(p[k] for p in phases[s]), 1) for k in phases[s][0]}
    print(f"    {s:14s} rounds: {each}; median ms per phase: {mid}")
EOF
  if [ -n "$profile" ]; then
    local traces=()
    for side in "${sides[@]}"; do
      run_side "$side" "${@:2}" --steps 5 --profile "$profile/$name-$side.json" >/dev/null
      traces+=("$side=$profile/$name-$side.json")
    done
    "$first_py" tools/profile_summary.py "${traces[@]}" >"$profile/$name-summary.txt"
    echo "    profile of one step per side: $profile/$name-summary.txt"
  fi
}

echo "== CosPress step, batch 64, $threads threads, OMP_WAIT_POLICY=$OMP_WAIT_POLICY;" \
  "median of $rounds rounds of $steps timed steps (after 5 warm-up) each, order rotating"
echo "   load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$only" ] || [ "$only" = quickstart ]; then
  compare quickstart examples/models/teacher-vit-fmnist.pt examples/models/student-vit-tiny.pt 28 1
fi
if [ -z "$only" ] || [ "$only" = large ]; then
  compare large "$models/teacher-vit-384.pt" "$models/student-vit-192.pt" 64 3
fi
echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$step_only" = 0 ] || exit 0

echo "== data pipeline alone (Fashion-MNIST sample, 28 px, augmentation on, 1 worker)"
d=$(java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.data.DataPipelineBenchmark \
  --format idx --path examples/data/fashion-mnist-sample/train-images-idx3-ubyte.gz \
  --labels examples/data/fashion-mnist-sample/train-labels-idx1-ubyte.gz --image-size 28 \
  --channels 1 --batch 64 --workers 1 --batches 2000 --warmup 100 2>/dev/null | tail -n1)
dr=$(echo "$d" | sed -n 's/.*"imagesPerSecond": *\([0-9.]*\).*/\1/p')
qr=$(run_side java examples/models/teacher-vit-fmnist.pt examples/models/student-vit-tiny.pt \
  28 1 --steps "$steps" | sed -n 's/.*"images_per_second": *\([0-9.]*\).*/\1/p')
awk -v d="$dr" -v q="$qr" 'BEGIN { printf "pipeline %.0f img/s = %.0fx the quickstart step rate (%.1f img/s)\n", d, d / q, q }'

echo "== memory over 1000 steps (quickstart models, -Xmx1g; RSS every 100 steps)"
java "${java_opts[@]}" -cp "$cp" io.cospress.trainer.bench.StepBenchmark \
  --teacher examples/models/teacher-vit-fmnist.pt --student examples/models/student-vit-tiny.pt \
  --batch 64 --image-size 28 --channels 1 --steps 1000 --warmup 20 --rss-every 100 2>&1 |
  grep -E '^step [0-9]+ rss|images_per_second'
