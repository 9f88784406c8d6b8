#!/usr/bin/env bash
# The main job on embedded storage: sets up and builds, starts dibao-server on
# loopback with its RocksDB data under ./var and the sample policy, loads the
# sample district and its agencies' nightly files through dibaoctl, runs the
# matching cycle and prints the flags with their evidence. The server keeps running so you
# can try dibaoctl against it; the last lines say how to stop it.
#
# Environment: DIBAO_VAR (default ./var), DIBAO_LISTEN (127.0.0.1:50051),
# DIBAO_SEED (sample seed, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/setup.sh --binaries

var=${DIBAO_VAR:-./var}
listen=${DIBAO_LISTEN:-127.0.0.1:50051}
seed=${DIBAO_SEED:-1}
pidfile=$var/dibao-server.pid
log=$var/log/dibao-server.log
mkdir -p "$var/log"
ctl=(build/cli/dibaoctl --server="$listen" --caseworker="${DIBAO_CASEWORKER:-run-script}")

# A server left running by an earlier run is stopped first (gracefully).
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "run: stopping the dibao-server of an earlier run (pid $(cat "$pidfile"))"
  kill -TERM "$(cat "$pidfile")"
  for _ in $(seq 1 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
fi

build/services/dibao-server --listen="$listen" --data_dir="$var/data" \
  --policy=deploy/policy.textproto >>"$log" 2>&1 &
echo $! > "$pidfile"
for _ in $(seq 1 150); do
  if "${ctl[@]}" --deadline=1s health >/dev/null 2>&1; then break; fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "run: dibao-server did not start:" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "run: dibao-server $(tail -1 "$log" | sed 's/^.* I dibao-server //')"

echo
echo "run: generating the sample district (seed $seed)"
"${ctl[@]}" sample generate --seed="$seed" --out="$var/sample"

echo
echo "run: importing it through dibaoctl"
"${ctl[@]}" registry import --households="$var/sample/households.csv" \
  --members="$var/sample/members.csv"

echo
echo "run: pushing the five agencies' nightly files for it (deploy/push-drop.sh)"
# A fresh drop directory each run: the same month's files are the same
# batches, so a second run replays them and changes nothing.
rm -rf "$var/drop"
cp -r "$var/sample/feeds" "$var/drop"
DIBAO_DROP="$var/drop" DIBAO_SERVER="$listen" DIBAO_CTL=build/cli/dibaoctl \
  ./deploy/push-drop.sh || echo "run: some files were refused; see $var/drop/failed/"
echo
echo "run: the receipts (dibaoctl feed batches):"
"${ctl[@]}" feed batches --limit=13
first_receipt=$(ls "$var"/drop/done/labour/employment/*/*.receipt.txt | head -1)
echo
echo "run: one receipt in full, with the records the labour bureau must fix:"
cat "$first_receipt"

echo
echo "run: the registry now holds (first 5 households):"
"${ctl[@]}" registry list --status=active > "$var/registry-list.txt"
head -6 "$var/registry-list.txt"
echo "..."
tail -1 "$var/registry-list.txt"
first=$(sed -n 2p "$var/registry-list.txt" | awk '{print $1}')

# The night the sample files describe (their drop directory's day).
as_of=$(ls "$var/sample/feeds/labour/employment")
echo
echo "run: the matching cycle for $as_of (dibaoctl cycle run):"
"${ctl[@]}" cycle run --as-of="$as_of"

echo
echo "run: the open flags, per rule (dibaoctl flags list --state=open):"
"${ctl[@]}" flags list --state=open
# The same as CSV for the script to pick from (columns 1-4: flag_id,
# household_id, id_number, rule).
"${ctl[@]}" flags list --state=open --format=csv > "$var/flags.csv"
echo
echo "run: the evidence of the first flag of each rule (dibaoctl flags show):"
for rule in $(awk -F, 'NR > 1 {print $4}' "$var/flags.csv" | sort -u); do
  id=$(awk -F, -v r="$rule" 'NR > 1 && $4 == r {print $1; exit}' "$var/flags.csv")
  echo
  "${ctl[@]}" flags show "$id"
done
exit_household=$(awk -F, 'NR > 1 && $4 == "HOUSEHOLD_INCOME_ABOVE_STANDARD" {print $2; exit}' "$var/flags.csv")
if [ -n "$exit_household" ]; then
  echo
  echo "run: why $exit_household is an exit candidate (dibaoctl assessment show):"
  "${ctl[@]}" assessment show "$exit_household"
fi

echo
server_flag=""
[ "$listen" = 127.0.0.1:50051 ] || server_flag=" --server=$listen"
echo "dibao-server is still running on $listen (pid $(cat "$pidfile")), data in $var/data, log in $log."
echo "Try:  build/cli/dibaoctl$server_flag registry get $first"
echo "      build/cli/dibaoctl$server_flag registry list --district=420102 --format=csv"
echo "      build/cli/dibaoctl id check 420102900307451"
employment_batch=$(basename "$first_receipt" .snapshot.csv.receipt.txt)
echo "      build/cli/dibaoctl$server_flag feed rejects $employment_batch"
echo "      build/cli/dibaoctl$server_flag person show $(sed -n 2p "$var/sample/planted.csv" | cut -d, -f2)"
echo "      build/cli/dibaoctl$server_flag flags list --rule=UNDECLARED_EMPLOYMENT --format=csv"
echo "      build/cli/dibaoctl$server_flag cycle list"
echo "      build/cli/dibaoctl$server_flag check --household=$var/sample/households.csv --members=$var/sample/members.csv --as-of=$as_of   (intake check)"
echo "Stop: kill $(cat "$pidfile")"
