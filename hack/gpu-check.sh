#!/usr/bin/env bash
# hack/gpu-check.sh - the trainer on an NVIDIA GPU, against PyTorch's bf16 autocast, in one run.
#
# For a machine with an NVIDIA GPU and no network (about 5 minutes on an H200):
#   1. makes ViT-S/14 -> ViT-Ti/14-sized TorchScript models at 224 px (tools/make_bench_models.py
#      --preset gpu: 257 tokens, widths 384 and 192, depth 12), random weights;
#   2. loss parity on the GPU: the trainer's `loss` command (DJL's default device is the GPU) on
#      the committed fixtures against their float64 reference, to 1e-4 relative;
#   3. times the Java step (StepBenchmark: the trainer's own StepParts) at batch 256 with
#      --precision fp32, tf32 (TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1) and bf16, and the PyTorch step
#      on the same models with bf16 autocast (tools/bench_pytorch_step.py --autocast-bf16) and
#      with TF32, alternating the order over the rounds; prints img/s and Java / PyTorch-bf16;
#   4. with 2 or more GPUs: the Java bf16 step with one replica per GPU (batch 256 per GPU) and
#      its scaling over one GPU.
#
# Usage:
#   hack/gpu-check.sh --prepare       (on a machine with Maven: build the trainer and put its jars,
#                                      without DJL's CPU libtorch, under .cache/gpu-check/java,
#                                      about 45 MB, to carry to the GPU machine)
#   hack/gpu-check.sh [--rounds N] [--steps N] [--batch N] [--out DIR]
#   hack/gpu-check.sh --cpu-smoke     (the same path on a CPU: tiny models at 32 px, batch 16,
#                                      3 steps, one round; checks the script, measures nothing)
#
# What the GPU machine needs: java (17+), python3 with torch 2.7.1 (the CUDA build; DJL's JNI is
# built for that libtorch) or COSPRESS_PYTHON pointing at one, and the jars (trainer/target after
# `mvn -pl trainer -am package`, or .cache/gpu-check/java from --prepare). libtorch is the Python
# torch's own (torch/lib), or COSPRESS_LIBTORCH_DIR (e.g. hack/torch-cuda.sh's
# trainer/target/torch-cu128/torch/lib); DJL's CUDA JNI library comes out of the pytorch-jni jar.
# The CPU mode takes torch from hack/torch-venv.sh 2.7.1 (PyPI, cached) and DJL's CPU libtorch.
# Results: .cache/gpu-check/results.jsonl (one JSON line per run) and the table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

mode=gpu
rounds=2
steps=20
warmup=5
batch=256
out=$repo/.cache/gpu-check
usage="usage: $0 [--prepare | --cpu-smoke] [--rounds N] [--steps N] [--batch N] [--out DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --prepare) mode=prepare; shift ;;
    --cpu-smoke) mode=cpu; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for n in "$rounds" "$steps" "$batch"; do
  case "$n" in '' | *[!0-9]* | 0) echo "gpu-check: counts must be whole numbers >= 1" >&2; exit 2 ;; esac
done
log() { echo "gpu-check: $*" >&2; }
torch_version=$(sed -n 's:.*<pytorch.native.version>\(.*\)</pytorch.native.version>.*:\1:p' pom.xml)
java_dir=$out/java

if [ "$mode" = prepare ] || { [ "$mode" = cpu ] && [ ! -f trainer/target/cospress-trainer.jar ]; }; then
  log "building the trainer (mvn -pl trainer -am package -DskipTests)"
  nice mvn -q -B -ntp -DskipTests -pl trainer -am package
fi
if [ "$mode" = prepare ]; then
  rm -rf "$java_dir" && mkdir -p "$java_dir/lib"
  cp trainer/target/cospress-trainer.jar "$java_dir/"
  # DJL's CPU libtorch (about 110 MB) is not needed where PYTORCH_LIBRARY_PATH names a libtorch.
  find trainer/target/lib -name '*.jar' ! -name 'pytorch-native-*' -exec cp {} "$java_dir/lib/" \;
  log "$(du -sh "$java_dir" | cut -f1) in $java_dir; on the GPU machine run hack/gpu-check.sh"
  exit 0
fi

