#!/usr/bin/env bash
# Downloads OVN 25.03 / OVS 3.5 from Debian trixie's packages into a cache folder outside the repo and
# unpacks them there, without touching the host's dpkg database. Debian 12 ships OVN 23.03, which has no
# ACL tiers and no `pass` action, so the host's own packages are never used.
#
#   test/ovn/fetch.sh            # prints the unpacked root on its last line
#   TIERACL_CACHE=/some/dir test/ovn/fetch.sh
set -euo pipefail

cache=${TIERACL_CACHE:-$HOME/.cache/tieracl}
root=$cache/ovn-trixie/root
stamp=$root/.complete
packages=(ovn-central ovn-common ovn-host ovn-ic ovn-ic-db openvswitch-common openvswitch-switch
  libc6 libzstd1 zlib1g libunbound8 libssl3t64 libevent-2.1-7t64 libcap-ng0 libxdp1
  libnuma1 libelf1t64 libbpf1 libudev1 libcap2)

# What the test beds run (go-controller/pkg/ovnsandbox/install.go reads this layout). A complete root that
# lacks one of them, e.g. one unpacked before the interconnect packages were added, is fetched again.
required=(usr/lib64/ld-linux-x86-64.so.2 usr/bin/ovsdb-tool usr/sbin/ovsdb-server usr/bin/ovn-northd
  usr/bin/ovn-nbctl usr/bin/ovn-sbctl usr/bin/ovn-trace usr/bin/ovn-controller usr/bin/ovs-vsctl
  usr/lib/openvswitch-switch/ovs-vswitchd usr/share/ovn/ovn-nb.ovsschema usr/share/ovn/ovn-sb.ovsschema
  usr/share/openvswitch/vswitch.ovsschema usr/bin/ovn-ic usr/bin/ovn-ic-nbctl usr/bin/ovn-ic-sbctl
  usr/share/ovn/ovn-ic-nb.ovsschema usr/share/ovn/ovn-ic-sb.ovsschema)
complete() {
  local f
  for f in "${required[@]}"; do [[ -e $1/$f ]] || return 1; done
}

if [[ -f $stamp ]] && complete "$root"; then echo "$root"; exit 0; fi

apt_dir=$cache/ovn-trixie/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc/preferences.d,debs} "$apt_dir/state"
touch "$apt_dir/state/status"
cat >"$apt_dir/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=-"
  -o "Dir::Etc::Preferences=-" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
  -o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::Archives=$apt_dir/archives" -o "APT::Architecture=amd64"
  -o "Debug::NoLocking=1")

apt-get "${apt_opts[@]}" -qq update
(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}")

# Unpack into a temporary root and rename it, so an interrupted run is never taken for a finished one.
tmp=$root.tmp.$$
rm -rf "$tmp"; mkdir -p "$tmp"
for deb in "$apt_dir"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp"; done
# Refuse to stamp a root that lacks what the test beds run.
for f in "${required[@]}"; do
  [[ -e $tmp/$f ]] || { echo "fetch.sh: unpacked packages lack $f" >&2; exit 1; }
done
touch "$tmp/.complete"
# Swap by two renames, not rm then unpack: beds of other processes may be running from the old root,
# and must find a whole root at that path whenever they start a program.
old=$root.old.$$
[[ -e $root ]] && mv "$root" "$old"
mv "$tmp" "$root"
rm -rf "$old"
echo "$root"
