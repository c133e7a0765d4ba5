# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this
# Shared by start-local-slurm.sh and stop-local-slurm.sh (sourced, not run).
# Paths and pid-file helpers for the single-node loopback SLURM cluster.

LOCAL_SLURM_CONF=/etc/slurm/slurm.conf
LOCAL_SLURM_SPOOL=/var/spool/local-slurm
LOCAL_SLURM_LOGDIR=/var/log/local-slurm
LOCAL_SLURM_RUNDIR=/run/local-slurm
# munged runs as the munge user, so its pid file lives in a directory munge owns.
LOCAL_SLURM_MUNGE_RUNDIR=$LOCAL_SLURM_RUNDIR/munge
# Held (flock) by start and stop so concurrent calls serialize.
LOCAL_SLURM_LOCK=/run/local-slurm.lock

# Print the pid file of a daemon we manage (munged, slurmctld or slurmd).
local_slurm_pidfile() {
  case $1 in
    munged) echo "$LOCAL_SLURM_MUNGE_RUNDIR/munged.pid" ;;
    slurmctld | slurmd) echo "$LOCAL_SLURM_RUNDIR/$1.pid" ;;
    *) return 1 ;;
  esac
}

# Print where a daemon logs, for error messages.
local_slurm_logfile() {
  case $1 in
    munged) echo /var/log/munge/munged.log ;;
    *) echo "$LOCAL_SLURM_LOGDIR/$1.log" ;;
  esac
}

# True if PID is a live process (not a zombie) whose /proc/PID/comm is NAME.
# A pid file can be stale (/run is not always a tmpfs) and PID 1 may be slow to
# reap, so both the name and the state are checked before anyone is signalled.
local_slurm_pid_is() {
  local pid=$1 name=$2 comm state
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name" ]] || return 1
  state=$(awk '/^State:/ { print $2; exit }' "/proc/$pid/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Print the pid of daemon NAME and succeed if its pid file names a live NAME process.
local_slurm_live_pid() {
  local name=$1 file pid
  file=$(local_slurm_pidfile "$name") || return 1
  [[ -r $file ]] || return 1
  pid=$(<"$file") || return 1
  pid=${pid//[[:space:]]/}
  local_slurm_pid_is "$pid" "$name" || return 1
  echo "$pid"
}

# Stop daemon NAME if our pid file names a live NAME process: SIGTERM, wait up to
# TIMEOUT seconds (a zombie counts as gone), then SIGKILL. Never matches by name.
# Prints one line saying what it did. Returns 1 only if the process refuses to die.
local_slurm_stop_daemon() {
  local name=$1 timeout=${2:-30} file pid i
  file=$(local_slurm_pidfile "$name")
  if ! pid=$(local_slurm_live_pid "$name"); then
    rm -f "$file"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    local_slurm_pid_is "$pid" "$name" || break
    sleep 0.1
  done
  if local_slurm_pid_is "$pid" "$name"; then
    echo "local-slurm: $name (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      local_slurm_pid_is "$pid" "$name" || break
      sleep 0.1
    done
    if local_slurm_pid_is "$pid" "$name"; then
      echo "local-slurm: ERROR: $name (pid $pid) is still running after SIGKILL" >&2
      return 1
    fi
  fi
  rm -f "$file"
  echo "local-slurm: stopped $name (pid $pid)"
}
