#!/usr/bin/env bash
# hack/cluster/host-state.sh - print the machine state a cluster could leave behind, in a form
# two snapshots can be diffed in: network devices, addresses, routes, network namespaces,
# mounts, iptables (nft and legacy) and the nft ruleset, sysctls, cgroups, the cluster's
# ports, processes and the paths its components write outside their state directory.
#
# Usage: hack/cluster/host-state.sh > FILE   (as root)
#
# Values that change on their own (inode and file counters, the last pid, random UUIDs,
# packet counters) are left out, so two snapshots of an idle machine are identical.

# Best effort: a section that cannot be read prints what it can, the others still run.
set -u

section() { printf '\n## %s\n' "$1"; }

section "network devices"
ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | sort
section "addresses"
ip -o addr show | awk '{ print $2, $3, $4 }' | sort
section "routes"
{ ip -4 route show table all; ip -6 route show table all; } | sort
section "network namespaces"
{ ip netns list 2>/dev/null; ls -A /run/netns /var/run/netns 2>/dev/null; } | sort -u
section "mounts"
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1); break } }' /proc/self/mountinfo | sort
for save in iptables-nft-save ip6tables-nft-save iptables-legacy-save ip6tables-legacy-save; do
  command -v "$save" >/dev/null || continue
  section "$save"
  # Counters and the generated-at comments change by themselves.
  "$save" 2>/dev/null | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]/[-]/'
done
if command -v nft >/dev/null; then
  section "nft ruleset"
  nft -s list ruleset 2>/dev/null
fi
section "sysctls"
sysctl -a 2>/dev/null | grep -Ev '^(fs\.(dentry-state|file-nr|inode-nr|inode-state|quota\.[a-z_]+)|kernel\.ns_last_pid|kernel\.random\.(uuid|entropy_avail)|net\.netfilter\.nf_conntrack_count) ' | sort
section "cgroups (two levels)"
find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d | sort
section "listening on the cluster's ports"
ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -E ':(6443|10248|10249|10250|10256|10257|10259|12379|12380)$' | sort || true
section "processes of the cluster"
# Every daemon and containerd shim names the state directory on its command line, and every
# container runs in a /kubepods cgroup; other users' etcd or containerd do neither. Read with
# builtins only, so no helper process of this script matches its own pattern.
state_dir="${COSPRESS_CLUSTER_DIR:-/var/lib/cospress-cluster}"
for dir in /proc/[0-9]*; do
  cmdline="" cgroups=""
  { mapfile -d '' -t argv <"$dir/cmdline" && cmdline="${argv[*]}"; } 2>/dev/null || continue
  { cgroups="$(<"$dir/cgroup")"; } 2>/dev/null || true
  if [[ "$cmdline" == *"$state_dir"* || "$cgroups" == *":/kubepods"* ]]; then
    printf '%s\n' "${cmdline:0:200}"
  fi
done | sort
section "paths"
for p in /var/lib/cospress-cluster /var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni \
         /run/containerd /var/lib/containerd /etc/cni/net.d /opt/cni /run/netns; do
  if [[ -e "$p" ]]; then
    printf '%s:\n' "$p"
    find "$p" -maxdepth 3 2>/dev/null | sort | sed 's/^/  /'
  else
    printf '%s: absent\n' "$p"
  fi
done
