#!/usr/bin/env bash
# Pushes every agency file waiting in a drop directory, one batch per file;
# the first step of the nightly job (deploy/nightly.sh), also used by
# deploy/run.sh for the sample district's files.
#
# Drop-directory convention (one file per batch):
#   <drop>/<agency>/<kind>/<as_of YYYY-MM-DD>/<batch_id>.csv       a DELTA
#   <drop>/<agency>/<kind>/<as_of YYYY-MM-DD>/<batch_id>.snapshot.csv  a SNAPSHOT
# (.jsonl instead of .csv for JSON Lines.) A file whose batch was committed
# moves to <drop>/done/ with its receipt beside it (.receipt.txt); a file the
# server refused moves to <drop>/failed/ with the error (.error.txt). Pushing
# is exactly-once: a file pushed twice (say after a crash between the receipt
# and the move) returns its original receipt and changes nothing.
#
# Each file is pushed as its agency: with the certificate of principal
# agency-<agency> (agency-labour, agency-public_security, ...) from
# $DIBAO_CERTS, whose ca.crt the server's certificate chains to. Without
# DIBAO_CERTS, dibaoctl's own DIBAO_CERT/DIBAO_KEY/DIBAO_CA are used (one
# agency's drop directory), or --server=unix:PATH's local socket.
#
# Exit status 0 when every file was pushed, 1 when one failed.
# Environment: DIBAO_DROP (default /var/lib/dibao/drop), DIBAO_SERVER,
# DIBAO_CERTS, DIBAO_CTL (default: dibaoctl on PATH, else
# build/cli/dibaoctl).
set -uo pipefail

drop=${DIBAO_DROP:-/var/lib/dibao/drop}
ctl=${DIBAO_CTL:-$(command -v dibaoctl || echo "$(dirname "$0")/../build/cli/dibaoctl")}
pushed=0 failed=0

shopt -s nullglob
for file in "$drop"/*/*/*/*.csv "$drop"/*/*/*/*.jsonl; do
  rel=${file#"$drop"/}
  IFS=/ read -r agency kind as_of name <<<"$rel"
  case "$agency" in done|failed) continue ;; esac
  base=${name%.*}
  mode=()
  if [[ $base == *.snapshot ]]; then
    base=${base%.snapshot}
    mode=(--snapshot)
  fi
  dest_dir=$(dirname "$rel")
  as=()
  if [ -n "${DIBAO_CERTS:-}" ]; then
    as=(--cert="$DIBAO_CERTS/agency-$agency.crt" --key="$DIBAO_CERTS/agency-$agency.key"
        --ca="$DIBAO_CERTS/ca.crt")
  fi
  out=$("$ctl" "${as[@]}" feed push --agency "$agency" --kind "$kind" --batch-id "$base" \
          --as-of "$as_of" "${mode[@]}" "$file" 2>&1)
  status=$?
  # 0: committed; 3: committed with rejected records (listed in the receipt).
  if [ $status = 0 ] || [ $status = 3 ]; then
    mkdir -p "$drop/done/$dest_dir"
    mv "$file" "$drop/done/$rel"
    printf '%s\n' "$out" > "$drop/done/$rel.receipt.txt"
    pushed=$((pushed + 1))
    outcome=$(printf '%s\n' "$out" | sed -n 1p | sed 's/^.*): //')
    echo "nightly: $rel: $outcome; $(printf '%s\n' "$out" | sed -n 2p | sed 's/^ *//')"
  else
    mkdir -p "$drop/failed/$dest_dir"
    mv "$file" "$drop/failed/$rel"
    printf '%s\n' "$out" > "$drop/failed/$rel.error.txt"
    failed=$((failed + 1))
    echo "nightly: $rel FAILED: $out" >&2
  fi
done
echo "nightly: $pushed file(s) pushed, $failed failed"
[ $failed = 0 ]

