#!/usr/bin/env bash
# The whole test suite, doctests included, on this machine's GPU adapter and
# the CPU backend. Where no Vulkan driver is present it installs Mesa's
# software one (lavapipe) with apt first, so the GPU path runs everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

have_vulkan_icd() {
  # Either folder may be missing: look for a driver manifest in each.
  local f
  for f in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json; do
    [ -e "$f" ] && return 0
  done
  return 1
}

if ! have_vulkan_icd; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "no Vulkan driver found: installing Mesa's lavapipe (mesa-vulkan-drivers)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
  else
    echo "no Vulkan driver and no apt-get: GPU tests will be skipped unless NDGPU_REQUIRE_GPU=1" >&2
  fi
fi

# Mesa's loader complains on stderr when this is unset; nothing needs it.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

# --all-features: the test-only fault-injection hooks (tests/faults.rs) and
# the `ndarray` and `safetensors` interop features, all tested.
cargo test --all-features --all-targets "$@"
cargo test --all-features --doc "$@"
