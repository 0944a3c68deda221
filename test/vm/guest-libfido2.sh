# Runs in the VM: ctap-emu on /dev/uhid, then libfido2's tools (fido2-token, fido2-cred,
# fido2-assert) against /dev/hidraw0, with and without a PIN, then ctap-emu's own host side
# through node-hid. Every step must succeed. The session is recorded (serve --trace) and, as a
# separate check with its own marker (TRACE-REPLAY-CLEAN), replayed to a fresh key with the PIN.
set -eu
REPO=$(cat /vmwork/repo)
step() { echo "== $*"; }
node "$REPO/dist/src/cli.js" serve --transport uhid --memory --presence approve -v --trace /vmwork/libfido2.jsonl > /vmwork/serve.log 2>&1 &
SERVE=$!
for i in $(seq 1 600); do [ -e /dev/hidraw0 ] && break; sleep 0.2; done  # node starts slowly under TCG
[ -e /dev/hidraw0 ] || { echo "no /dev/hidraw0"; cat /vmwork/serve.log; exit 1; }
DEV=/dev/hidraw0

step "fido2-token -L"
fido2-token -L | tee list.txt
grep -q "$DEV" list.txt

step "fido2-token -I"
fido2-token -I "$DEV" | tee info.txt
grep -q 'FIDO_2_1' info.txt
grep -q 'FIDO_2_3' info.txt
grep -q 'rk' info.txt
grep -q 'clientPin' info.txt

# fido2-cred -M input: client data hash, RP ID, user name, user ID (base64 each, one per line).
make_cred_input() {
  head -c 32 /dev/urandom | base64
  echo "$1"
  echo "$2"
  head -c 16 /dev/urandom | base64
}

step "fido2-cred -M -r (resident, ES256) and -V"
make_cred_input libfido2.example alice > cred_param
fido2-cred -M -r -i cred_param "$DEV" es256 > cred
fido2-cred -V -i cred -o verified es256
tail -n +2 verified > cred_pubkey
grep -q 'BEGIN PUBLIC KEY' cred_pubkey

step "fido2-assert -G (discoverable: no credential ID) and -V"
{ head -c 32 /dev/urandom | base64; echo libfido2.example; } > assert_param
fido2-assert -G -r -p -i assert_param "$DEV" > assertion
fido2-assert -V -p -i assertion cred_pubkey es256

step "hmac-secret: fido2-cred -M -h / -V -h, fido2-assert -G -h twice with one salt"
make_cred_input hmac.example carol > cred_param3
fido2-cred -M -h -i cred_param3 "$DEV" es256 > cred3
fido2-cred -V -h -i cred3 -o verified3 es256
SALT=$(head -c 32 /dev/urandom | base64)
{ head -c 32 /dev/urandom | base64; echo hmac.example; sed -n 5p cred3; echo "$SALT"; } > assert_param3
fido2-assert -G -h -p -i assert_param3 "$DEV" > assertion3a
fido2-assert -G -h -p -i assert_param3 "$DEV" > assertion3b
SECRET=$(sed -n 5p assertion3a)
[ -n "$SECRET" ] && [ "$SECRET" = "$(sed -n 5p assertion3b)" ]
tail -n +2 verified3 > cred3_pubkey
head -4 assertion3a | fido2-assert -V -h -p cred3_pubkey es256

step "U2F: fido2-cred -M -u (REGISTER, fido-u2f) and -V; fido2-assert -G -u (AUTHENTICATE), and the same credential over CTAP2"
make_cred_input u2f.example dave > cred_param_u
fido2-cred -M -u -i cred_param_u "$DEV" es256 > credu
[ "$(sed -n 3p credu)" = fido-u2f ]
fido2-cred -V -i credu -o verifiedu es256
tail -n +2 verifiedu > credu_pubkey
{ head -c 32 /dev/urandom | base64; echo u2f.example; sed -n 5p credu; } > assert_param_u
fido2-assert -G -u -p -i assert_param_u "$DEV" > assertion_u
fido2-assert -V -p -i assertion_u credu_pubkey es256
fido2-assert -G -p -i assert_param_u "$DEV" > assertion_u2   # CTAP 2.1 §10: a U2F credential in getAssertion
fido2-assert -V -p -i assertion_u2 credu_pubkey es256

step "fido2-token -S (set PIN)"
printf '1234\n1234\n' | fido2-token -S "$DEV"
fido2-token -I "$DEV" | grep -q 'clientPin' 

step "fido2-cred -M -r -v with the PIN, and -V requiring UV"
make_cred_input libfido2.example bob > cred_param2
printf '1234\n' | fido2-cred -M -r -v -i cred_param2 "$DEV" es256 > cred2
fido2-cred -V -v -i cred2 -o verified2 es256
tail -n +2 verified2 > cred2_pubkey

