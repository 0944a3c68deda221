# Runs in the VM: ctap-emu on /dev/uhid as a fingerprint key, a relying party on
# http://localhost:8080 (@simplewebauthn/server), and headless Chromium registering a passkey
# (residentKey and userVerification required) and signing in with it. Both must verify.
set -u
REPO=$(cat /vmwork/repo)
export HOME=/tmp
node "$REPO/dist/src/cli.js" serve --transport uhid --memory --presence approve --uv match --verbose > /vmwork/serve.log 2>&1 &
SERVE=$!
for i in $(seq 1 600); do [ -e /dev/hidraw0 ] && break; sleep 0.2; done  # node starts slowly under TCG
[ -e /dev/hidraw0 ] || { echo "no /dev/hidraw0"; exit 1; }
cd /tmp
node "$REPO/test/vm/rp-server.mjs" 8080 /vmwork/chromium-result.json > /vmwork/rp.log 2>&1 &
RP=$!
sleep 2
# The RP exits once both ceremonies are verified (or one failed). Under TCG, headless Chromium now
# and then loses its network service while starting and never loads the page (the key then sees no
# request at all): such a start is retried, said in the log; a key that answers wrongly still fails,
# since the RP exits on a failed verification.
for attempt in 1 2 3; do
  echo "chromium start $attempt" >> /vmwork/chromium.log
  chromium --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir=/tmp/chromium-profile-$attempt http://localhost:8080/ >> /vmwork/chromium.log 2>&1 &
  CHROME=$!
  for i in $(seq 1 ${VM_WAIT_S:-250}); do kill -0 $RP 2>/dev/null || break; sleep 1; done
  kill $CHROME 2>/dev/null
  kill -0 $RP 2>/dev/null || break
  # Another try only if the page never reached the key.
  grep -qE '^[0-9TZ:.-]+ (->|<-)' /vmwork/serve.log && break
  echo "chromium start $attempt never reached the key: starting it again"
  sleep 2
done
kill -INT $SERVE 2>/dev/null
cat /vmwork/chromium-result.json 2>/dev/null || echo "no result from the page"
grep -q '"ok": true' /vmwork/chromium-result.json 2>/dev/null && echo "CHROMIUM-PASSKEY-VERIFIED"
