#!/usr/bin/env bash
# Installs what running linux-arm64 .NET test executables under qemu user-mode needs (Debian 12, root).
# Leaves dpkg's architecture list alone: arm64 libssl/libicu/zlib are unpacked into $ARM64_ROOT from a private apt state.
set -euo pipefail
ROOT=${ARM64_ROOT:-/tmp/arm64-root}
if command -v qemu-aarch64-static >/dev/null && [ -d "$ROOT/usr/lib/aarch64-linux-gnu" ] && [ -d /usr/aarch64-linux-gnu ]; then
  echo "arm64 setup: already present ($ROOT)"; exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross >/dev/null
S=$(mktemp -d)
mkdir -p "$S/state/lists/partial" "$S/cache/archives/partial" "$ROOT"; touch "$S/state/status"
O="-o Dir::State=$S/state -o Dir::State::status=$S/state/status -o Dir::Cache=$S/cache -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1"
apt-get $O update -qq
( cd "$S" && apt-get $O download libssl3 libicu72 zlib1g >/dev/null 2>&1 && for d in *.deb; do dpkg -x "$d" "$ROOT"; done )
rm -rf "$S"
echo "arm64 setup: done ($ROOT)"
