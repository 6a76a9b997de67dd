#!/usr/bin/env bash
# Generates the test PKI into OUTDIR, once; or, with --bench, the benchmark's CA and leaf.
#
#   make-pki.sh OUTDIR                  the test PKI (tests/CMakeLists.txt, tests/support/)
#   make-pki.sh --bench LAST OUTDIR     the benchmark's (bench/harness/nginx.py), see below
#
# OUTDIR/ca.pem, ca.key           the test root CA (the one given to fetch with --cacert)
# OUTDIR/good.{pem,key}           leaf for DNS:localhost, IP:127.0.0.1, IP:::1, signed by the CA
# OUTDIR/expired.{pem,key}        same names, signed by the CA, valid only in January 2020
# OUTDIR/wrong-host.{pem,key}     SAN DNS:wrong.example only, signed by the CA
# OUTDIR/self-signed.{pem,key}    localhost/127.0.0.1/::1, signed by itself
# OUTDIR/untrusted.{pem,key}      localhost/127.0.0.1/::1, signed by ca2 (never given to fetch)
# OUTDIR/ca2.pem, ca2.key         the untrusted CA
# OUTDIR/not-yet-valid.{pem,key}  same names as good, signed by the CA, valid only from 2099
# OUTDIR/dns-only.{pem,key}       SAN DNS:localhost only (no IP entry), signed by the CA
# OUTDIR/intermediate.{pem,key}   an intermediate CA signed by the root CA
# OUTDIR/chain-leaf.{pem,key}     localhost/127.0.0.1/::1, signed by the intermediate (leaf only)
# OUTDIR/chain-full.pem           chain-leaf.pem followed by intermediate.pem (key: chain-leaf.key)
# OUTDIR/rsa1024.{pem,key}        localhost/127.0.0.1/::1, an RSA 1024-bit key, signed by the CA
# OUTDIR/sha1.{pem,key}           localhost/127.0.0.1/::1, signed by the CA with ecdsa-with-SHA1
# OUTDIR/no-cn.{pem,key}          localhost/127.0.0.1/::1 in the SAN, a subject without any CN
#
# With --bench LAST, instead of all of the above:
# OUTDIR/ca.pem, ca.key           a root CA for one benchmark run
# OUTDIR/bench.{pem,key}          leaf with CN=localhost for DNS:localhost, IP:::1 and
#                                 IP:127.0.0.1 ... IP:127.0.0.LAST (1 to 254), signed by the CA
#
# Idempotent: does nothing when OUTDIR/.done-v2 (with --bench: .done-bench-v1) exists (bump
# the version when the set of files changes: an older OUTDIR is then replaced). Everything is
# built in a temporary directory beside OUTDIR and renamed into place, so concurrent runs
# cannot leave a half written OUTDIR: the first rename wins and the others find the stamp.
# Keys are ECDSA P-256 (fast), except rsa1024's. Only `openssl` is used.
set -euo pipefail

