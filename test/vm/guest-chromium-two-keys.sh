# Runs in the VM: two uhid keys (serve --keys 2), a relying party on http://localhost:8080
# (@simplewebauthn/server), and headless Chromium registering a passkey (residentKey and
# userVerification required) and signing in with it, as a user with two keys plugged in does.
# Key 0 is never touched (--presence ask: it asks and waits, sending keepalives); key 1 verifies
# with its built-in sensor (--uv ,match). The credential must land on key 1 only, and Chromium
# must CANCEL key 0 once key 1 answered. What each key saw is printed (trace show) to read.
set -u
REPO=$(cat /vmwork/repo)
CLI="$REPO/dist/src/cli.js"
export HOME=/tmp
TRACE=/vmwork/chromium-two-keys.jsonl
step() { echo "== $*"; }
fail() { echo "FAILED: $*"; FAILED=1; }
FAILED=0
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > /tmp/control-token
node "$CLI" serve --transport uhid --keys 2 --memory --presence ask,approve --uv ,match --verbose \
  --control 8130 --control-token-file /tmp/control-token --trace $TRACE > /vmwork/serve.log 2>&1 &
SERVE=$!
for i in $(seq 1 600); do [ -e /dev/hidraw1 ] && grep -q 'Ctrl-C stops it' /vmwork/serve.log && break; sleep 0.2; done  # node starts slowly under TCG
[ -e /dev/hidraw0 ] && [ -e /dev/hidraw1 ] || { echo "two hidraw nodes expected"; cat /vmwork/serve.log; exit 1; }
grep 'security key on' /vmwork/serve.log
cd /tmp
node "$REPO/test/vm/rp-server.mjs" 8080 /vmwork/chromium-two-keys-result.json > /vmwork/rp.log 2>&1 &
RP=$!
sleep 2
. "$REPO/test/vm/chromium-retry.sh"
run_chromium $RP http://localhost:8080/

step "the relying party verified the registration and the sign-in, both user-verified"
cat /vmwork/chromium-two-keys-result.json 2>/dev/null || echo "no result from the page"
grep -q '"ok": true' /vmwork/chromium-two-keys-result.json 2>/dev/null || fail "the page did not verify both ceremonies"
[ "$(grep -c '"userVerified": true' /vmwork/chromium-two-keys-result.json 2>/dev/null)" = 2 ] || fail "not user-verified twice"

step "the passkey is on key 1 only (ctl list --key N)"
CTL="--control http://127.0.0.1:8130 --token-file /tmp/control-token"
node "$CLI" ctl list --key 0 $CTL > /tmp/creds0.json || fail "ctl list --key 0"
node "$CLI" ctl list --key 1 $CTL > /tmp/creds1.json || fail "ctl list --key 1"
node -e '
  const [c0, c1] = [0, 1].map((i) => JSON.parse(require("fs").readFileSync(`/tmp/creds${i}.json`, "utf8")));
  console.log(`key 0: ${c0.length} credential(s); key 1: ${c1.length}: ${c1.map((c) => `${c.rpId} ${c.isResidentCredential ? "discoverable" : ""}`).join(", ")}`);
  process.exit(c0.length === 0 && c1.length === 1 && c1[0].rpId === "localhost" ? 0 : 1);
' || fail "the credential is not on key 1 only"

kill -INT $SERVE 2>/dev/null
wait $SERVE 2>/dev/null

step "what each key saw (trace show: keepalives in a row on one line, xN)"
for k in 0 1; do
  node "$CLI" trace show $TRACE --key $k > /tmp/show$k.txt || fail "trace show --key $k"
  cut -c1-170 /tmp/show$k.txt
done

# Seen with Debian's Chromium: key 0 (no PIN, no UV: it cannot verify) is asked to be picked
# (authenticatorSelection, waiting for a touch) while key 1 gives a token through its built-in UV;
# once it has, Chromium CANCELs key 0, in each ceremony, and sends key 1 the request.
step "Chromium sent key 0 a CTAPHID CANCEL in each ceremony, and key 0 answered KEEPALIVE_CANCEL; no request reached key 0"
grep -q -- '-> authenticatorSelection' /tmp/show0.txt || fail "key 0 was not asked to be picked"
grep -q 'KEEPALIVE UPNEEDED' /tmp/show0.txt || fail "key 0 sent no UPNEEDED keepalive"
[ "$(grep -c -- '-> CANCEL' /tmp/show0.txt)" -ge 2 ] || fail "key 0 got fewer than two CANCELs (one per ceremony)"
grep -q 'key 0: <- CTAP2_ERR_KEEPALIVE_CANCEL' /vmwork/serve.log || fail "key 0 answered no request with CTAP2_ERR_KEEPALIVE_CANCEL"
grep -qE -- '-> authenticator(MakeCredential|GetAssertion)' /tmp/show0.txt && fail "a makeCredential or getAssertion reached key 0"
grep -qE -- '-> authenticatorMakeCredential' /tmp/show1.txt && grep -qE -- '-> authenticatorGetAssertion' /tmp/show1.txt || fail "key 1 did not get both requests"
grep -q -- '-> CANCEL' /tmp/show1.txt && echo "(key 1 got a CANCEL too)"

[ "$FAILED" = 0 ] && echo "CHROMIUM-TWO-KEYS-PASSKEY-ON-KEY-1"
