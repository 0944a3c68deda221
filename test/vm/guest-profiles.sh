# Runs in the VM: ctap-emu on /dev/uhid once per device profile, each as libfido2 sees it
# (fido2-token -I); the U2F-only profile registers and signs in through libfido2's U2F fallback
# (no CBOR capability in CTAPHID INIT), verified by fido2-cred -V / fido2-assert -V.
set -eu
REPO=$(cat /vmwork/repo)
step() { echo "== $*"; }
SERVE=
start() {
  node "$REPO/dist/src/cli.js" serve --transport uhid --memory --presence approve --profile "$1" > "/vmwork/serve.log" 2>&1 &
  SERVE=$!
  for i in $(seq 1 600); do [ -e /dev/hidraw0 ] && break; sleep 0.2; done
  [ -e /dev/hidraw0 ] || { echo "no /dev/hidraw0 for profile $1"; cat /vmwork/serve.log; exit 1; }
  sleep 0.5
}
stop() {
  kill -INT "$SERVE"
  wait "$SERVE" || true
  for i in $(seq 1 50); do [ -e /dev/hidraw0 ] || break; sleep 0.2; done
}
DEV=/dev/hidraw0

# profile: what fido2-token -I must show (an extended regular expression), what it must not.
check() {
  step "profile $1: fido2-token -I"
  start "$1"
  fido2-token -I "$DEV" | tee "info-$1.txt"
  grep -Eq "$2" "info-$1.txt" || { echo "profile $1: no match for /$2/"; exit 1; }
  if [ -n "$3" ] && grep -Eq "$3" "info-$1.txt"; then echo "profile $1: unexpected /$3/"; exit 1; fi
  stop
}
check default 'version strings: .*FIDO_2_3' ''
check yubikey5 'version strings: U2F_V2, FIDO_2_0, FIDO_2_1_PRE, FIDO_2_1$' 'FIDO_2_3'
check solo 'version strings: .*FIDO_2_1_PRE' 'FIDO_2_3'
check fido20 'version strings: U2F_V2, FIDO_2_0$' 'credMgmt'
check no-rk 'options: .*nork' ''
check no-pin 'version strings' 'clientPin'
check bio 'options: .*[ ,]uv(,|$)' ''

step "profile u2f: fido2-token -I sees no CBOR; fido2-cred -M falls back to U2F (fido-u2f) and -V; fido2-assert -G and -V"
start u2f
fido2-token -I "$DEV" > info-u2f.txt 2>&1 || true
cat info-u2f.txt
if grep -Eq '[(, ]cbor[,)]' info-u2f.txt; then echo "u2f profile announced CBOR"; exit 1; fi
{ head -c 32 /dev/urandom | base64; echo u2f.example; echo grace; head -c 16 /dev/urandom | base64; } > cred_param
fido2-cred -M -i cred_param "$DEV" es256 > cred
[ "$(sed -n 3p cred)" = fido-u2f ]
fido2-cred -V -i cred -o verified es256
tail -n +2 verified > pubkey
{ head -c 32 /dev/urandom | base64; echo u2f.example; sed -n 5p cred; } > assert_param
fido2-assert -G -p -i assert_param "$DEV" > assertion
fido2-assert -V -p -i assertion pubkey es256
stop
echo "ALL-PROFILE-STEPS-PASSED"
