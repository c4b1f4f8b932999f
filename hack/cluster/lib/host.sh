# shellcheck shell=bash
# What the cluster changes on the machine, and how each change is undone: the bridge, the
# daemons' processes and cgroups, mounts, iptables/nftables rules, sysctls and the few paths
# outside the state directory that the kubelet and containerd insist on. Sourced by
# hack/cluster.sh. Everything here undoes only what the cluster made: processes are found
# through the cluster's own cgroups, mounts under its own directory, rules by the KUBE- chains
# that `up` checked were absent before.

# --- cgroups: every daemon runs in the cgroup CLUSTER_CGROUP, and so do the containerd shims
# they start; containers live under the kubelet's /kubepods. Membership is how tear-down finds
# every process the cluster started, including daemonised shims.

cgroup_roots() { # every mounted hierarchy: the v2 root, or each v1 one (and a hybrid's v2)
  awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts
}

cgroup_procs_files() { # the cgroup.procs files the daemons are put into (pids, memory, cpuacct)
  local root
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
    echo "/sys/fs/cgroup/$CLUSTER_CGROUP/cgroup.procs"
    return
  fi
  for root in $(cgroup_roots); do
    case "$(basename "$root")" in
      pids|memory|cpuacct|cpu,cpuacct) echo "$root/$CLUSTER_CGROUP/cgroup.procs" ;;
    esac
  done
}

cgroup_create() {
  local f
  for f in $(cgroup_procs_files); do mkdir -p "$(dirname "$f")"; done
}

cluster_pids() { # every process in the cluster's cgroups or the kubelet's pod cgroups
  local root
  for root in $(cgroup_roots); do
    for d in "$root/$CLUSTER_CGROUP" "$root/kubepods"; do
      [[ -d "$d" ]] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
    done
  done | sort -un
}

cgroup_remove() { # deepest first; a cgroup with no process left can be removed
  local root d
  for root in $(cgroup_roots); do
    for d in "$root/kubepods" "$root/$CLUSTER_CGROUP"; do
      [[ -d "$d" ]] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
  done
  return 0
}

cluster_memory_bytes() { # resident memory of the control plane, node and pods
  local root total=0 d v
  for root in $(cgroup_roots); do
    case "$(basename "$root")" in memory) ;; *) [[ -f /sys/fs/cgroup/cgroup.controllers ]] || continue ;; esac
    for d in "$root/$CLUSTER_CGROUP" "$root/kubepods"; do
      if [[ -f "$d/memory.stat" ]]; then
        # v1: total_rss (+ total_rss_huge); v2: anon. Page cache is left out on purpose:
        # it is reclaimable and mostly the binaries themselves.
        v="$(awk '$1 == "total_rss" || $1 == "total_rss_huge" || $1 == "anon" { s += $2 } END { print s + 0 }' "$d/memory.stat")"
        total=$((total + v))
      fi
    done
  done
  echo "$total"
}

cluster_rss_bytes() { # the sum of every cluster process's VmRSS (counts shared binary pages per process)
  local pid kb total=0
  for pid in $(cluster_pids); do
    kb="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null)"
    total=$((total + ${kb:-0} * 1024))
  done
  echo "$total"
}

# --- daemons

# daemon_start NAME CMD...: runs CMD in its own session (so it outlives this script and the
# terminal), inside the cluster's cgroups, logging to $LOGS/NAME.log.
daemon_start() {
  local name="$1"; shift
  local procs
  procs="$(cgroup_procs_files | tr '\n' ' ')"
  log "starting $name"
  # The command line, so that `restart` starts it again exactly the same way.
  printf '%s\0' "$@" >"$RUN/$name.args"
  rm -f "$RUN/$name.pid"
  setsid bash -c '
    pidfile="$1" procs="$2"; shift 2
    for f in $procs; do echo $$ >"$f"; done
    echo $$ >"$pidfile"
    exec "$@"' "$name" "$RUN/$name.pid" "$procs" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  # Wait for the pid file, so a stop right after a start finds the process.
  local deadline=$((SECONDS + 10))
  while (( SECONDS < deadline )); do [[ -s "$RUN/$name.pid" ]] && return 0; sleep 0.1; done
  die "$name did not start (see $LOGS/$name.log)"
}

daemon_pid() { # prints the pid if NAME runs and is one of ours
  local f="$RUN/$1.pid" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -d "/proc/$pid" ]] && grep -q "$CLUSTER_CGROUP" "/proc/$pid/cgroup" 2>/dev/null || return 1
  echo "$pid"
}