mkdir -p "$out"
results=$out/results.jsonl
: >"$results"
if [ "$mode" = cpu ]; then
  preset=smoke size=32 batch=16 steps=3 warmup=1 rounds=1
  device=cpu torch_device=cpu
  py=${COSPRESS_PYTHON:-$(bash hack/torch-venv.sh "$torch_version" | tail -n1)}
  cp="trainer/target/cospress-trainer.jar:trainer/target/lib/*"
  engine_env=()
  threads=(-Dai.djl.pytorch.num_threads=2)
  py_threads=2
else
  preset=gpu size=224 device=gpu torch_device=cuda
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version \
    --format=csv,noheader >&2 || log "nvidia-smi not found; trying anyway"
  py=${COSPRESS_PYTHON:-python3}
  have=$("$py" -c 'import torch; print(torch.__version__.split("+")[0], torch.cuda.device_count())') || {
    log "$py cannot import torch; set COSPRESS_PYTHON to a python with torch $torch_version (CUDA)"
    exit 2
  }
  read -r py_torch gpus <<<"$have"
  [ "$gpus" -ge 1 ] || { log "torch sees no CUDA device"; exit 2; }
  libtorch=${COSPRESS_LIBTORCH_DIR:-$("$py" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
  if [ -z "${COSPRESS_LIBTORCH_DIR:-}" ] && [ "$py_torch" != "$torch_version" ]; then
    log "DJL's JNI needs libtorch $torch_version; $py has torch $py_torch."
    log "Set COSPRESS_LIBTORCH_DIR to a libtorch $torch_version CUDA lib dir (hack/torch-cuda.sh)."
    exit 2
  fi
  if [ -f "$java_dir/cospress-trainer.jar" ]; then
    cp="$java_dir/cospress-trainer.jar:$java_dir/lib/*"
  elif [ -f trainer/target/cospress-trainer.jar ]; then
    cp="trainer/target/cospress-trainer.jar:trainer/target/lib/*"
  else
    log "no trainer jars: run hack/gpu-check.sh --prepare (or mvn package) where Maven works"
    exit 2
  fi
  engine_env=(PYTORCH_LIBRARY_PATH="$libtorch" PYTORCH_VERSION="$torch_version" PYTORCH_FLAVOR=cu128
    ENGINE_CACHE_DIR="$out/djl" DJL_CACHE_DIR="$out/djl")
  threads=()
  py_threads=4
  log "torch $py_torch, $gpus GPU(s), libtorch from $libtorch"
fi
export OMP_WAIT_POLICY=PASSIVE

models=$out/models-$preset
if [ ! -f "$models/bench-models.json" ]; then
  log "making the $preset models"
  "$py" tools/make_bench_models.py --preset "$preset" --out "$models" >&2
fi
if [ "$preset" = gpu ]; then
  teacher=$models/teacher-vit-s14.pt student=$models/student-vit-ti14.pt
else
  teacher=$models/teacher-smoke.pt student=$models/student-smoke.pt
fi

java_run() { # env assignments... -- main-class args...
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env "${engine_env[@]}" "${envs[@]}" java -Xmx4g -Dai.djl.offline=true "${threads[@]}" \
    -Dai.djl.pytorch.num_interop_threads=1 -cp "$cp" "$@"
}

# 2. Loss parity on the device the engine picks (the GPU where there is one).
log "loss parity on the fixtures ($device)"
parity_ok=1
for name in small vit-like; do
  fixture=trainer/src/test/resources/fixtures/cospress-loss/$name
  got=$(java_run TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=0 -- io.cospress.trainer.cli.CosPressTrainer loss "$fixture.npz" 2>/dev/null)
  if ! LOSS_JSON=$got "$py" - "$fixture.expected.json" "$name" "$results" >&2 <<'EOF'
import json, os, sys
expected = json.load(open(sys.argv[1]))
try:
    terms = json.loads(os.environ["LOSS_JSON"])
except ValueError:
    terms = {}
ok = True
line = {"kind": "loss-parity", "fixture": sys.argv[2]}
for term in ("local", "global", "feature", "token", "total"):
    got = float(terms.get(term, "nan"))
    want = expected[term]
    good = abs(got - want) <= max(1e-4 * abs(want), 1e-6)
    ok &= good
    line[term] = got
    print(f"  {sys.argv[2]:8s} {term:8s} {got:.7f} reference {want:.7f} {'ok' if good else 'FAIL'}")
line["ok"] = ok
open(sys.argv[3], "a").write(json.dumps(line) + "\n")
sys.exit(0 if ok else 1)
EOF
  then parity_ok=0; fi
done

# 3. Step timings, alternating the order round by round.
java_side() { # precision replicas
  local precision=$1 replicas=$2 tf32=0
  [ "$precision" = tf32 ] && tf32=1
  java_run TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=$tf32 -- io.cospress.trainer.bench.StepBenchmark \
    --teacher "$teacher" --student "$student" --batch $((batch * replicas)) --image-size "$size" \
    --channels 3 --steps "$steps" --warmup "$warmup" --device "$device" --precision "$precision" \
    --replicas "$replicas" 2>/dev/null | tail -n1
}
torch_side() { # extra flags
  "$py" tools/bench_pytorch_step.py --teacher "$teacher" --student "$student" --batch "$batch" \
    --image-size "$size" --channels 3 --steps "$steps" --warmup "$warmup" --device "$torch_device" \
    --threads "$py_threads" "$@" 2>/dev/null | tail -n1
}
sides=(java-fp32 java-tf32 java-bf16 torch-bf16-autocast torch-tf32)
for ((r = 0; r < rounds; r++)); do
  for ((i = 0; i < ${#sides[@]}; i++)); do
    side=${sides[$(((i + r) % ${#sides[@]}))]}
    log "round $((r + 1))/$rounds: $side"
    case $side in
      java-*) line=$(java_side "${side#java-}" 1) ;;
      torch-bf16-autocast) line=$(torch_side --autocast-bf16) ;;
      torch-tf32) line=$(torch_side --tf32) ;;
    esac
    [ -n "$line" ] || { log "$side printed nothing"; line='{}'; }
    echo "{\"kind\": \"step\", \"side\": \"$side\", \"round\": $r, \"result\": $line}" >>"$results"
  done
done

# 4. Scaling over the GPUs.
if [ "$mode" = gpu ] && [ "$gpus" -ge 2 ]; then
  log "data-parallel: bf16 on $gpus GPUs, batch $batch per GPU"
  line=$(java_side bf16 "$gpus")
  [ -n "$line" ] || line='{}'
  echo "{\"kind\": \"step\", \"side\": \"java-bf16-x$gpus\", \"round\": 0, \"result\": $line}" >>"$results"
elif [ "$mode" = cpu ]; then
  log "replica path: bf16 with 2 replicas sharing the CPU"
  line=$(java_side bf16 2)
  [ -n "$line" ] || line='{}'
  echo "{\"kind\": \"step\", \"side\": \"java-bf16-x2\", \"round\": 0, \"result\": $line}" >>"$results"
fi

"$py" - "$results" "$mode" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
steps = {}
for row in rows:
    if row["kind"] == "step":
        rate = row["result"].get("images_per_second")
        if rate:
            steps.setdefault(row["side"], []).append(rate)
ref = statistics.median(steps["torch-bf16-autocast"]) if "torch-bf16-autocast" in steps else None
one = statistics.median(steps["java-bf16"]) if "java-bf16" in steps else None
print(f"\nCosPress step, {sys.argv[2]} mode, medians over rounds (img/s):")
print(f"| side | img/s | ÷ PyTorch bf16 autocast |")
print(f"|---|---|---|")
for side, rates in steps.items():
    m = statistics.median(rates)
    ratio = f"{m / ref:.2f}" if ref else "n/a"
    print(f"| {side} | {m:,.1f} | {ratio} |")
    if side.startswith("java-bf16-x") and one and sys.argv[2] == "gpu":
        n = int(side.rsplit("x", 1)[1])
        print(f"  scaling: {m / one:.2f}x over one replica with {n} replicas ({m / one / n:.0%} efficiency)")
parity = [r for r in rows if r["kind"] == "loss-parity"]
print("loss parity:", "ok" if parity and all(r["ok"] for r in parity) else "FAILED",
      f"({len(parity)} fixtures)")
if sys.argv[2] == "cpu":
    print("(CPU smoke mode: tiny models, few steps; the figures only show the path works)")
EOF
[ "$parity_ok" = 1 ] || { log "loss parity failed"; exit 1; }