step "fido2-assert -G -v with the PIN, -V requiring UV"
{ head -c 32 /dev/urandom | base64; echo libfido2.example; sed -n 5p cred2; } > assert_param2
printf '1234\n' | fido2-assert -G -p -v -i assert_param2 "$DEV" > assertion2
fido2-assert -V -p -v -i assertion2 cred2_pubkey es256

step "fido2-token -L -r (credential management with the PIN)"
printf '1234\n' | fido2-token -L -r "$DEV" | tee rps.txt
grep -q libfido2.example rps.txt

step "credProtect: fido2-cred -M -r -c 3 -v and -V -c 3; without UV a discoverable assertion does not find it"
make_cred_input protect.example erin > cred_param_c
printf '1234\n' | fido2-cred -M -r -v -c 3 -i cred_param_c "$DEV" es256 > credc
fido2-cred -V -v -c 3 -i credc -o verifiedc es256
tail -n +2 verifiedc > credc_pubkey
{ head -c 32 /dev/urandom | base64; echo protect.example; } > assert_param_c
if fido2-assert -G -r -p -i assert_param_c "$DEV" > /dev/null 2>&1; then echo "credProtect 3 answered without UV"; exit 1; fi
printf '1234\n' | fido2-assert -G -r -p -v -i assert_param_c "$DEV" > assertion_c
fido2-assert -V -p -v -i assertion_c credc_pubkey es256

step "largeBlobKey and large blobs: fido2-cred -M -b; fido2-token -S -b / -L -b / -G -b / -D -b"
make_cred_input blob.example frank > cred_param_b
printf '1234\n' | fido2-cred -M -r -v -b -i cred_param_b "$DEV" es256 > credb
fido2-cred -V -v -i credb -o verifiedb es256
CREDB=$(sed -n 5p credb)
head -c 700 /dev/urandom > blob.in
printf '1234\n' | fido2-token -S -b -n blob.example -i "$CREDB" blob.in "$DEV"
printf '1234\n' | fido2-token -L -b "$DEV" | tee blobs.txt
# One entry holding the 700 bytes. libfido2 1.12's listing names its owner "<unknown>": its tool
# inflates zlib-wrapped data only while its library writes raw DEFLATE since 1.11 (fixed after 1.12
# by Yubico/libfido2 PR #646, "tools: use raw inflate/rfc1951"); -G -b below opens the entry.
grep -Eq '^00: +[0-9]+ +700 ' blobs.txt
printf '1234\n' | fido2-token -G -b -n blob.example -i "$CREDB" blob.out "$DEV"
cmp blob.in blob.out
printf '1234\n' | fido2-token -D -b -n blob.example -i "$CREDB" "$DEV"
if printf '1234\n' | fido2-token -G -b -n blob.example -i "$CREDB" blob.gone "$DEV" > /dev/null 2>&1; then echo "deleted blob still read"; exit 1; fi

step "fido2-token -D -i (delete a credential), then -L -k shows it gone"
printf '1234\n' | fido2-token -L -k blob.example "$DEV" | tee blobcreds.txt
grep -q "$CREDB" blobcreds.txt
printf '1234\n' | fido2-token -D -i "$CREDB" "$DEV"
printf '1234\n' | fido2-token -L -k blob.example "$DEV" > blobcreds2.txt 2>&1 || true
if grep -q "$CREDB" blobcreds2.txt; then echo "deleted credential still listed"; exit 1; fi

step "fido2-token -S -a (enterprise attestation on): getInfo ep"
printf '1234\n' | fido2-token -S -a "$DEV"
fido2-token -I "$DEV" | tee info2.txt
grep -Eq '(^|[ ,])ep(,|$)' info2.txt

step "ctap-emu's host side over node-hid: devices, info, pin status"
node "$REPO/dist/src/cli.js" devices | tee devices.txt
grep -q "$DEV" devices.txt
node "$REPO/dist/src/cli.js" info --device "$DEV" --json | tee info.json | grep -q FIDO_2_1
node "$REPO/dist/src/cli.js" pin status --device "$DEV" --json | tee pin.json
grep -q '"pinSet": true' pin.json
node "$REPO/dist/src/cli.js" creds list --device "$DEV" --pin 1234 --json | tee creds.json
grep -q protect.example creds.json

kill -INT $SERVE
wait $SERVE || true
for i in $(seq 1 20); do [ -e /dev/hidraw0 ] || break; sleep 0.2; done
[ ! -e /dev/hidraw0 ] || { echo "hidraw node still there after the key stopped"; exit 1; }
echo "ALL-LIBFIDO2-STEPS-PASSED"

# A separate, non-fatal check (its own marker, which run-guest.sh can take instead): the whole
# session's trace, replayed to a fresh in-process key with the PIN, answers as the uhid key did.
step "trace replay of the libfido2 session (--pin 1234)"
if node "$REPO/dist/src/cli.js" trace replay /vmwork/libfido2.jsonl --pin 1234; then
  echo "TRACE-REPLAY-CLEAN"
else
  echo "TRACE-REPLAY-DIFFERS (see above)"
fi
