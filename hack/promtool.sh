#!/usr/bin/env bash
# Puts Prometheus's promtool into ~/.cache/cospress/tools/promtool-<version>/promtool and prints
# its path as the last stdout line. The alert-rule tests run `promtool test rules` on the chart's
# rendered PrometheusRule. promtool comes from Debian's `prometheus` package, downloaded and
# unpacked only: installing it would also install and start a Prometheus server.
set -euo pipefail
exec 3>&1 1>&2

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

tools_dir="${COSPRESS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cospress/tools}"
mkdir -p "$tools_dir"

version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  echo "[promtool] no package list names prometheus yet; running apt-get update"
  as_root apt-get update -q >/dev/null
  version=$(apt-cache policy prometheus | awk '/Candidate:/ {print $2}')
fi
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "[promtool] Debian has no prometheus package"; exit 1; }

target="$tools_dir/promtool-${version//[^A-Za-z0-9.+-]/_}"
if [ -x "$target/promtool" ] && "$target/promtool" --version >/dev/null 2>&1; then
  echo "$target/promtool" >&3
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "[promtool] downloading Debian package prometheus $version"
# apt's sandbox user must be able to write where the package lands.
chmod 777 "$work"
(cd "$work" && apt-get download -q "prometheus=$version" >/dev/null)
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
mkdir -p "$target"
install -m 0755 "$work/root/usr/bin/promtool" "$target/promtool"
"$target/promtool" --version | head -n1
echo "$target/promtool" >&3
