# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and scripts/test.sh: runs queued commands
# side by side, at most LIMIT at a time, in the order they were queued. Each
# job's output goes to a log file of its own, and each log is printed whole
# once its job and every job queued before it have ended, so the output reads
# as if the jobs had run one after another. A job that fails stops new ones
# from starting (those running are let finish), and run_jobs then fails
# naming every job that failed.
#
#   queue_job NAME COMMAND [ARG...]   # a shell function or a program
#   run_jobs LIMIT                    # runs the queue, then empties it
#
# Each job is a process group of its own (job control is switched on), so an
# interrupt (Ctrl-C, SIGTERM) of the script is passed on as SIGINT to every
# job still running, by its PID: pytest then tears its fixtures down and
# stops the servers it started, as on a Ctrl-C in the foreground.

queued_names=()
queued_commands=()

queue_job() {
  local name=$1
  shift
  queued_names+=("$name")
  queued_commands+=("$(printf '%q ' "$@")")
}

running_pids=()
jobs_logs=""
jobs_printed=0
jobs_started=0

# Prints, in queue order, the logs not printed yet of the jobs started so
# far, up to the first still running (all of them with `all`).
print_logs() {
  while [ "$jobs_printed" -lt "$jobs_started" ]; do
    if [ "${1:-}" != all ] && [ -n "${running_pids[jobs_printed]}" ]; then
      break
    fi
    cat "$jobs_logs/$jobs_printed.log"
    jobs_printed=$((jobs_printed + 1))
  done
}

interrupt_jobs() {
  local pid
  for pid in "${running_pids[@]}"; do
    if [ -n "$pid" ]; then
      kill -INT -- "-$pid" 2>/dev/null || true
    fi
  done
  for pid in "${running_pids[@]}"; do
    if [ -n "$pid" ]; then
      wait "$pid" 2>/dev/null || true
    fi
  done
  print_logs all
  rm -rf "$jobs_logs"
  echo "error: interrupted" >&2
  exit 130
}

run_jobs() {
  local limit=$1
  local count=${#queued_names[@]} running=0 i rc
  local -a failed=()
  jobs_logs=$(mktemp -d)
  jobs_printed=0
  jobs_started=0
  running_pids=()
  set -m
  trap interrupt_jobs INT TERM
  while [ "$jobs_printed" -lt "$count" ]; do
    while [ "$jobs_started" -lt "$count" ] && [ "$running" -lt "$limit" ] && [ ${#failed[@]} -eq 0 ]; do
      eval "${queued_commands[$jobs_started]}" >"$jobs_logs/$jobs_started.log" 2>&1 </dev/null &
      running_pids[jobs_started]=$!
      running=$((running + 1))
      jobs_started=$((jobs_started + 1))
    done
    for ((i = 0; i < jobs_started; i++)); do
      if [ -n "${running_pids[i]}" ] && ! kill -0 "${running_pids[i]}" 2>/dev/null; then
        rc=0
        wait "${running_pids[i]}" || rc=$?
        running_pids[i]=""
        running=$((running - 1))
        if [ "$rc" -ne 0 ]; then
          failed+=("${queued_names[i]} (exit $rc)")
        fi
      fi
    done
    print_logs
    # After a failure no job starts: the loop ends once those running have.
    if [ ${#failed[@]} -gt 0 ] && [ "$running" -eq 0 ]; then
      break
    fi
    if [ "$jobs_printed" -lt "$count" ]; then
      sleep 0.2
    fi
  done
  trap - INT TERM
  set +m
  rm -rf "$jobs_logs"
  if [ ${#failed[@]} -gt 0 ]; then
    printf 'error: failed: %s\n' "${failed[@]}" >&2
    for ((i = jobs_started; i < count; i++)); do
      printf 'error: not run, after the failure: %s\n' "${queued_names[i]}" >&2
    done
  fi
  queued_names=()
  queued_commands=()
  [ ${#failed[@]} -eq 0 ]
}
