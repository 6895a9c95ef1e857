#!/usr/bin/env bash
# setup.sh - install every system dependency crossview needs on Debian 12 (bookworm).
#
# Idempotent: re-running only checks. Needs root (or sudo) the first time, when packages are
# missing. After installing, it checks that the BLAS libtorch will load is OpenBLAS: reference
# BLAS makes Linear-heavy models (ConvNeXt, transformers) about 13x slower.
#
# Then it fetches the real aerial imagery into the cache (scripts/fetch-aerial-data.sh; set
# CROSSVIEW_SKIP_FETCH=1 to skip).
#
# Usage: scripts/setup.sh [--check]     --check: only report, install nothing, exit 1 if not ready
set -euo pipefail

PROG=${0##*/}
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option '$1' (valid: --check, --help)" ;;
esac

# clang, libclang-rt-14-dev (libFuzzer), libomp-dev (OpenMP for FAISS under clang): the fuzz
# targets and the fuzz_smoke test; wrk: the service load test (docs/reliability.md).
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev libopenblas0-pthread libopenblas-pthread-dev
  libopencv-dev libgdal-dev libproj-dev gdal-bin libfaiss-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libcpp-httplib-dev
  libjs-leaflet chromium
  python3-torch python3-torchvision python3-pil
  clang libclang-rt-14-dev libomp-dev wrk
)
# npm fetches one pinned aerial photo (leaflet-distortableimage); install Debian's npm only when
# no npm is on the PATH already.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for fully installed packages.
  if [ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$CHECK_ONLY" = 1 ]; then
    die "missing packages: ${missing[*]} (run scripts/setup.sh as root to install them)"
  fi
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    die "missing packages ${missing[*]} and not root: run scripts/setup.sh as root"
  fi
  log "installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package lists may be missing (fresh container) or stale; update once, then install.
  $SUDO apt-get -q update >/dev/null
  $SUDO apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed for: ${missing[*]}"
  log "packages installed"
fi

# --- The BLAS libtorch loads -----------------------------------------------------------------
# libtorch links libblas.so.3, which Debian resolves through the alternatives system. The
# OpenBLAS pthread build must be the selected alternative.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
alt_name="libblas.so.3-$arch"
want=/usr/lib/$arch/openblas-pthread/libblas.so.3
[ -e "$want" ] || die "OpenBLAS is not installed ($want missing): install libopenblas0-pthread"
current=$(readlink -f "/usr/lib/$arch/libblas.so.3" || true)
if [ "$current" != "$(readlink -f "$want")" ]; then
  if [ "$CHECK_ONLY" = 1 ]; then
    die "libblas.so.3 resolves to $current, not OpenBLAS; run: update-alternatives --set $alt_name $want"
  fi
  log "libblas.so.3 resolves to ${current:-nothing}; selecting OpenBLAS"
  $SUDO update-alternatives --set "$alt_name" "$want" >/dev/null ||
    die "could not select OpenBLAS: run 'update-alternatives --set $alt_name $want' as root"
  current=$(readlink -f "/usr/lib/$arch/libblas.so.3")
  [ "$current" = "$(readlink -f "$want")" ] || die "libblas.so.3 still resolves to $current after update-alternatives"
fi

# Check what the dynamic loader actually gives libtorch, not just the symlink.
torch_lib=$(ls /usr/lib/"$arch"/libtorch_cpu.so* 2>/dev/null | head -n1 || true)
[ -n "$torch_lib" ] || die "libtorch_cpu.so not found: install libtorch-dev"
blas_resolved=$(ldd "$torch_lib" | awk '/libblas\.so\.3/ {print $3}' | head -n1)
if [ -n "$blas_resolved" ]; then
  case "$(readlink -f "$blas_resolved")" in
    *openblas*) ;;
    *) die "libtorch loads BLAS from $(readlink -f "$blas_resolved"), not OpenBLAS; run: update-alternatives --set $alt_name $want" ;;
  esac
fi
log "ok: all packages present; libtorch uses OpenBLAS ($current)"

# --- Real aerial imagery for tests, benchmarks and the demo ------------------------------------
# Fetched from Debian packages into the cache (never committed); cheap when already cached.
if [ "${CROSSVIEW_SKIP_FETCH:-0}" != 1 ] && [ "$CHECK_ONLY" != 1 ]; then
  bash "$(dirname "$0")/fetch-aerial-data.sh" --quiet || die "fetching the aerial imagery failed (see above)"
  log "ok: aerial imagery in ${CROSSVIEW_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/crossview/aerial}"
fi
