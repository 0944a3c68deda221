# Runs in the VM: README's Playwright example (test/vm/playwright) under the @playwright/test runner,
# in Debian's Chromium and Firefox ESR against the demo RP; the ctap-emu/playwright fixture plugs a key
# in on /dev/uhid for each test. Every test must pass but the one the spec skips in Chromium (any
# other skip, e.g. for want of uhid, is a failure).
set -u
REPO=$(cat /vmwork/repo)
export HOME=/tmp CI=1 CTAP_EMU_PW_REPORT=/vmwork/playwright.json
# Firefox's WebAuthn log (authenticator-rs: the devices it finds, what it sends), for a failure's story.
export MOZ_LOG="timestamp,authenticator::*:4" MOZ_LOG_FILE=/vmwork/firefox-webauthn.log
cd "$REPO"
START=$(date +%s)
node node_modules/@playwright/test/cli.js test --config test/vm/playwright/playwright.config.ts
echo "playwright test exited $? after $(( $(date +%s) - START )) s"
node -e '
const r = JSON.parse(require("node:fs").readFileSync("/vmwork/playwright.json", "utf8"));
for (const spec of r.suites.flatMap((s) => s.specs)) for (const t of spec.tests)
  console.log(`${t.projectName}: ${spec.title}: ${t.status}, ${t.results.map((x) => (x.duration / 1000).toFixed(1) + " s").join(", ")}`);
const { expected, unexpected, skipped, flaky } = r.stats;
console.log(JSON.stringify({ expected, unexpected, skipped, flaky }));
// Skipped on purpose (see the spec); anything else skipped is a failure.
const skips = r.suites.flatMap((s) => s.specs).flatMap((spec) => spec.tests.filter((t) => t.status === "skipped").map((t) => `${t.projectName}: ${spec.title}`)).sort();
const allowed = ["chromium: a refused touch is NotAllowedError in the page", "chromium-headless-shell: registers a discoverable passkey and signs in with it"].sort();
if (JSON.stringify(skips) !== JSON.stringify(allowed)) console.log(`skipped: ${JSON.stringify(skips)}, expected exactly ${JSON.stringify(allowed)}`);
process.exit(expected === 4 && JSON.stringify(skips) === JSON.stringify(allowed) && unexpected + flaky === 0 ? 0 : 1);
' && echo "PLAYWRIGHT-CHROMIUM-FIREFOX-PASSED"
