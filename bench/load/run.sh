#!/usr/bin/env bash
# Load benchmark of a bayesd binary: ask/tell throughput and latency with N concurrent clients (wrk + ask_tell.lua),
# every completion durable (the daemon's default --sync full), and resident memory with 100 studies x 1,000 trials.
# Builds nothing.
#
#   bench/load/run.sh PATH/TO/bayesd [options]
#     --clients "1 4 16 64"   concurrent connections per run
#     --duration 10           seconds per wrk run
#     --repeats 3             runs per client count (medians are reported)
#     --wrk-threads 2         wrk threads (capped at the client count)
#     --studies 100 --trials 1000   memory phase size ("--studies 0" skips it)
#     --daemon-args "..."     extra `bayesd serve` arguments (e.g. "--threads 8")
#     --strategy sobol        strategy of the throughput studies (sobol, random)
#     --db-dir DIR            directory of the throughput run's database (default: a temp dir under /tmp). A tmpfs
#                             (/dev/shm) makes fsync free: the figures then show the CPU-bound ceiling of the
#                             daemon, separated from the disk's flush latency.
# Each row also shows the daemon's CPU time per round trip (utime + stime from /proc, all threads) and the load
# average at the end of the row: the machine is shared, so read throughput beside them.
# Targets: >= 2,000 round trips/s on 2 cores with p99 < 20 ms; < 200 MB resident.
set -euo pipefail

BIN=${1:?usage: run.sh PATH/TO/bayesd [--clients LIST] [--duration S] [--repeats R] ...}
shift
CLIENTS="1 4 16 64"; DURATION=10; DB_DIR=""; REPEATS=3; WRK_THREADS=2; STUDIES=100; TRIALS=1000; DAEMON_ARGS=""; STRATEGY=sobol
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2;;
    --duration) DURATION=$2; shift 2;;
    --repeats) REPEATS=$2; shift 2;;
    --wrk-threads) WRK_THREADS=$2; shift 2;;
    --studies) STUDIES=$2; shift 2;;
    --trials) TRIALS=$2; shift 2;;
    --daemon-args) DAEMON_ARGS=$2; shift 2;;
    --strategy) STRATEGY=$2; shift 2;;
    --db-dir) DB_DIR=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
[[ -x $BIN ]] || { echo "not executable: $BIN" >&2; exit 2; }

TMP=$(mktemp -d /tmp/bayesd-load.XXXXXX)
LOAD_DB_DIR=$TMP
[[ -n $DB_DIR ]] && LOAD_DB_DIR=$(mktemp -d "$DB_DIR/bayesd-load.XXXXXX")
PID=""
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$TMP"
  [[ $LOAD_DB_DIR != "$TMP" ]] && rm -rf "$LOAD_DB_DIR"
  return 0
}
trap cleanup EXIT

start_daemon() {  # start_daemon DB [extra serve args]
  rm -f "$TMP/port"
  local db=$1; shift
  # shellcheck disable=SC2086
  "$BIN" serve --db "$db" --host 127.0.0.1 --port 0 --port-file "$TMP/port" $DAEMON_ARGS "$@" >>"$TMP/daemon.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    [[ -s $TMP/port ]] && break
    kill -0 "$PID" 2>/dev/null || { echo "daemon died:" >&2; tail -20 "$TMP/daemon.log" >&2; exit 1; }
    sleep 0.05
  done
  PORT=$(cat "$TMP/port")
  URL="http://127.0.0.1:$PORT"
  curl -sf "$URL/healthz" >/dev/null || { sleep 0.5; curl -sf "$URL/healthz" >/dev/null; }
}
stop_daemon() { kill -TERM "$PID"; wait "$PID" || true; PID=""; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }  # utime + stime of the daemon, clock ticks
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

echo "bayesd load benchmark: $BIN"
echo "host: $(nproc) cores, $(uname -r); wrk $WRK_THREADS threads, ${DURATION}s x $REPEATS runs per row; strategy $STRATEGY; daemon args: ${DAEMON_ARGS:-(none: --sync full)}; database in $LOAD_DB_DIR"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$LOAD_DB_DIR" <<'PYEOF'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync.probe")  # on the throughput database's filesystem
fd = os.open(path, os.O_WRONLY | os.O_CREAT)
ts = []
for _ in range(50):
    os.write(fd, b"x" * 512)
    t = time.perf_counter(); os.fsync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(path); ts.sort()
