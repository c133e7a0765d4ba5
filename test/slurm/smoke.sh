#!/usr/bin/env bash
# Smoke test for the local SLURM cluster (a plain bash script, not a node test).
# Starts the cluster (idempotent), runs a 4-task job array that writes one file
# per task, checks every file, then checks that a failing task (exit 3) is
# reported FAILED while its siblings are COMPLETED. Leaves the cluster running
# for the tests that follow unless called with --stop.
# Usage: test/slurm/smoke.sh [--stop]     (as root)
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stop=0
case ${1:-} in
  --stop) stop=1 ;;
  '') ;;
  *) echo "usage: $0 [--stop]" >&2; exit 2 ;;
esac

tmp=$(mktemp -d /tmp/harvestry-slurm-smoke.XXXXXX)
cleanup() {
  rm -rf "$tmp"
  if ((stop)); then bash "$root/scripts/stop-local-slurm.sh"; fi
}
trap cleanup EXIT

say() { echo "smoke: $*"; }
die() { echo "smoke: FAIL: $*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# submit ARGS...: sbatch --parsable, printing the job id. NODE_TEST_CONTEXT is
# dropped because sbatch exports the whole environment into the tasks.
submit() {
  local out
  out=$(env -u NODE_TEST_CONTEXT sbatch --parsable --chdir "$tmp" "$@") || die "sbatch $* failed"
  out=${out%%;*}
  [[ $out =~ ^[0-9]+$ ]] || die "unexpected sbatch output: $out"
  echo "$out"
}
# wait_gone JID: poll squeue (not sbatch --wait, which backs off) until the job has left the queue.
wait_gone() {
  local jid=$1 i out
  for ((i = 0; i < 600; i++)); do
    if out=$(squeue -h -j "$jid" -o %i 2>/dev/null) && [[ -z $out ]]; then return 0; fi
    sleep 0.1
  done
  squeue -r -j "$jid" >&2 || true
  die "job $jid still queued after 60 s"
}

bash "$root/scripts/start-local-slurm.sh"

# 1. A 4-task array; each task writes its own file.
t=$(date +%s%N)
jid=$(submit --array=0-3 -J harvestry-smoke -o "$tmp/%A_%a.out" \
  --wrap "echo \"\$SLURM_ARRAY_JOB_ID \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_COUNT\" > $tmp/task.\$SLURM_ARRAY_TASK_ID; echo done")
wait_gone "$jid"
secs=$(elapsed "$t")
for k in 0 1 2 3; do
  [[ -f $tmp/task.$k ]] || die "task $k wrote no file"
  got=$(<"$tmp/task.$k")
  [[ $got == "$jid $k 4" ]] || die "task $k wrote '$got', expected '$jid $k 4'"
  [[ $(<"$tmp/${jid}_$k.out") == "done" ]] || die "task $k output file ${jid}_$k.out is wrong"
done
states=$(squeue -h -r -t all -j "$jid" -o '%K %T' | sort -n | tr '\n' ' ')
[[ $states == "0 COMPLETED 1 COMPLETED 2 COMPLETED 3 COMPLETED " ]] || die "array $jid states: $states"
say "array $jid: 4 of 4 tasks COMPLETED and wrote their files in $secs s"

# 2. A failing task: task 1 exits 3, its siblings succeed.
t=$(date +%s%N)
# shellcheck disable=SC2016 # $SLURM_ARRAY_TASK_ID expands in the task, not here
jid=$(submit --array=0-2 -J harvestry-smoke-fail -o /dev/null \
  --wrap 'if [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then exit 3; fi')
wait_gone "$jid"
states=$(squeue -h -r -t all -j "$jid" -o '%K %T' | sort -n | tr '\n' ' ')
[[ $states == "0 COMPLETED 1 FAILED 2 COMPLETED " ]] || die "array $jid states: $states"
line=$(scontrol -o show job "${jid}_1")
[[ $line == *"JobState=FAILED"* && $line == *"ExitCode=3:0"* ]] ||
  die "task ${jid}_1 not reported as FAILED with ExitCode=3:0: $line"
say "array $jid: task 1 FAILED with ExitCode=3:0, tasks 0 and 2 COMPLETED ($(elapsed "$t") s)"
say "OK"