usage() {
  echo "usage: $0 OUTDIR" >&2
  echo "       $0 --bench LAST OUTDIR" >&2
  exit 2
}
bench_last=  # with --bench: the leaf covers 127.0.0.1 ... 127.0.0.$bench_last
if [[ $# -eq 3 && $1 == --bench ]]; then
  bench_last=$2
  shift 2
  [[ $bench_last =~ ^[1-9][0-9]{0,2}$ ]] && ((bench_last <= 254)) || usage
fi
[[ $# -eq 1 && $1 != -* ]] || usage
out=$1
stamp=.done-v2  # also in tests/support/nginx_server.cpp
[[ -z $bench_last ]] || stamp=.done-bench-v1
[[ -e $out/$stamp ]] && exit 0

parent=$(dirname -- "$out")
mkdir -p -- "$parent"
work=$(mktemp -d "$parent/.pki.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
log=$work/openssl.log
# The config names the signing CA's directory through this variable; it must always be set.
export PKI_CA_DIR=$work

# One minimal config for `openssl req` and `openssl ca`, so the system openssl.cnf does not
# matter. `openssl ca` is used (rather than `x509 -req`) because it accepts explicit
# -startdate/-enddate, which the expired leaf needs.
cat >"$work/openssl.cnf" <<'EOF'
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused

[ca]
default_ca = test_ca
[test_ca]
dir = $ENV::PKI_CA_DIR
database = $dir/index.txt
new_certs_dir = $dir/issued
rand_serial = yes
default_md = sha256
default_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[policy_no_cn]
organizationName = supplied

[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[leaf_localhost]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[leaf_wrong_host]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_intermediate]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[leaf_dns_only]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[leaf_rsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[self_signed]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
EOF

# The benchmark's leaf names every loopback address its nginx listens on.
if [[ -n $bench_last ]]; then
  bench_sans="DNS:localhost, IP:::1"
  for ((k = 1; k <= bench_last; k++)); do
    bench_sans+=", IP:127.0.0.$k"
  done
  cat >>"$work/openssl.cnf" <<EOF

[leaf_bench]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $bench_sans
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
fi

ossl() {
  if ! openssl "$@" >>"$log" 2>&1; then
    echo "make-pki.sh: openssl $1 failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}

new_key() {  # name
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key"
}

new_ca() {  # name common-name
  new_key "$1"
  ossl req -config "$work/openssl.cnf" -new -x509 -key "$work/$1.key" -subj "/CN=$2" \
    -days 3650 -extensions v3_ca -out "$work/$1.pem"
  mkdir -p "$work/$1.db/issued"
  : >"$work/$1.db/index.txt"
}

# sign_leaf name ca extensions-section [startdate enddate]
# Environment knobs: KEY_ALGO=rsa1024 for an RSA 1024-bit key, MD=sha1 for the signature
# digest, SUBJECT=/O=... for a subject without CN (with POLICY=policy_no_cn).
sign_leaf() {
  local name=$1 ca=$2 ext=$3
  local validity=(-days 3650)
  if [[ $# -eq 5 ]]; then
    validity=(-startdate "$4" -enddate "$5")
  fi
  if [[ ${KEY_ALGO:-} == rsa1024 ]]; then
    ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$work/$name.key"
  else
    new_key "$name"
  fi
  ossl req -config "$work/openssl.cnf" -new -key "$work/$name.key" -subj "${SUBJECT:-/CN=$name}" \
    -out "$work/$name.csr"
  PKI_CA_DIR=$work/$ca.db ossl ca -batch -config "$work/openssl.cnf" -notext \
    -cert "$work/$ca.pem" -keyfile "$work/$ca.key" -extensions "$ext" \
    -md "${MD:-sha256}" -policy "${POLICY:-policy_any}" \
    "${validity[@]}" -in "$work/$name.csr" -out "$work/$name.pem"
  rm -f -- "$work/$name.csr"
}

if [[ -n $bench_last ]]; then
  new_ca ca "fetch bench throwaway CA"
  SUBJECT=/CN=localhost sign_leaf bench ca leaf_bench
else
  new_ca ca "fetch test root CA"
  new_ca ca2 "fetch untrusted CA"
  sign_leaf good ca leaf_localhost
  sign_leaf expired ca leaf_localhost 20200101000000Z 20200201000000Z
  sign_leaf wrong-host ca leaf_wrong_host
  sign_leaf untrusted ca2 leaf_localhost
  sign_leaf not-yet-valid ca leaf_localhost 20990101000000Z 21000101000000Z
  sign_leaf dns-only ca leaf_dns_only
  KEY_ALGO=rsa1024 sign_leaf rsa1024 ca leaf_rsa
  MD=sha1 sign_leaf sha1 ca leaf_localhost
  SUBJECT="/O=fetch test without CN" POLICY=policy_no_cn sign_leaf no-cn ca leaf_localhost

  # An intermediate CA under the root, and a leaf it signs; chain-full.pem is what a correctly
  # configured server sends (leaf, then intermediate), chain-leaf.pem what a broken one does.
  sign_leaf intermediate ca v3_intermediate
  mkdir -p "$work/intermediate.db/issued"
  : >"$work/intermediate.db/index.txt"
  sign_leaf chain-leaf intermediate leaf_localhost
  cat "$work/chain-leaf.pem" "$work/intermediate.pem" >"$work/chain-full.pem"

  new_key self-signed
  ossl req -config "$work/openssl.cnf" -new -x509 -key "$work/self-signed.key" \
    -subj "/CN=localhost" -days 3650 -extensions self_signed -out "$work/self-signed.pem"
fi

rm -rf -- "$work"/*.db "$work/openssl.cnf" "$log"
chmod 644 "$work"/*.key  # nginx workers and tests read them; these keys guard nothing
touch "$work/$stamp"
chmod 755 "$work"

# rename(2) onto a missing or empty directory is atomic; onto a full one it fails, which
# means another run got there first, or OUTDIR holds an older PKI: that one is moved aside
# (atomically too) and replaced.
if ! mv -T -- "$work" "$out" 2>/dev/null && [[ ! -e $out/$stamp ]]; then
  if [[ -e $out/.done ]]; then
    stale=$(mktemp -d "$parent/.pki-stale.XXXXXX")
    mv -T -- "$out" "$stale/pki" 2>/dev/null || true
    rm -rf -- "$stale"
  fi
  if ! mv -T -- "$work" "$out" 2>/dev/null && [[ ! -e $out/$stamp ]]; then
    echo "make-pki.sh: $out exists but is not a finished PKI directory; remove it" >&2
    exit 1
  fi
fi
trap - EXIT
rm -rf -- "$work"
