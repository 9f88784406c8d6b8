#!/usr/bin/env bash
# The main job on embedded storage: sets up and builds, starts dibao-server on
# loopback with its RocksDB data under ./var and the sample policy, loads the
# sample district and its agencies' nightly files through dibaoctl, runs the
# matching cycle, and prints the top of the review queue with its evidence,
# the statistics tables, the recommendations (after a demonstration
# caseworker confirms the top household's flags; DIBAO_DEMO_DECISIONS=0
# skips that), a posting list and the audit check. The server keeps running
# so you can try dibaoctl and the web console against it; the last lines say
# how, with the console's address and a demo caseworker's password.
#
# Every call is proven as production proves it: deploy/certs.sh mints a
# demonstration CA and a certificate per principal of
# deploy/principals.textproto into $DIBAO_VAR/pki, the server requires them
# on its TLS listener, and each step below runs as the principal whose role
# it is (agencies push, the operator runs the cycle on the local socket,
# the community worker confirms and evaluates, the street reviewer reviews,
# the district approver approves).
#
# Environment: DIBAO_VAR (default ./var), DIBAO_LISTEN (127.0.0.1:50051),
# DIBAO_CONSOLE (the console, 127.0.0.1:8080; "off": none), DIBAO_SEED
# (sample seed, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/setup.sh --binaries

var=${DIBAO_VAR:-./var}
listen=${DIBAO_LISTEN:-127.0.0.1:50051}
seed=${DIBAO_SEED:-1}
console=${DIBAO_CONSOLE:-127.0.0.1:8080}
users=$var/console-users.textproto
demo_password_file=$var/console-demo-password.txt
pidfile=$var/dibao-server.pid
log=$var/log/dibao-server.log
pki=$var/pki
socket=$var/dibao.sock
mkdir -p "$var/log"
./deploy/certs.sh "$pki" >/dev/null
# as ID dibaoctl-args...: dibaoctl as principal ID, proven by its
# certificate.
as() {
  local id=$1
  shift
  build/cli/dibaoctl --server="$listen" --cert="$pki/$id.crt" --key="$pki/$id.key" \
    --ca="$pki/ca.crt" "$@"
}
# The district approver reads the registry, the queue and the reports; the
# operator works on the local socket (its file permissions are the proof).
ctl=(as head-01)
op=(build/cli/dibaoctl --server="unix:$socket")

