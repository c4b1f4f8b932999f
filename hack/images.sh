#!/usr/bin/env bash
# Builds the operator and CPU trainer images (and with --cuda the CUDA trainer image) from the
# repository's own Dockerfiles, with no image registry: the base image is made from Debian's
# packages (mmdebstrap: bookworm with openjdk-17-jre-headless), the images are built with
# Debian's buildah, and each is written as an OCI archive (zstd layers) that
# `ctr -n k8s.io images import` and `podman load` read. Needs root.
#
#   hack/images.sh                 # operator + CPU trainer; prints the archive directory last
#   hack/images.sh --cuda          # also the CUDA trainer (PyPI's torch wheel; 4.9 GB)
#   hack/images.sh --force         # rebuild the images even if their inputs did not change
#   hack/images.sh --refresh-base  # rebuild the Debian base too (to pick up security updates)
#
# Writes into $COSPRESS_IMAGES_OUT (default target/images/):
#   cospress-operator.tar       cospress.local/cospress-operator:dev
#   cospress-trainer.tar        cospress.local/cospress-trainer:dev
#   cospress-trainer-cuda.tar   cospress.local/cospress-trainer:dev-cuda   (--cuda)
# Everything but the last line of stdout (that directory) goes to stderr.
#
# Caches: the base image and buildah's layers live in $COSPRESS_IMAGES_CACHE (default
# ~/.cache/cospress/images) with the overlay storage driver (vfs where overlay cannot mount). An
# image whose inputs (base, Dockerfile, the Maven modules' sources, the CUDA wheels) did not
# change since its archive was written is not rebuilt, and Maven is skipped when no source of
# api/, trainer/ or operator/ changed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

cuda=false force=false refresh_base=false
for arg in "$@"; do
  case $arg in
    --cuda) cuda=true ;;
    --force) force=true ;;
    --refresh-base) refresh_base=true ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "images: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

cache=${COSPRESS_IMAGES_CACHE:-$HOME/.cache/cospress/images}
out=${COSPRESS_IMAGES_OUT:-$repo/target/images}
tag=${COSPRESS_IMAGE_TAG:-dev}
registry=cospress.local
log() { echo "images: $*" >&2; }
now() { date +%s; }
started=$(now)

[ "$(id -u)" -eq 0 ] || { log "must run as root (buildah and mmdebstrap use this machine's storage)"; exit 1; }

# --- Debian packages -----------------------------------------------------------------------------
needed=(mmdebstrap buildah runc)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$cache" "$out"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "waiting for another image build (lock $cache/.lock)"
  flock 9
fi

