#!/usr/bin/env bash
# Start a real single-node SLURM cluster (munged, slurmctld, slurmd) on loopback,
# so tests and CI can submit real job arrays. Debian 12 (bookworm), run as root;
# no systemd needed.
#
# Idempotent: installs Debian's packages if they are missing, (re)writes
# /etc/slurm/slurm.conf, starts only the daemons that are not already running,
# waits until the node is idle, and then runs one trivial batch job so that
# slurmctld's ~3 s first-scheduling delay is paid here, not by the first test.
# With everything already running it returns in a fraction of a second.
# Concurrent calls are serialized with flock.
#
# Environment:
#   LOCAL_SLURM_CPUS=N     CPUs the node offers (default: nproc, or the running
#                          cluster's count). More than nproc oversubscribes, which
#                          is fine for trivial test tasks. A different N restarts
#                          a running slurmctld and slurmd.
#   LOCAL_SLURM_CLEAN=1    wipe controller state (job ids, finished jobs) before
#                          slurmctld starts. Ignored while slurmctld is running.
#   LOCAL_SLURM_TIMEOUT=S  seconds to wait for each step (default 60).
#
# Stop with scripts/stop-local-slurm.sh (stops only what this script started).
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/local-slurm-common.sh
. "$here/local-slurm-common.sh"

PACKAGES=(slurmctld slurmd slurm-client munge)
TIMEOUT=${LOCAL_SLURM_TIMEOUT:-60}
t0=$(date +%s%N)

