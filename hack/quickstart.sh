#!/usr/bin/env bash
# The quickstart: builds the trainer (Maven fetches its dependencies on first use) and runs
# examples/quickstart.yaml on CPU with the bundled Fashion-MNIST sample and ViT teacher.
# Each invocation starts fresh; to see resume at work, interrupt a run (Ctrl-C, it checkpoints)
# and start the printed java command again.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v java >/dev/null || { echo "quickstart: Java 17 is required (java not on PATH)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "quickstart: Maven is required (mvn not on PATH)" >&2; exit 1; }

echo "==> building the trainer" >&2
mvn -q -B -DskipTests -pl trainer -am install

# libtorch's OpenMP threads spin while waiting; on a small shared machine a descheduled spinner
# stalls every parallel op (measured: 13x slower steps with another process busy). Passive
# waiting costs little when the cores are free and avoids that cliff.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

out=out/quickstart
rm -rf "$out"
cmd=(java -Xmx1g -jar trainer/target/cospress-trainer.jar run -f examples/quickstart.yaml --output "$out")
echo "==> ${cmd[*]}" >&2
exec "${cmd[@]}"
