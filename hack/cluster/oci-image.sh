#!/usr/bin/env bash
# hack/cluster/oci-image.sh - write a one-layer OCI image archive from local files.
#
# WHY: no image registry is reachable from this machine, and the cluster's own images (the
# pod sandbox, the smoke-test image) hold one static binary each; an OCI image layout is a
# few JSON files and a tar, so we write it directly instead of needing a build daemon.
# `ctr -n k8s.io images import FILE` loads the result into the cluster's containerd.
#
# Usage
#   hack/cluster/oci-image.sh --ref NAME:TAG --out FILE.tar --entrypoint JSON-ARRAY
#                             [--cmd JSON-ARRAY] [--user UID:GID] [--env K=V]...
#                             --file SRC:DEST[:MODE]...
#
#   --file copies SRC to DEST inside the image (DEST absolute; MODE defaults to 0755).
#   The output is reproducible: same inputs, same digests.

set -Eeuo pipefail

log() { printf '[oci-image] %s\n' "$*" >&2; }
bad_input() { printf '[oci-image] ERROR: %s\n' "$*" >&2; exit 2; }

REF="" OUT="" ENTRYPOINT="" CMD="[]" USER_SPEC="0:0"
ENVS=("PATH=/")
FILES=()
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || bad_input "$1 needs a value"
  case "$1" in
    --ref) REF="$2" ;;
    --out) OUT="$2" ;;
    --entrypoint) ENTRYPOINT="$2" ;;
    --cmd) CMD="$2" ;;
    --user) USER_SPEC="$2" ;;
    --env) ENVS+=("$2") ;;
    --file) FILES+=("$2") ;;
    *) bad_input "unknown argument: $1" ;;
  esac
  shift 2
done
[[ "$REF" =~ ^[a-z0-9.-]+(/[a-z0-9._-]+)+:[A-Za-z0-9._-]+$ ]] || bad_input "--ref: expected registry/name:tag, got '$REF'"
[[ -n "$OUT" ]] || bad_input "--out: missing"
jq -e 'type == "array" and all(type == "string")' <<<"$ENTRYPOINT" >/dev/null 2>&1 \
  || bad_input "--entrypoint: expected a JSON array of strings, got '$ENTRYPOINT'"
jq -e 'type == "array" and all(type == "string")' <<<"$CMD" >/dev/null 2>&1 \
  || bad_input "--cmd: expected a JSON array of strings, got '$CMD'"
[[ "$USER_SPEC" =~ ^[0-9]+(:[0-9]+)?$ ]] || bad_input "--user: expected UID[:GID], got '$USER_SPEC'"
[[ ${#FILES[@]} -gt 0 ]] || bad_input "--file: at least one is needed"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs" LAYOUT="$WORK/layout"
mkdir -p "$ROOTFS/tmp" "$LAYOUT/blobs/sha256"
chmod 1777 "$ROOTFS/tmp"
for spec in "${FILES[@]}"; do
  IFS=: read -r src dest mode <<<"$spec"
  [[ -f "$src" ]] || bad_input "--file: no such file: $src"
  [[ "$dest" == /* ]] || bad_input "--file: destination must be absolute: $spec"
  install -D -m "${mode:-0755}" "$src" "$ROOTFS$dest"
done

# Fixed owner, order and times so the same files give the same layer digest.
blob() { # FILE -> moves it into the layout, prints its digest
  local d
  d="$(sha256sum "$1" | cut -d' ' -f1)"
  mv "$1" "$LAYOUT/blobs/sha256/$d"
  printf 'sha256:%s' "$d"
}
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$ROOTFS" -cf "$WORK/layer.tar" .
DIFF_ID="sha256:$(sha256sum "$WORK/layer.tar" | cut -d' ' -f1)"
gzip -n -9 "$WORK/layer.tar"
LAYER_SIZE="$(stat -c %s "$WORK/layer.tar.gz")"
LAYER_DIGEST="$(blob "$WORK/layer.tar.gz")"

case "$(uname -m)" in aarch64|arm64) ARCH=arm64 ;; *) ARCH=amd64 ;; esac
env_json="$(printf '%s\n' "${ENVS[@]}" | jq -R . | jq -sc .)"
jq -nc --arg arch "$ARCH" --argjson ep "$ENTRYPOINT" --argjson cmd "$CMD" --arg user "$USER_SPEC" \
  --argjson env "$env_json" --arg diff "$DIFF_ID" \
  '{architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
    config: ({Entrypoint: $ep, User: $user, Env: $env, WorkingDir: "/"} + (if $cmd == [] then {} else {Cmd: $cmd} end)),
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: "1970-01-01T00:00:00Z", created_by: "hack/cluster/oci-image.sh"}]}' \
  >"$WORK/config.json"
CONFIG_SIZE="$(stat -c %s "$WORK/config.json")"
CONFIG_DIGEST="$(blob "$WORK/config.json")"

jq -nc --arg cd "$CONFIG_DIGEST" --argjson cs "$CONFIG_SIZE" --arg ld "$LAYER_DIGEST" --argjson ls "$LAYER_SIZE" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]}' \
  >"$WORK/manifest.json"
MANIFEST_SIZE="$(stat -c %s "$WORK/manifest.json")"
MANIFEST_DIGEST="$(blob "$WORK/manifest.json")"

# containerd names the imported image after io.containerd.image.name; other tools read the
# standard ref.name annotation.
jq -nc --arg md "$MANIFEST_DIGEST" --argjson ms "$MANIFEST_SIZE" --arg ref "$REF" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                 annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $ref}}]}' \
  >"$LAYOUT/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"

mkdir -p "$(dirname "$OUT")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$LAYOUT" -cf "$OUT.tmp" .
mv -f "$OUT.tmp" "$OUT"
log "wrote $REF ($MANIFEST_DIGEST) to $OUT"
