#!/bin/sh
# libfido2's tools against ctap-emu's uhid device, in a VM with a real kernel HID stack.
# Usage: test/vm/run-libfido2.sh [TIMEOUT_S]   (after npm run build). Prints the guest's log.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$HERE/make-initrd.sh" "$WORK/initrd.gz"
SHARE="$WORK/share"; mkdir -p "$SHARE"
cp "$HERE/guest-libfido2.sh" "$SHARE/"
echo "$REPO" > "$SHARE/repo"
RC=0
"$HERE/run-vm.sh" "$WORK/initrd.gz" "$SHARE" guest-libfido2.sh "${1:-600}" || RC=$?
cat "$SHARE/guest.log" 2>/dev/null || echo "(no guest log; console:)" && tail -20 "$SHARE/console.log"
[ "$RC" = 0 ] && grep -q ALL-LIBFIDO2-STEPS-PASSED "$SHARE/guest.log" || { echo "serve log:"; cat "$SHARE/serve.log" 2>/dev/null; exit 1; }