say() { echo "local-slurm: $*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
show_tail() { # FILE...: print the last lines of each non-empty file to stderr
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    echo "---- last lines of $f ----" >&2
    tail -n 25 "$f" >&2
  done
}
fail() { # MESSAGE [LOGFILE...]
  local msg=$1
  shift
  echo "local-slurm: ERROR: $msg" >&2
  show_tail "$@"
  exit 1
}
trap 'fail "unexpected failure at line $LINENO: $BASH_COMMAND"' ERR

[[ $(id -u) -eq 0 ]] || fail "must run as root (it installs packages and starts system daemons)"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || fail "LOCAL_SLURM_TIMEOUT must be a positive integer, got '$TIMEOUT'"

# Serialize with other start/stop calls. fd 9 must be closed in every daemon we
# launch (9>&-), or the daemon would hold the lock for as long as it runs.
exec 9>"$LOCAL_SLURM_LOCK"
flock -w 900 9 || fail "timed out waiting for $LOCAL_SLURM_LOCK (another start/stop is stuck?)"

cpus=${LOCAL_SLURM_CPUS:-}
mem_mib=$(awk '/^MemTotal:/ { print int($2 / 1024); exit }' /proc/meminfo)
if [[ -z $cpus ]]; then
  # Keep the node definition of a running cluster (someone may have started it
  # with LOCAL_SLURM_CPUS); otherwise use nproc. Only an explicit, different
  # LOCAL_SLURM_CPUS restarts a running cluster, never a plain second start.
  cpus=$(nproc)
  if local_slurm_live_pid slurmctld >/dev/null && [[ -r $LOCAL_SLURM_CONF ]]; then
    node=$(grep -m1 '^NodeName=localhost ' "$LOCAL_SLURM_CONF" || true)
    [[ $node =~ \ CPUs=([0-9]+) ]] && cpus=${BASH_REMATCH[1]}
    [[ $node =~ \ RealMemory=([0-9]+) ]] && mem_mib=${BASH_REMATCH[1]}
  fi
fi
[[ $cpus =~ ^[1-9][0-9]*$ ]] || fail "LOCAL_SLURM_CPUS must be a positive integer, got '$cpus'"

# ---------------------------------------------------------------- packages
mkdir -p "$LOCAL_SLURM_LOGDIR"
pkg_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }
missing=()
for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -q -y -o DPkg::Lock::Timeout=300)
  aptlog=$LOCAL_SLURM_LOGDIR/apt.log
  : >"$aptlog"
  updated=0
  apt_update() {
    say "apt-get update"
    "${apt[@]}" update >>"$aptlog" 2>&1 ||
      fail "apt-get update failed: is the Debian mirror reachable?" "$aptlog"
    updated=1
  }
  # Update the package lists only when they cannot supply every missing package.
  # (Output captured first: with pipefail, grep -q closing the pipe early would
  # make the whole pipeline fail with SIGPIPE.)
  for p in "${missing[@]}"; do
    policy=$(apt-cache policy "$p" 2>/dev/null || true)
    if [[ ! $policy =~ Candidate:\ [^\(] ]]; then
      apt_update
      break
    fi
  done
  say "installing ${missing[*]} (--no-install-recommends)"
  if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
    # Stale lists give 404s; refresh them once and retry.
    ((updated)) && fail "apt-get install ${missing[*]} failed: is the Debian mirror reachable?" "$aptlog"
    apt_update
    "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1 ||
      fail "apt-get install ${missing[*]} failed: is the Debian mirror reachable?" "$aptlog"
  fi
  say "installed in $(elapsed "$t0") s"
fi
for b in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$b" >/dev/null || fail "$b not found after installing ${PACKAGES[*]}"
done

# ---------------------------------------------------------------- dirs, key
install -d -m 0755 "$LOCAL_SLURM_SPOOL" "$LOCAL_SLURM_SPOOL/ctld" "$LOCAL_SLURM_SPOOL/d" \
  "$LOCAL_SLURM_LOGDIR" "$LOCAL_SLURM_RUNDIR" /etc/slurm
install -d -m 0755 -o munge -g munge "$LOCAL_SLURM_MUNGE_RUNDIR" /run/munge
install -d -m 0700 -o munge -g munge /etc/munge /var/lib/munge /var/log/munge
if [[ ! -s /etc/munge/munge.key ]]; then
  mungekey --create --keyfile=/etc/munge/munge.key
  say "created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key

# ---------------------------------------------------------------- slurm.conf
marker="# Written by harvestry scripts/start-local-slurm.sh; rewritten on every start."
conf_new=$(
  cat <<EOF
$marker
# Single node on loopback for tests and CI. Every daemon talks over 127.0.0.1.
ClusterName=localci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=6817
SlurmdPort=6818
# Without this slurmctld and slurmd listen on 0.0.0.0. With it they bind to the
# address their hostname resolves to: loopback (see the start script).
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
StateSaveLocation=$LOCAL_SLURM_SPOOL/ctld
SlurmdSpoolDir=$LOCAL_SLURM_SPOOL/d
SlurmctldPidFile=$(local_slurm_pidfile slurmctld)
SlurmdPidFile=$(local_slurm_pidfile slurmd)
SlurmctldLogFile=$(local_slurm_logfile slurmctld)
SlurmdLogFile=$(local_slurm_logfile slurmd)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOCAL_SLURM_LOGDIR/jobcomp.log
# Finished jobs stay visible to squeue/scontrol for an hour (no sacct here).
MinJobAge=3600
MailProg=/bin/true
MpiDefault=none
SchedulerType=sched/backfill
# The default batch_sched_delay=3 makes every wave of array tasks wait ~3 s.
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
# Not CR_CPU_Memory: without --mem each task would take all memory, one at a time.
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
)
conf_changed=0
if [[ ! -f $LOCAL_SLURM_CONF ]] || [[ $(<"$LOCAL_SLURM_CONF") != "$conf_new" ]]; then
  if [[ -f $LOCAL_SLURM_CONF ]] && ! grep -qxF "$marker" "$LOCAL_SLURM_CONF"; then
    cp -p "$LOCAL_SLURM_CONF" "$LOCAL_SLURM_CONF.before-local-slurm"
    say "kept the previous $LOCAL_SLURM_CONF as $LOCAL_SLURM_CONF.before-local-slurm"
  fi
  printf '%s\n' "$conf_new" >"$LOCAL_SLURM_CONF.tmp"
  mv "$LOCAL_SLURM_CONF.tmp" "$LOCAL_SLURM_CONF"
  conf_changed=1
  say "wrote $LOCAL_SLURM_CONF (CPUs=$cpus RealMemory=$mem_mib)"
fi
if ((conf_changed)); then
  # A changed node definition needs both slurm daemons restarted.
  if local_slurm_live_pid slurmd >/dev/null || local_slurm_live_pid slurmctld >/dev/null; then
    say "configuration changed: restarting slurmd and slurmctld"
    local_slurm_stop_daemon slurmd
    local_slurm_stop_daemon slurmctld
  fi
fi

# ---------------------------------------------------------------- daemons
# port_listening PORT: is anything listening on TCP PORT (any address)?
port_listening() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p="$hex" '$4 == "0A" && substr($2, index($2, ":") + 1) == p { f = 1 } END { exit !f }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# start_daemon NAME PORT CMD...: unless NAME is already running (by our pid file),
# run CMD (which daemonizes) and wait until the pid file names a live NAME process
# and, if PORT is set, something listens on PORT. Fails fast, with the log tail,
# if the daemon logs a fatal error or exits during startup.
started=()
start_daemon() {
  local name=$1 port=$2 pid seen='' size i new log out
  shift 2
  if pid=$(local_slurm_live_pid "$name"); then
    say "$name already running (pid $pid)"
    return 0
  fi
  log=$(local_slurm_logfile "$name")
  out=$LOCAL_SLURM_LOGDIR/$name.out
  if [[ -n $port ]] && port_listening "$port"; then
    fail "port $port is already in use, but not by a $name this script started (no live pid in $(local_slurm_pidfile "$name")). Stop that process first."
  fi
  size=$(stat -c %s "$log" 2>/dev/null || echo 0)
  rm -f "$(local_slurm_pidfile "$name")"
  # 9>&-: the daemon must not inherit the lock. stdio goes to a file so that a
  # caller reading our output through a pipe is not held open by the daemon.
  "$@" </dev/null >>"$out" 2>&1 9>&- || fail "$name failed to start ($*)" "$log" "$out"
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    if pid=$(local_slurm_live_pid "$name"); then
      seen=$pid
      if [[ -z $port ]] || port_listening "$port"; then
        say "started $name (pid $pid)"
        started+=("$name")
        return 0
      fi
    elif [[ -n $seen ]]; then
      fail "$name (pid $seen) exited during startup" "$log" "$out"
    fi
    # Captured, not piped into grep -q: with pipefail an early grep exit fails the pipe.
    new=$(tail -c +$((size + 1)) "$log" 2>/dev/null || true)
    if [[ $new == *"fatal:"* || $new == *"Error:"* ]]; then
      fail "$name failed to start" "$log" "$out"
    fi
    sleep 0.1
  done
  fail "$name did not start within ${TIMEOUT}s" "$log" "$out"
}

# NoCtldInAddrAny/NoInAddrAny bind to whatever `hostname` resolves to. Where that
# is not loopback, slurmctld and slurmd run in their own UTS namespace whose
# hostname is localhost, so they still listen on 127.0.0.1 only.
ns=()
host=$(hostname)
host_addrs=$(getent ahostsv4 "$host" 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' ' || true)
host_loopback=1
[[ -n ${host_addrs// /} ]] || host_loopback=0
for a in $host_addrs; do [[ $a == 127.* ]] || host_loopback=0; done
if ((!host_loopback)); then
  ns=(unshare --uts -- sh -c 'hostname localhost && exec "$@"' sh)
fi

start_daemon munged "" runuser -u munge -- munged --force --pid-file="$(local_slurm_pidfile munged)"
munge -n </dev/null | unmunge >/dev/null 2>&1 ||
  fail "munge credentials do not round-trip (munge -n | unmunge)" "$(local_slurm_logfile munged)"

if local_slurm_live_pid slurmctld >/dev/null; then
  if [[ ${LOCAL_SLURM_CLEAN:-0} == 1 ]]; then
    say "LOCAL_SLURM_CLEAN=1 ignored: slurmctld is running (stop it first to wipe its state)"
  fi
else
  if [[ ${LOCAL_SLURM_CLEAN:-0} == 1 ]]; then
    rm -rf "${LOCAL_SLURM_SPOOL:?}/ctld"
    install -d -m 0755 "$LOCAL_SLURM_SPOOL/ctld"
    say "wiped controller state (LOCAL_SLURM_CLEAN=1)"
  fi
  if ((!host_loopback)); then
    say "hostname $host resolves to '${host_addrs% }', not loopback: slurmctld and slurmd run with hostname localhost (own UTS namespace)"
  fi
fi
start_daemon slurmctld 6817 "${ns[@]}" slurmctld
start_daemon slurmd 6818 "${ns[@]}" slurmd -N localhost

# ---------------------------------------------------------------- node ready
all_logs=("$(local_slurm_logfile slurmctld)" "$(local_slurm_logfile slurmd)")
check_alive() {
  local d
  for d in slurmctld slurmd; do
    local_slurm_live_pid "$d" >/dev/null || fail "$d exited" "${all_logs[@]}"
  done
}
resumed=0
state=
for ((i = 0; ; i++)); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  # "*" means not responding; allocated/mixed/completing are fine (tests running).
  [[ $state =~ ^(idle|mixed|allocated|completing)$ ]] && break
  ((i >= TIMEOUT * 10)) &&
    fail "node localhost not usable after ${TIMEOUT}s (sinfo state: '${state:-no answer}')" "${all_logs[@]}"
  # A node left DOWN/DRAINED by an earlier run is put back in service once.
  if ((!resumed && i >= 20)) && [[ $state =~ ^(down|drain|drained|draining|fail)$ ]]; then
    scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
    resumed=1
    say "node was $state; resumed it"
  fi
  ((i % 10 == 0)) && check_alive
  sleep 0.1
done
if ((${#started[@]})); then say "node localhost $state after $(elapsed "$t0") s"; fi

# ---------------------------------------------------------------- smoke job
# Only after (re)starting something: proves batch jobs run and pays the delay
# before slurmctld's first scheduling pass. Polls squeue (sbatch --wait is slow).
if [[ " ${started[*]} " == *" slurmctld "* || " ${started[*]} " == *" slurmd "* ]]; then
  ts=$(date +%s%N)
  jid=$(cd / && env -u NODE_TEST_CONTEXT sbatch --parsable -J local-slurm-smoke \
    -o /dev/null -e /dev/null --wrap true 2>&1) ||
    fail "sbatch of the smoke job failed: $jid" "${all_logs[@]}"
  jid=${jid%%;*}
  [[ $jid =~ ^[0-9]+$ ]] || fail "unexpected sbatch output: $jid" "${all_logs[@]}"
  for ((i = 0; ; i++)); do
    if out=$(squeue -h -j "$jid" -o %T 2>/dev/null) && [[ -z $out ]]; then break; fi
    ((i >= TIMEOUT * 10)) && fail "smoke job $jid still '${out:-?}' after ${TIMEOUT}s" "${all_logs[@]}"
    sleep 0.1
  done
  jstate=$(scontrol -o show job "$jid" 2>/dev/null | grep -o 'JobState=[A-Z_]*' || true)
  [[ $jstate == JobState=COMPLETED ]] ||
    fail "smoke job $jid ended with ${jstate:-unknown state}" "${all_logs[@]}"
  say "smoke job $jid COMPLETED in $(elapsed "$ts") s"
fi

say "ready in $(elapsed "$t0") s: $(sinfo -h -o '%P %a %D %T %N' | tr -s ' ') (CPUs=$cpus)"
