#!/bin/sh
# Builds a small initramfs that boots Debian's kernel with this machine's root file system mounted
# read-only (9p) under a tmpfs overlay, loads uhid + hid-generic, and runs /vmwork/$vmcmd as root.
# /vmwork is a read-write 9p share of a host folder. The guest's /tmp is the overlay's, so a
# checkout under the host's /tmp is visible too (a third 9p mount for it stopped Chromium from
# loading any page, so there is none). Needs: linux-image-amd64 busybox-static.
# Usage: make-initrd.sh OUT.cpio.gz
set -eu
OUT=${1:?usage: make-initrd.sh OUT.cpio.gz}
K=$(ls /lib/modules | sort -V | tail -1)
R=$(mktemp -d)
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/mnt"
cp /bin/busybox "$R/bin/busybox"
MODS="virtio_pci 9pnet_virtio 9p overlay uhid hid-generic"
for m in $MODS; do
  for f in $(modprobe -S "$K" --show-depends "$m" | awk '/^insmod/{print $2}'); do
    mkdir -p "$R$(dirname "$f")"; cp "$f" "$R$f"
  done
done
cp /lib/modules/"$K"/modules.* "$R/lib/modules/$K/"
cat > "$R/init" <<EOI
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $MODS; do modprobe \$m; done
mkdir -p /mnt/lower /mnt/rw
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro hostroot /mnt/lower || { echo VM-EXIT=99; poweroff -f; }
mount -t tmpfs tmpfs /mnt/rw; mkdir -p /mnt/rw/upper /mnt/rw/work /mnt/root
mount -t overlay overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /mnt/root
mount --move /proc /mnt/root/proc; mount --move /sys /mnt/root/sys; mount --move /dev /mnt/root/dev
mkdir -p /mnt/root/vmwork; mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work /mnt/root/vmwork
CMD=\$(sed -n 's/.*vmcmd=\([^ ]*\).*/\1/p' /mnt/root/proc/cmdline)
exec chroot /mnt/root /bin/sh -c "ip link set lo up 2>/dev/null; cd /vmwork; /bin/sh /vmwork/\$CMD > /vmwork/guest.log 2>&1; echo VM-EXIT=\\\$?; sync; echo o > /proc/sysrq-trigger; sleep 5"
EOI
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$OUT"
rm -rf "$R"
