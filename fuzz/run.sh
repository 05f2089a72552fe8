#!/usr/bin/env bash
# Run the fuzz targets: every saved regression input once, then each target for
# SECONDS on its corpus.  Exits non-zero if anything crashed.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 seconds, all targets
#   fuzz/run.sh 20                        CI-sized: about 1.5 minutes on 2 cores
#   fuzz/run.sh 3600 ajp_reply            one target for an hour
#   fuzz/run.sh 0                         regressions and seeds only (no fuzzing)
#
# Each target reads the committed seeds in fuzz/corpus/<target>/ and keeps what
# it discovers in fuzz/out/corpus/<target>/ (not committed), so longer runs
# build on earlier ones.  Crashing inputs land in fuzz/out/artifacts/<target>/;
# copy one to fuzz/regressions/<target>/ to have every later run try it.
#
# Environment:
#   JK_FUZZ_JOBS    targets run at the same time (default: the number of CPUs)
#   JK_FUZZ_ARGS    extra libFuzzer flags, e.g. "-use_value_profile=1"
#   JK_FUZZ_NO_BUILD=1  use fuzz/out/ as it is
#   JK_FUZZ_IGNORE  open findings whose checks the fuzzing skips, comma-separated
#                   (ajp-nul-string, ajp-header-name-length,
#                   props-long-line-nul, props-moved-items): to look past a
#                   known bug; regressions are still run in full
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/out"
ALL_TARGETS=(ajp_reply props uri_map session request)

# Longest input per target: room for a whole 8 KB packet or properties line and more.
max_len() {
    case "$1" in
        ajp_reply) echo 10000 ;;
        props) echo 12000 ;;
        request) echo 12000 ;;
        *) echo 4096 ;;
    esac
}

SECONDS_EACH=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
    SECONDS_EACH=$1
    shift
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [ -f "$HERE/fuzz_$t.c" ] || { echo "fuzz/run.sh: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done
JOBS=${JK_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
# shellcheck disable=SC2206
EXTRA_ARGS=(${JK_FUZZ_ARGS:-})

if [ "${JK_FUZZ_NO_BUILD:-0}" != 1 ]; then
    "$HERE/build.sh" "${TARGETS[@]}" || exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$OUT/logs"
failed=0

# --- saved crashes, each once ---------------------------------------------------
for t in "${TARGETS[@]}"; do
    dir="$HERE/regressions/$t"
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        case "$f" in *.md|*.txt) continue ;; esac
        log="$OUT/logs/$t.regression.$(basename "$f").log"
        # Saved crashes are always checked in full, whatever JK_FUZZ_IGNORE says.
        if env -u JK_FUZZ_IGNORE "$OUT/fuzz_$t" -runs=1 "$f" >"$log" 2>&1; then
            echo "regression $t/$(basename "$f"): ok"
        else
            echo "regression $t/$(basename "$f"): CRASH (log: ${log#"$HERE"/})"
            grep -a -m1 -E "ERROR: |fuzz check failed|runtime error" "$log" | sed 's/^/    /'
            failed=1
        fi
    done
done

# --- fuzzing ----------------------------------------------------------------------
run_target() { # target
    local t=$1 bin="$OUT/fuzz_$1" corpus="$OUT/corpus/$1" art="$OUT/artifacts/$1"
    local -a time_args=(-max_total_time="$SECONDS_EACH")
    local -a dict=()
    mkdir -p "$corpus" "$art"
    [ -f "$HERE/dict/$t.dict" ] && dict=(-dict="$HERE/dict/$t.dict")
    # 0 seconds: run the corpus once and stop.
    [ "$SECONDS_EACH" -eq 0 ] && time_args=(-runs=0)
    "$bin" "${time_args[@]}" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "${EXTRA_ARGS[@]}" \
        "$corpus" "$HERE/corpus/$t" >"$OUT/logs/$t.log" 2>&1
    echo $? >"$OUT/logs/$t.rc"
}

pids=()
# shellcheck disable=SC2317  # called from the trap
stop_children() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    exit 130
}
trap stop_children INT TERM

echo "fuzzing ${TARGETS[*]} for ${SECONDS_EACH}s each, $JOBS at a time"
running=0
for t in "${TARGETS[@]}"; do
    rm -f "$OUT/logs/$t.rc"
    run_target "$t" &
    pids+=($!)
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

# --- summary ----------------------------------------------------------------------
printf '\n%-10s %-7s %10s %9s %7s %7s %8s\n' target result execs exec/s cov ft corpus
for t in "${TARGETS[@]}"; do
    log="$OUT/logs/$t.log"
    rc=$(cat "$OUT/logs/$t.rc" 2>/dev/null || echo "?")
    last=$(grep -a -E 'cov: [0-9]+' "$log" | tail -n 1)
    cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.*corp: ([0-9]+)\/.*/\1/p' <<<"$last")
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log")
    result=ok
    [ "$rc" = 0 ] || { result=CRASH; failed=1; }
    printf '%-10s %-7s %10s %9s %7s %7s %8s\n' "$t" "$result" "${execs:--}" "${rate:--}" \
        "${cov:--}" "${ft:--}" "${corp:--}"
done
for t in "${TARGETS[@]}"; do
    rc=$(cat "$OUT/logs/$t.rc" 2>/dev/null || echo "?")
    [ "$rc" = 0 ] && continue
    echo
    echo "== $t crashed (exit $rc); log: fuzz/out/logs/$t.log"
    grep -a -m1 -E "ERROR: |fuzz check failed|runtime error" "$OUT/logs/$t.log" | sed 's/^/   /'
    grep -a -A1 -m1 -E "^==[0-9]+==ERROR|fuzz check failed" "$OUT/logs/$t.log" | tail -n 1 | sed 's/^/   /'
    grep -a -E "^artifact_prefix=|Test unit written to" "$OUT/logs/$t.log" | sed 's/^/   /'
    echo "   keep it: cp <that file> fuzz/regressions/$t/"
done
exit "$failed"
