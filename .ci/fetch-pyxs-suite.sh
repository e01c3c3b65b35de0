#!/usr/bin/env bash
# Fetches pyxs's upstream test suite (tests/ of Debian's python-pyxs source package, the version
# python3-pyxs is built from) into DEST (default: target/pyxs-suite), for PyxsUpstreamSuiteTest.
# Nothing is committed: the sources come from Debian's deb-src archive at run time, through apt with a
# private sources list and package-list directory (the machine's apt configuration is not touched).
# The upstream tarball's SHA-256 is checked against the .dsc apt fetched (itself verified through the
# signed Sources index). Exit 0 with DEST/tests in place; non-zero (and a reason on stderr) otherwise.
set -euo pipefail
dest="${1:-target/pyxs-suite}"
version=$(dpkg-query -W -f='${Version}' python3-pyxs 2>/dev/null || true)
if [ -z "$version" ]; then
  echo "fetch-pyxs-suite: python3-pyxs is not installed" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/xenpv-pyxs-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
. /etc/os-release
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${VERSION_CODENAME} main" \
  > "$work/sources.list"
apt_opts=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/none"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; exit 1; }
# Debian's mirror may lack the .debian.tar.xz (apt then reports an error) while serving the .dsc and
# the upstream tarball, which is all that is needed: tolerate the failure and check what arrived.
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "python-pyxs=$version") >"$work/source.log" 2>&1 || true
dsc=$(ls "$work"/src/*.dsc 2>/dev/null | head -1)
orig=$(ls "$work"/src/*.orig.tar.* 2>/dev/null | head -1)
if [ -z "$dsc" ] || [ -z "$orig" ]; then
  echo "fetch-pyxs-suite: apt-get source python-pyxs=$version did not deliver the .dsc and upstream tarball:" >&2
  cat "$work/source.log" >&2
  exit 1
fi
want=$(awk '/^Checksums-Sha256:/{f=1;next} /^[^ ]/{f=0} f && $3=="'"$(basename "$orig")"'"{print $1}' "$dsc")
have=$(sha256sum "$orig" | cut -d' ' -f1)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  echo "fetch-pyxs-suite: $(basename "$orig"): sha256 $have does not match the .dsc ($want)" >&2
  exit 1
fi
rm -rf "$dest"
mkdir -p "$dest"
tar -xf "$orig" -C "$dest" --strip-components=1 --wildcards '*/tests/*'
echo "$version" > "$dest/VERSION"
echo "fetch-pyxs-suite: pyxs $version tests in $dest/tests ($(ls "$dest/tests" | wc -l) files)"
