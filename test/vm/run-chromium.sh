#!/bin/sh
# Chromium registers a passkey on ctap-emu's uhid device and signs in, in a VM; an RP verifies both.
# Usage: test/vm/run-chromium.sh [TIMEOUT_S]   (after npm run build). Prints what happened.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$HERE/make-initrd.sh" "$WORK/initrd.gz"
SHARE="$WORK/share"; mkdir -p "$SHARE"
cp "$HERE/guest-chromium.sh" "$SHARE/"
echo "$REPO" > "$SHARE/repo"
RC=0
"$HERE/run-vm.sh" "$WORK/initrd.gz" "$SHARE" guest-chromium.sh "${1:-900}" 4096 || RC=$?
cat "$SHARE/guest.log" 2>/dev/null || tail -20 "$SHARE/console.log"
echo "--- page steps and RP log:"; cat "$SHARE/rp.log" 2>/dev/null
echo "--- key log (decoded, secrets redacted):"; grep -E '^[0-9TZ:.-]+ (->|<-)' "$SHARE/serve.log" 2>/dev/null | cut -c1-220 | tail -30
grep -q CHROMIUM-PASSKEY-VERIFIED "$SHARE/guest.log" || { echo "--- chromium log:"; tail -30 "$SHARE/chromium.log" 2>/dev/null; exit 1; }