# --- Container storage -----------------------------------------------------------------------------
# A storage of our own, so the project's images and layer cache neither mix with nor depend on
# whatever else uses /var/lib/containers. overlay needs the kernel's overlayfs on the backing
# filesystem (ext4 here); vfs copies every layer in full and is the fallback.
storage_conf() {
  local driver=$1
  cat >"$cache/storage-$driver.conf" <<EOF
[storage]
driver = "$driver"
graphroot = "$cache/storage-$driver"
runroot = "/run/cospress-images/$driver"
EOF
  echo "$cache/storage-$driver.conf"
}
driver=${COSPRESS_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
  driver=overlay
  if ! CONTAINERS_STORAGE_CONF=$(storage_conf overlay) buildah info >/dev/null 2>&1; then
    log "overlay storage does not work here; using vfs (slower, more disk)"
    driver=vfs
  fi
fi
export CONTAINERS_STORAGE_CONF
CONTAINERS_STORAGE_CONF=$(storage_conf "$driver")
echo "$driver" >"$cache/driver"
log "storage: $driver under $cache/storage-$driver"

# --- Base image: Debian bookworm + JRE, from Debian's packages -------------------------------------
# What the JVM and libtorch need and nothing else: no apt, no shell tools beyond Debian's
# Essential set (dash for the operator's entrypoint, libc-bin's ldconfig for the NVIDIA container
# hook), passwd for the Dockerfiles' useradd. Documentation and translations are left out.
suite=bookworm
base_packages=passwd,openjdk-17-jre-headless,libgomp1,ca-certificates
base_options=(
  --variant=essential --include="$base_packages"
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  # openjdk's postinst registers its man page with update-alternatives, which needs the directory.
  --setup-hook='mkdir -p "$1/usr/share/man/man1"'
)
base_key=$(printf '%s\n' "$suite" "${base_options[@]}" | sha256sum | cut -c1-12)
base=$registry/debian-jre:$suite-$base_key
if $refresh_base && buildah inspect --type image "$base" >/dev/null 2>&1; then
  log "removing $base to rebuild it"
  buildah rmi "$base" >/dev/null
fi
if buildah inspect --type image "$base" >/dev/null 2>&1; then
  log "base image $base (cached)"
else
  t=$(now)
  log "building the base image $base with mmdebstrap (Debian's packages; about 2-3 min)"
  work=$(mktemp -d "${TMPDIR:-/tmp}/cospress-base.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # No mirror named: mmdebstrap then uses Debian's default mirror with its updates and security
  # suites for a stable release.
  nice mmdebstrap --quiet "${base_options[@]}" "$suite" "$work/rootfs.tar" >&2
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 \
    --env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    --cmd /bin/sh \
    --label org.opencontainers.image.description="Debian $suite with $base_packages (mmdebstrap)" \
    "$ctr"
  buildah commit --quiet --rm "$ctr" "$base" >/dev/null
  buildah tag "$base" "$registry/debian-jre:$suite"
  rm -rf "$work"
  trap - EXIT
  log "base image built in $(($(now) - t)) s"
fi
base_id=$(buildah inspect --type image --format '{{.FromImageID}}' "$base")

# --- Maven: jars, dependencies, unpacked libtorch --------------------------------------------------
# Keyed on the sources that end up in the jars, so an unchanged tree skips Maven altogether.
maven_inputs=(pom.xml .mvn crds api/pom.xml api/src/main trainer/pom.xml trainer/src/main
  operator/pom.xml operator/src/main)
list_inputs() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -co --exclude-standard -- "${maven_inputs[@]}"
  else
    find "${maven_inputs[@]}" -type f -print0
  fi
}
maven_key=$(list_inputs | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
maven_outputs=(operator/target/cospress-operator.jar operator/target/lib
  trainer/target/cospress-trainer.jar trainer/target/image/lib trainer/target/image/libtorch-cpu
  trainer/target/image/jni-cu128)
outputs_present=true
for f in "${maven_outputs[@]}"; do [ -e "$f" ] || outputs_present=false; done
if $outputs_present && [ -f "$out/.maven.key" ] && [ "$(cat "$out/.maven.key")" = "$maven_key" ]; then
  log "Maven outputs up to date"
else
  t=$(now)
  log "mvn package -Pimage (trainer, operator)"
  rm -f "$out/.maven.key"
  nice mvn -B -ntp -q -DskipTests -Pimage -pl trainer,operator -am package >&2
  echo "$maven_key" >"$out/.maven.key"
  log "Maven done in $(($(now) - t)) s"
fi

torch_stamp=
if $cuda; then
  staging=$(bash hack/torch-cuda.sh | tail -n1)
  torch_stamp=$(cat "$staging/.stamp")
fi

# --- Images ------------------------------------------------------------------------------------------
build() {
  local file=$1 name=$2 archive=$3 extra_key=${4:-}
  local key t
  key=$(cat "$file" .dockerignore <(echo "$base_id $maven_key $extra_key $tag") | sha256sum | cut -c1-16)
  if ! $force && [ -f "$out/$archive" ] && [ -f "$out/$archive.key" ] &&
    [ "$(cat "$out/$archive.key")" = "$key" ]; then
    log "$name: up to date ($out/$archive)"
    return
  fi
  t=$(now)
  log "$name: buildah bud -f $file"
  rm -f "$out/$archive.key"
  # --network none: the Dockerfiles fetch nothing. --layers: unchanged layers (the base, libtorch,
  # the dependency jars) are reused when only the project's own jar changed.
  nice buildah bud --quiet --layers --pull=never --network none --format oci \
    --build-arg BASE_IMAGE="$base" -f "$file" -t "$name" . >&2
  rm -f "$out/$archive.tmp"
  # zstd: written in under half the time of gzip and smaller; containerd (1.5 on) and podman read it.
  buildah push --quiet --compression-format zstd "$name" "oci-archive:$out/$archive.tmp:$name" >&2
  mv "$out/$archive.tmp" "$out/$archive"
  echo "$key" >"$out/$archive.key"
  log "$name: built in $(($(now) - t)) s, archive $(du -h "$out/$archive" | cut -f1)"
}

build operator/Dockerfile "$registry/cospress-operator:$tag" cospress-operator.tar
build trainer/Dockerfile "$registry/cospress-trainer:$tag" cospress-trainer.tar
if $cuda; then
  build trainer/Dockerfile.cuda "$registry/cospress-trainer:$tag-cuda" cospress-trainer-cuda.tar "$torch_stamp"
fi

# Untagged images are earlier builds and the intermediate steps --layers looks up. Those whose top
# layer a tagged image still holds are the current cache; the others only take disk.
diff_ids() { buildah inspect --type image --format '{{range .OCIv1.RootFS.DiffIDs}}{{.}} {{end}}' "$1"; }
current_layers=$(buildah images --format '{{.ID}} {{.Name}}' | awk '$2 != "<none>" {print $1}' |
  sort -u | while read -r id; do diff_ids "$id"; done | tr ' ' '\n' | sort -u)
buildah images -a --filter dangling=true --format '{{.ID}}' | while read -r id; do
  top=$(diff_ids "$id" | awk '{print $NF}')
  grep -qxF "$top" <<<"$current_layers" || buildah rmi "$id" >/dev/null 2>&1 || true
done

buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep "^$registry/cospress-" >&2 || true
log "done in $(($(now) - started)) s"
echo "$out"
