#!/usr/bin/env bash
# deploy/nightly.sh against a real dibao-server: files are pushed, moved to
# done/ with receipts or failed/ with errors, a second run changes nothing,
# the matching cycle runs after them, and a cycle that cannot run fails the
# job loudly.
set -uo pipefail
src=$1 bin=$2
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# As deployed: TLS for the agencies' pushes (with the test certificates),
# the local socket for the operator's cycle.
pki=$bin/tests/pki
secure=(--tls_cert="$pki/server.crt" --tls_key="$pki/server.key" --tls_ca="$pki/ca.crt"
        --principals="$src/tests/testing/principals.textproto"
        --local_socket="$work/grpc.sock" --local_socket_principal=night-operator)
"$bin/services/dibao-server" --listen=127.0.0.1:0 --data_dir="$work/data" \
  "${secure[@]}" --policy="$src/deploy/policy.textproto" 2>"$work/log" &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log")
[ -n "$port" ] || fail "server did not start"

drop=$work/drop
mkdir -p "$drop/labour/employment/2026-11-25" "$drop/public_security/hukou/2026-11-25"
printf 'id_number,name,employer_code,start_date,monthly_wage_fen\n420102199003074513,张三,E1,2026-03-01,350000\n' \
  > "$drop/labour/employment/2026-11-25/LAB-1.csv"
printf 'id_number,name,sex,birth_date,address_code,status\n420102199003074513,张三,M,1990-03-07,420102,NORMAL\n' \
  > "$drop/public_security/hukou/2026-11-25/PS-1.snapshot.csv"
printf 'id_number,name,colour\n' > "$drop/public_security/hukou/2026-11-25/BAD.csv"

export DIBAO_DROP=$drop DIBAO_SERVER=127.0.0.1:$port DIBAO_CTL=$bin/cli/dibaoctl
export DIBAO_CERTS=$pki DIBAO_LOCAL_SOCKET=$work/grpc.sock
export DIBAO_AS_OF=2026-11-25
out=$("$src/deploy/nightly.sh" 2>&1); status=$?
echo "$out"
[ $status != 0 ] || fail "a refused file must fail the job"
grep -q "2 file(s) pushed, 1 failed" <<<"$out" || fail "wrong counts"
grep -q "cycle 1 as of 2026-11-25" <<<"$out" || fail "the cycle did not run"
[ -f "$drop/done/labour/employment/2026-11-25/LAB-1.csv.receipt.txt" ] || fail "no receipt"
grep -q "SNAPSHOT" "$drop/done/public_security/hukou/2026-11-25/PS-1.snapshot.csv.receipt.txt" || fail "not a snapshot"
grep -q "unknown column 'colour'" "$drop/failed/public_security/hukou/2026-11-25/BAD.csv.error.txt" || fail "no error file"

# Pushing the same file again (a crash before the move) changes nothing;
# a snapshot whose only line cannot be read is refused whole (to failed/,
# the job fails) and ends no fact.
cp "$drop/done/labour/employment/2026-11-25/LAB-1.csv" "$drop/labour/employment/2026-11-25/"
printf 'id_number,name,sex,birth_date,address_code,status
420102199003074513,\xff\xfe,M,1990-03-07,420102,NORMAL
' \
  > "$drop/public_security/hukou/2026-11-25/PS-2.snapshot.csv"
out=$("$src/deploy/nightly.sh" 2>&1); status=$?
[ $status != 0 ] || fail "a refused snapshot must fail the job"
grep -q "1 file(s) pushed, 1 failed" <<<"$out" || fail "replay: $out"
grep -q "1 of its 1 records were rejected" "$drop/failed/public_security/hukou/2026-11-25/PS-2.snapshot.csv.error.txt" \
  || fail "no reason for the refused snapshot"
grep -q "could not be read" "$drop/failed/public_security/hukou/2026-11-25/PS-2.snapshot.csv.error.txt" \
  || fail "the unreadable line is not named"
"$bin/cli/dibaoctl" --server="127.0.0.1:$port" --cert="$pki/auditor-1.crt" --key="$pki/auditor-1.key" --ca="$pki/ca.crt" \
  person show 420102199003074513 | grep -q "hukou.*current" \
  || fail "the refused snapshot ended a fact"
"$bin/cli/dibaoctl" --server="unix:$work/grpc.sock" feed batches --format=csv | grep -c "LAB-1" | grep -q "^1$" \
  || fail "replay created a second batch"
# The second night's cycle is the second one.
grep -q "cycle 2 as of 2026-11-25" <<<"$out" || fail "no second cycle: $out"

# A server without a policy cannot run the cycle: the job says so and fails.
kill $server; wait $server 2>/dev/null
"$bin/services/dibao-server" --listen=127.0.0.1:$port --data_dir="$work/data" \
  "${secure[@]}" 2>"$work/log2" &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/log2" && break; sleep 0.1; done
out=$("$src/deploy/nightly.sh" 2>&1); status=$?
[ $status != 0 ] || fail "no policy: the job must fail"
grep -q "no policy is loaded" <<<"$out" || fail "no policy: $out"
grep -q "matching cycle for 2026-11-25 did not complete" <<<"$out" || fail "no loud cycle error: $out"
echo "nightly script: OK"