# daemons_stop SECONDS NAME...: TERM them all at once, KILL whichever is left after SECONDS.
daemons_stop() {
  local wait_s="$1" name pid start alive
  shift
  local -A pids=()
  start="$(date +%s%N)"
  for name in "$@"; do
    if pid="$(daemon_pid "$name")"; then
      pids[$name]="$pid"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid"
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  local deadline=$((SECONDS + wait_s))
  while (( SECONDS < deadline )); do
    alive=0
    for pid in "${pids[@]}"; do [[ -d "/proc/$pid" ]] && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.05
  done
  for name in "${!pids[@]}"; do
    if [[ -d "/proc/${pids[$name]}" ]]; then
      log "$name did not stop within ${wait_s}s; killing it"
      kill -KILL "${pids[$name]}" 2>/dev/null || true
    fi
  done
  log "stopped $* ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
}

kill_cluster_processes() { # containers, shims and anything else left in our cgroups
  local pids _
  for _ in $(seq 50); do
    pids="$(cluster_pids)"
    [[ -z "$pids" ]] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.2
  done
  warn "processes still in the cluster's cgroups: $(cluster_pids | tr '\n' ' ')"
}

# --- network

net_up() {
  ip link add "$BRIDGE" type bridge
  # No IPv6 on the bridge: nothing in the cluster uses it, and it would send router
  # solicitations from a link-local address.
  sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" 2>/dev/null || true
  ip addr add "$NODE_IP/${BRIDGE_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Forwarding on this interface only (net.ipv4.ip_forward stays as it is): a pod calling
  # another pod through a Service is routed bridge -> host -> bridge. Pods have no default
  # route, so nothing they send can be forwarded anywhere else.
  sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=1"
  # Service addresses lead to the bridge, never to the default route: a ClusterIP with no
  # endpoints stays on the machine.
  ip route add "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
}

net_down() {
  local port
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    # Pod veths disappear with their network namespaces; remove any that outlived them.
    for port in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
      ip link del "$port" 2>/dev/null || true
    done
    ip link del "$BRIDGE"  # takes its address and both routes with it
  fi
}

# --- mounts (the kubelet's volumes, container root filesystems, pod network namespaces)

mounts_under() { # DIR: mount points at or below DIR, deepest first
  awk -v d="$1" '{ m = $5; gsub(/\\040/, " ", m); if (m == d || index(m, d "/") == 1) print m }' \
    /proc/self/mountinfo | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-
}

