#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for a fixed time each, under
# AddressSanitizer and UBSan, starting from its seed corpus, and prints the
# executions per target. A crash (or a broken property) stops the run with a
# non-zero exit status and leaves the input in build-fuzz/crashes/<target>/;
# add it to tests/fuzz/corpus/<target>/ once fixed, and it is replayed by
# every test run from then on.
#
#   deploy/fuzz.sh [SECONDS_PER_TARGET]     (default 20; builds with
#                                            deploy/setup.sh --fuzz first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}

./deploy/setup.sh --fuzz
targets=(resident_id_fuzz text_input_fuzz feed_file_fuzz registry_file_fuzz
         upload_chunk_fuzz config_text_fuzz json_request_fuzz)
work=build-fuzz/work
rm -rf "$work"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "build-fuzz/crashes/$t"
  log="$work/$t.log"
  # New inputs go to the scratch corpus, never into the repository's seeds.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     TMPDIR="$work" \
     "build-fuzz/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/crashes/$t/" \
       "$work/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    corpus=$(find "$work/$t" -type f | wc -l)
    printf 'fuzz: %-20s %10s executions in %s s, 0 crashes, %s new inputs\n' \
      "$t" "$execs" "$seconds" "$corpus"
  else
    echo "fuzz: $t FAILED; its input is in build-fuzz/crashes/$t/:" >&2
    grep -m 30 -E 'ERROR|SUMMARY|failed|#[0-9]+ 0x' "$log" >&2 || tail -30 "$log" >&2
    status=1
  fi
done
exit $status
