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

# The CPU backend's float GEMM (the gemm crate) picks AVX-512, AVX2/FMA or
# SSE kernels at run time. On x86-64 the CPU matmul tests run again on
# emulated CPUs without AVX-512 (Haswell) and without AVX (Nehalem), so each
# kernel family is tested whatever this machine has; qemu-user comes from
# apt where it is missing.
if [ "$(uname -m)" = x86_64 ]; then
  if ! command -v qemu-x86_64 >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-user >/dev/null
  fi
  if command -v qemu-x86_64 >/dev/null 2>&1; then
    matmul=$(cargo test --all-features --test matmul --no-run "$@" 2>&1 |
      sed -n 's/.*\(Executable\|Running\) tests\/matmul.rs (\(.*\))$/\2/p' | tail -n 1)
    if [ -z "$matmul" ]; then
      echo "could not find the matmul test binary in cargo's output" >&2
      exit 1
    fi
    for cpu in Haswell Nehalem; do
      echo "CPU matmul tests on an emulated $cpu"
      qemu-x86_64 -cpu "$cpu" "$matmul" cpu 2>/dev/null
    done
  else
    echo "no qemu-x86_64: the GEMM fallback kernels are not tested here" >&2
  fi
fi

cargo test --all-features --doc "$@"