unmount_under() {
  local dir="$1" m _
  for _ in $(seq 10); do
    mapfile -t mounts < <(mounts_under "$dir")
    [[ ${#mounts[@]} -eq 0 ]] && return 0
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  done
  warn "still mounted under $dir: $(mounts_under "$dir" | tr '\n' ' ')"
}

# --- iptables / nftables

kube_chains_present() { # any KUBE-* chain in any table, IPv4 or IPv6
  local save
  for save in iptables-save ip6tables-save; do
    command -v "$save" >/dev/null || continue
    "$save" 2>/dev/null | grep '^:KUBE-' >/dev/null && return 0
  done
  return 1
}

# Removes every KUBE-* chain (kube-proxy's and the kubelet's) and the rules elsewhere that
# jump into them. `up` refuses to start while such chains exist, so all of them are ours.
iptables_cleanup() {
  local fam save restore table script
  for fam in iptables ip6tables; do
    save="$fam-save" restore="$fam-restore"
    command -v "$save" >/dev/null || continue
    for table in filter nat mangle raw; do
      script="$("$save" -t "$table" 2>/dev/null | awk -v t="$table" '
        /^:KUBE-/ { chains[++n] = substr($1, 2) }
        /^-A / && $2 !~ /^KUBE-/ && / -[jg] KUBE-/ { sub(/^-A /, "-D "); jumps[++m] = $0 }
        END {
          if (n == 0 && m == 0) exit
          print "*" t
          for (i = 1; i <= m; i++) print jumps[i]
          for (i = 1; i <= n; i++) print "-F " chains[i]
          for (i = 1; i <= n; i++) print "-X " chains[i]
          print "COMMIT"
        }')"
      [[ -n "$script" ]] || continue
      "$restore" -w --noflush <<<"$script" || warn "could not remove the KUBE- chains of $fam $table"
    done
  done
}

nft_tables() { # "family name" per line
  command -v nft >/dev/null || return 0
  nft list tables 2>/dev/null | awk '$1 == "table" { print $2, $3 }' | sort
}

# iptables-nft creates the nft tables it touches; those that did not exist before `up` and
# hold no rule now are ours to remove.
nft_cleanup() {
  command -v nft >/dev/null || return 0
  local fam name rules
  while read -r fam name; do
    [[ -n "$fam" ]] || continue
    grep -qx "$fam $name" "$STATE/nft-tables.before" 2>/dev/null && continue
    rules="$(nft -j list table "$fam" "$name" 2>/dev/null | jq '[.nftables[] | select(.rule)] | length')" || continue
    if [[ "$rules" == 0 ]]; then
      nft delete table "$fam" "$name" || warn "could not delete nft table $fam $name"
    else
      warn "nft table $fam $name appeared while the cluster ran and still holds $rules rule(s); left alone"
    fi
  done < <(nft_tables)
}

# --- sysctls the kubelet and kube-proxy change on the whole machine

# kubelet: vm.overcommit_memory, vm.panic_on_oom, kernel.panic, kernel.panic_on_oops and the
# keyring limits (it insists on its values unless protectKernelDefaults, which fails instead);
# kube-proxy: the conntrack and localnet ones (configured not to, listed to be sure).
TRACKED_SYSCTLS=(
  vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding
  net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait net.netfilter.nf_conntrack_tcp_be_liberal
)

sysctl_save() {
  local k
  for k in "${TRACKED_SYSCTLS[@]}"; do
    if sysctl -n "$k" >/dev/null 2>&1; then printf '%s=%s\n' "$k" "$(sysctl -n "$k")"; fi
  done >"$STATE/sysctl.before"
}

sysctl_restore() {
  local k v
  [[ -f "$STATE/sysctl.before" ]] || return 0
  while IFS='=' read -r k v; do
    if [[ "$(sysctl -n "$k" 2>/dev/null)" != "$v" ]]; then
      log "restoring $k = $v"
      sysctl -qw "$k=$v" || warn "could not restore $k"
    fi
  done <"$STATE/sysctl.before"
}

# --- paths outside the state directory

# The kubelet creates /var/log/containers (hard-coded) and /var/lib/kubelet (for the device
# plugin and pod-resources sockets even with another --root-dir); libcni caches results in
# /var/lib/cni; the runc shim keeps its sockets in /run/containerd/s. What did not exist
# before `up` is removed by `down`; what did is left, minus the files the cluster added.
OUTSIDE_PATHS=(/var/log/containers /var/lib/kubelet /var/lib/cni /run/containerd)

# `find` that lists nothing, instead of failing, where the directory does not exist yet: on a
# fresh machine containerd has never made /run/containerd/s nor libcni /var/lib/cni/results, and
# under pipefail a failing find would stop `up` without a word.
found() {
  [[ -d "$1" ]] || return 0
  find "$@" 2>/dev/null || true
}

outside_paths_save() {
  local p
  for p in "${OUTSIDE_PATHS[@]}"; do
    if [[ -e "$p" ]]; then echo "$p"; fi
  done >"$STATE/paths.before"
  found /run/containerd/s -maxdepth 1 -type s | sort >"$STATE/shim-sockets.before"
  found /var/lib/cni/results -maxdepth 1 -name 'cni-loopback-*' | sort \
    >"$STATE/cni-loopback.before"
}

# containerd caches the result of each sandbox's loopback network as cni-loopback-<sandbox>-lo;
# a sandbox killed by `down` is never torn down through CNI, so its entry stays. The entries that
# appeared since `up` are the cluster's (up refuses to start beside another kubelet).
cni_loopback_cleanup() {
  found /var/lib/cni/results -maxdepth 1 -name 'cni-loopback-*' | sort |
    comm -23 - "$STATE/cni-loopback.before" 2>/dev/null | xargs -r rm -f
}

# A shim killed by `down` (its container would otherwise outlive the cluster) cannot remove its
# socket in /run/containerd/s. Removed here: the sockets that appeared since `up` and that no
# process holds any more (/proc/net/unix lists the bound ones), so another containerd's live
# shims on this machine keep theirs.
shim_sockets_cleanup() {
  local sock
  [[ -d /run/containerd/s ]] || return 0
  found /run/containerd/s -maxdepth 1 -type s | sort |
    comm -23 - "$STATE/shim-sockets.before" 2>/dev/null |
    while read -r sock; do
      awk -v p="$sock" '$NF == p {found = 1} END {exit !found}' /proc/net/unix || rm -f "$sock"
    done
}

outside_paths_cleanup() {
  local p
  shim_sockets_cleanup
  cni_loopback_cleanup
  # Symlinks into our pod-logs directory, and libcni's cache entries of our network.
  find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null || true
  find /var/lib/cni/results -maxdepth 1 -name 'cospress-*' -delete 2>/dev/null || true
  for p in "${OUTSIDE_PATHS[@]}"; do
    [[ -e "$p" ]] || continue
    if grep -qx "$p" "$STATE/paths.before" 2>/dev/null; then
      continue
    fi
    case "$p" in
      # Only our own kubelet wrote here (up refuses to start beside another one).
      /var/log/containers|/var/lib/kubelet) rm -rf "$p" ;;
      # Shared with other CNI users / containerds: remove only what is left empty.
      *) find "$p" -depth -type d -empty -delete 2>/dev/null || true ;;
    esac
  done
}
