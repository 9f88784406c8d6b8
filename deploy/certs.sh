#!/usr/bin/env bash
# Mints a throwaway certificate authority, the server's certificate and one
# client certificate per principal, with openssl: what deploy/run.sh and the
# tests use, so the demonstration runs exactly as production does. Not for
# production: a bureau's CA lives offline and its keys never sit beside the
# server (docs/access.md says how to mint, rotate and revoke there).
#
#   deploy/certs.sh DIR [PRINCIPAL_ID...]
#
# Without principal IDs it mints one for every `id:` of the principals file
# ($DIBAO_PRINCIPALS, default deploy/principals.textproto). Writes, in DIR:
#   ca.crt ca.key                 the CA (ca.key signs everything below)
#   server.crt server.key         the server: CN dibao-server, SANs localhost,
#                                 127.0.0.1, ::1, this host's name and
#                                 $DIBAO_SERVER_NAMES (space-separated DNS names)
#   <id>.crt <id>.key             a client: CN <id>, the principal's id
# Idempotent: what exists is kept, so a second run mints only new principals.
# Keys are 0600 and DIR is 0700. EC P-256 keys; certificates valid
# $DIBAO_CERT_DAYS days (default 365).
set -euo pipefail

dir=${1:?usage: deploy/certs.sh DIR [PRINCIPAL_ID...]}
shift
principals_file=${DIBAO_PRINCIPALS:-$(dirname "$0")/principals.textproto}
days=${DIBAO_CERT_DAYS:-365}
command -v openssl >/dev/null || { echo "certs: openssl is missing (apt-get install openssl)" >&2; exit 1; }

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

if [ $# -eq 0 ]; then
  mapfile -t ids < <(sed 's/#.*//' "$principals_file" |
    grep -oE '(^|[{[:space:]])id:[[:space:]]*"[^"]*"' | sed 's/.*"\(.*\)"/\1/')
  set -- "${ids[@]}"
fi

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

if [ ! -f "$dir/ca.crt" ]; then
  key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$((days * 2))" \
    -subj "/O=dibao-audit demonstration/CN=dibao-audit demo CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt" 2>/dev/null
  chmod 644 "$dir/ca.crt"
  echo "certs: minted the demonstration CA in $dir/ca.crt"
fi

# issue NAME CN EXTENSIONS: a key and a certificate signed by the CA.
issue() {
  local name=$1 cn=$2 ext=$3
  [ -f "$dir/$name.crt" ] && return 0
  key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/O=dibao-audit demonstration/CN=$cn" \
    -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days "$days" -sha256 -extfile "$dir/$name.ext" \
    -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
  chmod 644 "$dir/$name.crt"
}

sans="DNS:localhost,IP:127.0.0.1,IP:::1"
host=$(hostname 2>/dev/null || true)
[ -z "$host" ] || [ "$host" = localhost ] || sans="$sans,DNS:$host"
for extra in ${DIBAO_SERVER_NAMES:-}; do sans="$sans,DNS:$extra"; done
issue server dibao-server "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$sans"

minted=0
for id in "$@"; do
  if ! [[ $id =~ ^[A-Za-z0-9._@-]{1,64}$ ]]; then
    echo "certs: \"$id\" is not a principal ID (1-64 of A-Z a-z 0-9 - _ . @)" >&2
    exit 1
  fi
  [ -f "$dir/$id.crt" ] && continue
  issue "$id" "$id" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  minted=$((minted + 1))
done
echo "certs: $minted client certificate(s) minted in $dir ($# principal(s) asked for)"
