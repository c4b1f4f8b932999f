#!/usr/bin/env bash
# Regenerates the DistillationRun CRD from the api module's model classes and copies it to the two
# places that ship it: crds/ (kubectl apply) and the Helm chart's crds/ directory. Tests fail while
# either copy differs from what the model generates (GeneratedCrdTest, HelmChartTest).
set -euo pipefail
cd "$(dirname "$0")/.."

# process-test-classes runs the api module's CRD generation step (GenerateCrd); nothing is installed.
mvn -B -q -ntp process-test-classes -pl api
generated=api/target/classes/META-INF/fabric8/distillationruns.cospress.io-v1.yml
cp "$generated" crds/
cp "$generated" charts/cospress-operator/crds/
echo "updated crds/ and charts/cospress-operator/crds/ from $generated" >&2