print(f"disk: fsync p50 {ts[25] * 1e3:.2f} ms, p90 {ts[45] * 1e3:.2f} ms (a durable commit costs at least one)")
PYEOF
start_daemon "$LOAD_DB_DIR/load.db"

printf "\n%-8s %14s %12s %10s %10s %10s %8s %12s %6s\n" clients "roundtrips/s" "requests/s" "p50 ms" "p90 ms" "p99 ms" \
  errors "cpu ms/rt" load
for n in $CLIENTS; do
  t=$(( n < WRK_THREADS ? n : WRK_THREADS ))
  : >"$TMP/rows"
  for r in $(seq 1 "$REPEATS"); do
    study="load-c$n-r$r"
    curl -sf -X POST "$URL/api/v1/studies" -H 'Content-Type: application/json' -d "{\"name\":\"$study\",
      \"parameters\":[{\"name\":\"x1\",\"type\":\"float\",\"low\":-5,\"high\":10},{\"name\":\"x2\",\"type\":\"float\",\"low\":0,\"high\":15}],
      \"objective\":{\"name\":\"y\",\"goal\":\"minimize\"},\"strategy\":{\"name\":\"$STRATEGY\"}}" >/dev/null
    c0=$(cpu_ticks)
    wrk -t"$t" -c"$n" -d"${DURATION}s" --timeout 10s -s "$HERE/ask_tell.lua" "$URL" -- "$study" >"$TMP/wrk.out" 2>&1 || true
    c1=$(cpu_ticks)
    line=$(grep '^RESULT' "$TMP/wrk.out" || true)
    [[ -n $line ]] || { echo "wrk failed:" >&2; cat "$TMP/wrk.out" >&2; exit 1; }
    grep '^FIRST_ERROR' "$TMP/wrk.out" >&2 || true
    completes=$(echo "$line" | field completes)
    cpu=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v c="$completes" 'BEGIN {printf "%.3f", (c > 0 ? t / hz * 1000 / c : 0)}')
    echo "$line cpu_ms_per_rt=$cpu" >>"$TMP/rows"
  done
  med() { field "$1" <"$TMP/rows" | median; }
  errs=$(( $(field errors <"$TMP/rows" | paste -sd+ | bc) + $(field socket_errors <"$TMP/rows" | paste -sd+ | bc) ))
  printf "%-8s %14.0f %12.0f %10.2f %10.2f %10.2f %8d %12.3f %6s\n" "$n" "$(med roundtrips_per_s)" \
    "$(med requests_per_s)" "$(med p50_ms)" "$(med p90_ms)" "$(med p99_ms)" "$errs" "$(med cpu_ms_per_rt)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
done
echo "(latency per HTTP request, suggest and complete alike; a round trip is one of each; medians of $REPEATS runs)"
echo "daemon RSS after the load runs: $(rss_mb) MB"
stop_daemon
# The writer logs its group-commit counters when it closes.
grep -o 'writes=[0-9]* failed=[0-9]* transactions=[0-9]* writes_per_transaction=[0-9.]* largest_group=[0-9]*' \
  "$TMP/daemon.log" | tail -1 | sed 's/^/group commit over all runs: /' || true

if [[ $STUDIES -gt 0 ]]; then
  echo
  # Memory does not depend on the sync level; --sync normal only makes filling 100k trials take minutes, not hours.
  start_daemon "$TMP/mem.db" --sync normal
  echo "memory: empty daemon: $(rss_mb) MB (filled with --sync normal)"
  PYTHONPATH="$HERE/../../clients/python" $PY "$HERE/populate.py" --url "$URL" --studies "$STUDIES" --trials "$TRIALS"
  echo "memory: $STUDIES studies x $TRIALS trials, after populating: $(rss_mb) MB"
  stop_daemon
  start_daemon "$TMP/mem.db"
  echo "memory: after a restart on that database (--sync full): $(rss_mb) MB"
  for k in 1 2 3; do
    PYTHONPATH="$HERE/../../clients/python" $PY "$HERE/populate.py" --url "$URL" --studies "$STUDIES" --trials "$TRIALS" \
      --touch >/dev/null
    echo "memory: after reading every study (all its trials) and one ask/tell each, pass $k: $(rss_mb) MB"
  done
  echo "database size: $(du -m "$TMP/mem.db"* | awk '{s+=$1} END {print s}') MB"
  stop_daemon
fi
