#!/usr/bin/env bash
# Stop the single-node SLURM cluster started by scripts/start-local-slurm.sh.
# Stops only the daemons that script started, found through its pid files and
# checked against /proc/PID/comm; never matches processes by name. Waits until
# each one is gone (a zombie waiting for PID 1 to reap it counts as gone).
# Cancels any job still queued or running first, since a job's slurmstepd and
# processes would outlive slurmd. Safe to call when nothing is running.
# Packages, configuration and controller state are left alone
# (LOCAL_SLURM_CLEAN=1 on start wipes the state).
# Usage: stop-local-slurm.sh [DAEMON...]   DAEMON is munged, slurmctld or slurmd
# (default: all three). The test runner names only the daemons its start started.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/local-slurm-common.sh
. "$here/local-slurm-common.sh"

t0=$(date +%s%N)
wanted=("$@")
((${#wanted[@]})) || wanted=(slurmd slurmctld munged)
for d in "${wanted[@]}"; do
  case $d in
    munged | slurmctld | slurmd) ;;
    *) echo "local-slurm: ERROR: unknown daemon '$d' (expected munged, slurmctld or slurmd)" >&2; exit 2 ;;
  esac
done
wants() { [[ " ${wanted[*]} " == *" $1 "* ]]; }
if [[ $(id -u) -ne 0 ]]; then
  echo "local-slurm: ERROR: must run as root" >&2
  exit 1
fi
[[ -d $LOCAL_SLURM_RUNDIR ]] || { echo "local-slurm: nothing to stop"; exit 0; }

exec 9>"$LOCAL_SLURM_LOCK"
if ! flock -w 900 9; then
  echo "local-slurm: ERROR: timed out waiting for $LOCAL_SLURM_LOCK" >&2
  exit 1
fi

rc=0
stopped=0
# Cancel every job first: a running job's slurmstepd and processes outlive slurmd.
if (wants slurmd || wants slurmctld) && local_slurm_live_pid slurmctld >/dev/null; then
  jobs=$(squeue -h -r -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
  if [[ -n ${jobs// /} ]]; then
    # shellcheck disable=SC2086 # one argument per job id
    scancel $jobs 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      left=$(squeue -h -o %A 2>/dev/null || true)
      [[ -z $left ]] && break
      sleep 0.1
    done
    if [[ -n $left ]]; then
      echo "local-slurm: WARNING: jobs still queued after cancelling for 20 s: ${left//$'\n'/ }" >&2
    else
      echo "local-slurm: cancelled jobs ${jobs% }"
    fi
  fi
fi
# slurmd first (it reports finished steps to slurmctld), munged last (both use it).
for d in slurmd slurmctld munged; do
  wants "$d" || continue
  if local_slurm_live_pid "$d" >/dev/null; then
    local_slurm_stop_daemon "$d" 30 || rc=1
    stopped=$((stopped + 1))
  else
    rm -f "$(local_slurm_pidfile "$d")"
  fi
done
if ((stopped == 0)); then
  echo "local-slurm: nothing to stop"
else
  echo "local-slurm: stopped in $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
fi
exit "$rc"
