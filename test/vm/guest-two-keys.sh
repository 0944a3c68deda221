# Runs in the VM (sh test/vm/run-guest.sh guest-two-keys.sh TWO-KEYS-LISTED; the trace step at the
# end prints TRACE-REPLAY-CLEAN, which run-guest.sh can take as the marker instead):
# `serve --keys 2` on /dev/uhid makes two hidraw devices; libfido2 lists both, tells them apart by
# name, and each answers on its own (a PIN set on one is not on the other).
set -eu
REPO=$(cat /vmwork/repo)
step() { echo "== $*"; }
node "$REPO/dist/src/cli.js" serve --transport uhid --keys 2 --memory --presence approve -v --trace /vmwork/two-keys.jsonl > /vmwork/serve.log 2>&1 &
SERVE=$!
for i in $(seq 1 600); do [ -e /dev/hidraw1 ] && break; sleep 0.2; done  # node starts slowly under TCG
[ -e /dev/hidraw0 ] && [ -e /dev/hidraw1 ] || { echo "two hidraw nodes expected"; ls -l /dev/hidraw* || true; cat /vmwork/serve.log; exit 1; }

step "serve says one uhid device per key"
grep -q 'key 0: security key on uhid /dev/uhid "ctap-emu FIDO2 security key 0"' /vmwork/serve.log
grep -q 'key 1: security key on uhid /dev/uhid "ctap-emu FIDO2 security key 1"' /vmwork/serve.log

step "fido2-token -L lists both"
fido2-token -L | tee list.txt
grep -q /dev/hidraw0 list.txt
grep -q /dev/hidraw1 list.txt

step "each answers getInfo (fido2-token -I)"
fido2-token -I /dev/hidraw0 | grep -q FIDO_2_1
fido2-token -I /dev/hidraw1 | grep -q FIDO_2_1

step "a PIN set on one key only (fido2-token -S), the other still without"
printf '1234\n1234\n' | fido2-token -S /dev/hidraw1
fido2-token -I /dev/hidraw1 | tee info1.txt
grep -Eq '(^|[ ,])clientPin(,|$)' info1.txt
fido2-token -I /dev/hidraw0 | tee info0.txt
grep -Eq '(^|[ ,])noclientPin(,|$)' info0.txt

step "ctap-emu devices (node-hid) shows both"
node "$REPO/dist/src/cli.js" devices --json | tee devices.json
grep -q /dev/hidraw0 devices.json
grep -q /dev/hidraw1 devices.json

kill -INT $SERVE
wait $SERVE || true
for i in $(seq 1 20); do [ -e /dev/hidraw0 ] || [ -e /dev/hidraw1 ] || break; sleep 0.2; done
[ ! -e /dev/hidraw0 ] && [ ! -e /dev/hidraw1 ] || { echo "hidraw nodes still there after the keys stopped"; exit 1; }
echo "TWO-KEYS-LISTED"

# A separate, non-fatal check (its own marker): the trace of this libfido2 session, replayed to a
# fresh in-process key with the PIN, answers as the uhid keys did.
step "trace replay of key 1's libfido2 session (--pin 1234), and of key 0's"
if node "$REPO/dist/src/cli.js" trace replay /vmwork/two-keys.jsonl --key 1 --pin 1234 \
  && node "$REPO/dist/src/cli.js" trace replay /vmwork/two-keys.jsonl --key 0; then
  echo "TRACE-REPLAY-CLEAN"
else
  echo "TRACE-REPLAY-DIFFERS (see above)"
fi