# A server left running by an earlier run is stopped first (gracefully).
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "run: stopping the dibao-server of an earlier run (pid $(cat "$pidfile"))"
  kill -TERM "$(cat "$pidfile")"
  for _ in $(seq 1 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
fi

# The console's first user, "demo", with a random password kept in
# $demo_password_file (readable by you only). Real users: dibaoctl user add.
if [ ! -f "$users" ]; then
  (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$demo_password_file")
  build/cli/dibaoctl user add --users="$users" --id=demo --name=演示核查员 \
    < "$demo_password_file" > /dev/null
fi

# Encryption at rest, as production runs it: a random key beside, not
# inside, the data directory (DIBAO_VAR/keys/data.key, 0600), made with the
# directory. A directory an earlier run made without one stays plain.
key=$var/keys/data.key
encryption=()
if [ -f "$key" ] || [ ! -e "$var/data/CURRENT" ]; then
  if [ ! -f "$key" ]; then
    mkdir -p "$var/keys" && chmod 700 "$var/keys"
    (umask 077; openssl rand -hex 32 > "$key")
  fi
  encryption=(--encryption_key_file="$key")
else
  echo "run: $var/data was made without encryption; it stays plain (remove $var to start encrypted)"
fi

build/services/dibao-server --listen="$listen" --data_dir="$var/data" "${encryption[@]}" \
  --tls_cert="$pki/server.crt" --tls_key="$pki/server.key" --tls_ca="$pki/ca.crt" \
  --principals=deploy/principals.textproto \
  --local_socket="$socket" --local_socket_principal=operator-01 \
  --policy=deploy/policy.textproto --console_listen="$console" \
  --console_users="$users" >>"$log" 2>&1 &
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
echo "run: dibao-server $(grep ' I dibao-server listening' "$log" | tail -1 | sed 's/^.* I dibao-server //')"

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
  DIBAO_CERTS="$pki" ./deploy/push-drop.sh || echo "run: some files were refused; see $var/drop/failed/"
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
"${op[@]}" cycle run --as-of="$as_of"

echo
echo "run: the review queue, highest priority first (dibaoctl review list):"
"${ctl[@]}" review list --limit=10
top=$("${ctl[@]}" review list --limit=1 --format=csv | awk -F, 'NR == 2 {print $2}')
if [ -n "$top" ]; then
  echo
  echo "run: the top case with its evidence (dibaoctl review show $top):"
  "${ctl[@]}" review show "$top"
fi

echo
echo "run: the statistics, the report's Table 1 and Table 2 (dibaoctl report stats):"
"${ctl[@]}" report stats --as-of="$as_of"

# A demonstration on the sample only: community worker cw-chunxiao (评)
# confirms the open flags of the top household of her community, and
# proposes what follows from them, so that a recommendation can be shown.
# On real data every decision is a person's (dibaoctl review decide).
cw=cw-chunxiao
# Her queue is her community's: the server narrows it to her jurisdiction.
cw_household=$(as $cw review list --limit=1 --format=csv | awk -F, 'NR == 2 {print $6}')
if [ -n "$cw_household" ] && [ "${DIBAO_DEMO_DECISIONS:-1}" = 1 ]; then
  echo
  echo "run: DEMONSTRATION: $cw confirms the open flags of $cw_household"
  for id in $(as $cw flags list --household="$cw_household" --state=open --format=csv | awk -F, 'NR > 1 {print $1}'); do
    as $cw review decide "$id" --decision=confirm --note="sample run: demonstration decision"
  done
fi
echo
echo "run: $cw proposes from the confirmed flags (dibaoctl recommendations generate, list):"
as $cw recommendations generate --as-of="$as_of"
"${ctl[@]}" recommendations list --state=proposed --format=csv > "$var/recommendations.csv"
"${ctl[@]}" recommendations list --state=proposed
first_rec=$(awk -F, 'NR == 2 {print $1}' "$var/recommendations.csv")
if [ -n "$first_rec" ] && [ "${DIBAO_DEMO_DECISIONS:-1}" = 1 ]; then
  # 一评两审: the community evaluates, the street reviews, the district
  # approves (left to you: the command is printed at the end); each stage
  # by its own principal, each result on that stage's posting list (三榜).
  echo
  echo "run: DEMONSTRATION: $cw evaluates $first_rec (评), street-shengli reviews it (审):"
  as $cw recommendations evaluate "$first_rec" --note="sample run: demonstration evaluation" | sed -n 1p
  as street-shengli recommendations review "$first_rec" --note="sample run: demonstration review" | sed -n 1p
  echo "run: the street review's posting list (dibaoctl report posting --stage=review):"
  as street-shengli report posting --stage=review
fi

# The top of her queue after the demonstration, for the commands printed
# last.
cw_top=$(as $cw review list --limit=1 --format=csv | awk -F, 'NR == 2 {print $2}')
cw_top_household=$(as $cw review list --limit=1 --format=csv | awk -F, 'NR == 2 {print $6}')

community=$("${ctl[@]}" registry list --status=active --format=csv | awk -F, 'NR == 2 {print $2 "," $3 "," $4}')
IFS=, read -r p_district p_street p_community <<<"$community"
echo
echo "run: the public posting list of $p_street $p_community (dibaoctl report posting), first lines:"
"${ctl[@]}" report posting --district="$p_district" --street="$p_street" --community="$p_community" | head -8

echo
echo "run: the audit trail (dibaoctl audit verify):"
"${ctl[@]}" audit verify

echo
server_flag=""
[ "$listen" = 127.0.0.1:50051 ] || server_flag=" --server=$listen"
echo "dibao-server is still running on $listen (pid $(cat "$pidfile")), data in $var/data${encryption:+ (encrypted at rest, key $key)}, log in $log."
if [ "$console" != off ]; then
  echo
  echo "The web console: http://$console/"
  if [ -f "$demo_password_file" ]; then
    echo "      sign in as demo, password $(cat "$demo_password_file")   (kept in $demo_password_file)"
  fi
  echo "      add caseworkers: build/cli/dibaoctl user add --users=$users --id=ID --name=NAME  (password on stdin; restart the server)"
  echo
fi
echo "Every call is proven by a certificate (in $pki, one per principal of deploy/principals.textproto)."
echo "A community worker's morning, as cw-chunxiao:"
echo "      export DIBAO_CA=$pki/ca.crt DIBAO_CERT=$pki/cw-chunxiao.crt DIBAO_KEY=$pki/cw-chunxiao.key"
echo "      build/cli/dibaoctl$server_flag whoami"
echo "      build/cli/dibaoctl$server_flag review list      (春晓社区 only: her jurisdiction)"
if [ -n "$cw_top" ]; then
  echo "      build/cli/dibaoctl$server_flag review claim $cw_top"
  echo "      build/cli/dibaoctl$server_flag review decide $cw_top --decision=dismiss --reason=PARTNER_DATA_WRONG --note='...'"
  echo "      build/cli/dibaoctl$server_flag review decide $cw_top --decision=needs-visit --note='...'   (then: review visit $cw_top --result=confirm --note='...')"
  echo "      build/cli/dibaoctl$server_flag audit log --household=$cw_top_household"
  echo "      build/cli/dibaoctl$server_flag report cliff --household=$cw_top_household --wage=300"
fi
echo "The district approver, head-01 (DIBAO_CERT=$pki/head-01.crt DIBAO_KEY=$pki/head-01.key):"
[ -z "$first_rec" ] || echo "      build/cli/dibaoctl$server_flag recommendations approve $first_rec --note='...'   (the third stage: evaluated by $cw, reviewed by street-shengli)"
[ -z "$first_rec" ] || echo "      build/cli/dibaoctl$server_flag report posting --stage=approval   (三榜: the approval's posting list)"
echo "      build/cli/dibaoctl$server_flag spot-check draw --fraction=0.05 --seed=2026 --stratify=street"
echo "      build/cli/dibaoctl$server_flag report forecast --as-of=$as_of"
echo "      build/cli/dibaoctl$server_flag registry get $first"
echo "      build/cli/dibaoctl$server_flag person show $(sed -n 2p "$var/sample/planted.csv" | cut -d, -f2)"
echo "      build/cli/dibaoctl$server_flag check --households=$var/sample/households.csv --members=$var/sample/members.csv --as-of=$as_of   (intake check)"
echo "The operator, on the server's own machine: build/cli/dibaoctl --server=unix:$socket cycle list"
echo "      build/cli/dibaoctl --help"
echo "Stop: kill $(cat "$pidfile")"
