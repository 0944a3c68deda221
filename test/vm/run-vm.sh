#!/bin/sh
# Boots a throw-away VM (TCG: KVM hangs on these machines) that sees this machine's files (changes
# go to a throw-away overlay), with SHARE_DIR read-write at /vmwork, and runs /vmwork/SCRIPT in it;
# its output lands in SHARE_DIR/guest.log. Exits with the script's status (124 on time-out).
# Usage: run-vm.sh INITRD SHARE_DIR SCRIPT [TIMEOUT_S] [MEM_MB]
set -u
INITRD=$1 SHARE=$2 SCRIPT=$3 T=${4:-300} MEM=${5:-3072}
KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -1)
LOG="$SHARE/console.log"
timeout "$T" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m "$MEM" \
  -nographic -no-reboot -kernel "$KERNEL" -initrd "$INITRD" \
  -append "console=ttyS0 quiet loglevel=1 panic=-1 vmcmd=$SCRIPT" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$SHARE",mount_tag=work,security_model=none,multidevs=remap >"$LOG" 2>&1
RC=$?
CODE=$(sed -n 's/.*VM-EXIT=\([0-9]*\).*/\1/p' "$LOG" | tail -1)
[ "$RC" = 124 ] && exit 124
exit "${CODE:-1}"
