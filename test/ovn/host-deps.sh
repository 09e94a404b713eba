#!/usr/bin/env bash
# Installs the host tools the test bed needs besides the OVN binaries of fetch.sh: ethtool, to turn off
# TX checksum offload on each pod's veth, and openssl, which ovs-pki runs to make the certificates of an
# NB over SSL. Run as root; does nothing when all are present.
set -euo pipefail

missing=()
command -v ethtool >/dev/null || missing+=(ethtool)
command -v ip >/dev/null || missing+=(iproute2)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]} == 0)); then exit 0; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
