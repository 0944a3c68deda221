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
. "$REPO/test/vm/chromium-retry.sh"
run_chromium $RP http://localhost:8080/
kill -INT $SERVE 2>/dev/null
cat /vmwork/chromium-result.json 2>/dev/null || echo "no result from the page"
grep -q '"ok": true' /vmwork/chromium-result.json 2>/dev/null && echo "CHROMIUM-PASSKEY-VERIFIED"
