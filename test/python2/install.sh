#!/usr/bin/env bash
# Puts python-fido2 2.2.1 in a venv at $1 (made with /usr/bin/python3 --system-site-packages, so
# cryptography is Debian's python3-cryptography and nothing of the system's changes), unless it is
# there already. PyPI is out of reach on these machines; Debian is not, and sid packages 2.2.1
# unpatched (python3-fido2 2.2.1-N; its only change is the public suffix list taken from Debian's
# publicsuffix package). The .deb is fetched by apt-get with a private sources list, lists and cache
# in a temporary folder (the system's apt state is not touched) and unpacked into the venv, not
# installed: dpkg would replace python3-fido2 0.9.1, which test/python runs.
# fido2 2.2.1 requires cryptography >=2.6,!=35,<52 (bookworm has 38) and Python >=3.10.
set -euo pipefail
DEST="${1:?usage: install.sh VENV_DIR}"
VERSION=2.2.1
PY=/usr/bin/python3

if [ -x "$DEST/bin/python" ] &&
  "$DEST/bin/python" -c "import sys, importlib.metadata as m; sys.exit(not m.version('fido2').startswith('2.'))" 2>/dev/null; then
  echo "python-fido2 $("$DEST/bin/python" -c "import importlib.metadata as m; print(m.version('fido2'))"): $DEST/bin/python (already there)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" >"$work/sources.list"
apt_opts=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/lists"
  -o Dir::Cache="$work/cache" -o Acquire::Languages=none -o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update
deb_version="$(apt-cache "${apt_opts[@]}" madison python3-fido2 | awk -v v="$VERSION-" 'index($3, v) == 1 { print $3; exit }')"
if [ -z "$deb_version" ]; then
  # Sid moved on: a later 2.x keeps the API the suite uses (it says which version ran).
  deb_version="$(apt-cache "${apt_opts[@]}" madison python3-fido2 | awk 'index($3, "2.") == 1 { print $3; exit }')"
  echo "python3-fido2 $VERSION-* is no longer in Debian sid; taking ${deb_version:-nothing}" >&2
  [ -n "$deb_version" ] || exit 1
fi
(cd "$work" && apt-get "${apt_opts[@]}" download "python3-fido2=$deb_version")
dpkg-deb -x "$work"/python3-fido2_*.deb "$work/root"

rm -rf "$DEST"
"$PY" -m venv --system-site-packages --without-pip "$DEST"
site="$("$DEST/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp -a "$work/root/usr/lib/python3/dist-packages/." "$site/"
# Debian's relative link to the publicsuffix package would point nowhere from the venv.
ln -sfn /usr/share/publicsuffix/public_suffix_list.dat "$site/fido2/public_suffix_list.dat"
"$DEST/bin/python" -c "
import sys, importlib.metadata as m, fido2, cryptography
assert fido2.__file__.startswith(sys.prefix) and m.version('fido2').startswith('2.'), (fido2.__file__, m.version('fido2'))
print('python-fido2', m.version('fido2'), 'from Debian $deb_version, cryptography', cryptography.__version__)"
