#!/usr/bin/env bash
# fetch-aerial-data.sh - fetch the real aerial imagery crossview's tests, benchmarks and demo use.
#
# The images ship inside Debian 12 packages (and one pinned npm package). Each package's .deb is
# downloaded with `apt-get download`, only the pinned files are extracted with dpkg-deb + tar
# (nothing is installed), every file is checked against its pinned SHA-256, and files are moved
# into the cache under their final names only once complete. Re-running is cheap and idempotent.
# The imagery is GPL-2+ (FlightGear, rgdal) among other licences: it is fetched, never committed.
#
# Usage: scripts/fetch-aerial-data.sh [--cache DIR] [--sources "flightgear rgdal ..."] [--quiet]
#   cache lookup: --cache, then $CROSSVIEW_DATA, then ${XDG_CACHE_HOME:-~/.cache}/crossview/aerial
#   sources: flightgear rgdal opencv pywt stars leaflet (default: all; leaflet needs npm)
# Environment: CROSSVIEW_ALLOW_HASH_MISMATCH=1 warns instead of failing on a pin mismatch (for
# trying other Debian releases only).
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=fetch-aerial-data
say() { [ "$QUIET" = 1 ] || printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

CACHE=${CROSSVIEW_DATA:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/crossview/aerial}
SOURCES="flightgear rgdal opencv pywt stars leaflet"
QUIET=0
while [ $# -gt 0 ]; do
  case $1 in
    --cache) [ $# -ge 2 ] || die "--cache needs a directory"; CACHE=$2; shift 2 ;;
    --sources) [ $# -ge 2 ] || die "--sources needs a list"; SOURCES=$2; shift 2 ;;
    --quiet|-q) QUIET=1; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (valid: --cache DIR, --sources LIST, --quiet)" ;;
  esac
done
for s in $SOURCES; do
  case $s in flightgear|rgdal|opencv|pywt|stars|leaflet) ;;
    *) die "unknown source '$s' (valid: flightgear rgdal opencv pywt stars leaflet)" ;; esac
done
for t in apt-get dpkg-deb tar gzip sha256sum od dd flock; do
  command -v "$t" >/dev/null || die "required tool '$t' not found"
done

TEXTURES_TSV=$HERE/flightgear-textures.tsv
SOURCES_TSV=$HERE/aerial-sources.tsv
FG_DIR=./usr/share/games/flightgear/Textures/Terrain
AERO_PGM_SHA=13285c2e40ce29b97ec05797976c390b8633f010adf64d4da522b55e9c797939
LEAFLET_SPEC=leaflet-distortableimage@0.21.9
LEAFLET_SHA=dc2ffaeba633cfb109fc91295b033323c9e3ccbe23d32e943034bc57413c407c

mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"
CACHE=$(cd "$CACHE" && pwd)
exec 9>"$CACHE/.lock"
flock -w 3600 9 || die "another fetch holds $CACHE/.lock"
WORK=$(mktemp -d "$CACHE/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# pins SOURCE: "member dest sha256" lines for one source.
pins() {
  if [ "$1" = flightgear ]; then
    awk -F'\t' -v d="$FG_DIR" 'NR > 1 && $1 != "" { print d "/" $1 ".png", "flightgear/" $1 ".png", $8 }' "$TEXTURES_TSV"
  else
    awk -F'\t' -v s="$1" 'NR > 1 && $1 == s { print $3, $4, $5 }' "$SOURCES_TSV"
  fi
}
package_of() { [ "$1" = flightgear ] && echo flightgear-data-base || awk -F'\t' -v s="$1" 'NR > 1 && $1 == s { print $2; exit }' "$SOURCES_TSV"; }

# check FILE SHA: 0 when FILE exists and matches.
check() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
# require FILE SHA LABEL: like check, but explains and fails (or warns when allowed).
require() {
  check "$1" "$2" && return 0
  local got; got=$( [ -f "$1" ] && sha256sum "$1" | cut -d' ' -f1 || echo missing)
  if [ "${CROSSVIEW_ALLOW_HASH_MISMATCH:-0}" = 1 ] && [ "$got" != missing ]; then
    say "warning: $3 has SHA-256 $got, pinned $2 (accepted: CROSSVIEW_ALLOW_HASH_MISMATCH=1)"; return 0
  fi
  die "$3: SHA-256 $got, pinned $2 (a different package version? see scripts/aerial-sources.tsv)"
}
# install_file SRC DEST: copy into the cache under a temporary name, then rename.
install_file() {
  mkdir -p "$(dirname "$CACHE/$2")"
  cp -f "$1" "$CACHE/$2.part" && chmod 644 "$CACHE/$2.part" && mv -f "$CACHE/$2.part" "$CACHE/$2"
}

# aero.npz holds one deflated member (data.npy, 512x512 uint8). Re-wrap the raw deflate stream
# as a gzip member (10-byte header + stream + CRC-32 + size from the zip header) so gzip inflates
# and verifies it; the pixels are the last 512*512 bytes of the .npy.
npz_to_pgm() {
  local z=$1 out=$2 u16 u32 name_len extra_len comp_size
  u16() { od -An -tu2 --endian=little -j"$2" -N2 "$1" | tr -d ' '; }
  u32() { od -An -tu4 --endian=little -j"$2" -N4 "$1" | tr -d ' '; }
  [ "$(od -An -tx1 -N4 "$z" | tr -d ' \n')" = 504b0304 ] || die "$z is not a zip archive"
  name_len=$(u16 "$z" 26); extra_len=$(u16 "$z" 28); comp_size=$(u32 "$z" 18)
  {
    printf '\037\213\010\000\000\000\000\000\000\377'
    dd if="$z" bs=1 skip=$((30 + name_len + extra_len)) count="$comp_size" status=none
    dd if="$z" bs=1 skip=14 count=4 status=none   # CRC-32
    dd if="$z" bs=1 skip=22 count=4 status=none   # uncompressed size
  } | gzip -dc >"$WORK/aero.npy" || die "cannot inflate $z"
  { printf 'P5\n512 512\n255\n'; tail -c 262144 "$WORK/aero.npy"; } >"$out"
}

declare -A STATUS
fetch_package_source() {
  local src=$1 pkg members=() dests=() shas=() m d h all=1 i deb x
  pkg=$(package_of "$src")
  while read -r m d h; do members+=("$m"); dests+=("$d"); shas+=("$h"); done < <(pins "$src")
  [ "${#members[@]}" -gt 0 ] || die "no pins for source $src"
  for i in "${!dests[@]}"; do check "$CACHE/${dests[$i]}" "${shas[$i]}" || { all=0; break; }; done
  [ "$src" != pywt ] || check "$CACHE/pywt/aero.pgm" "$AERO_PGM_SHA" || all=0
  if [ "$all" = 1 ]; then STATUS[$src]="cached (${#members[@]} file(s))"; return; fi

  x=$WORK/$src; mkdir -p "$x"
  deb=$(ls /var/cache/apt/archives/"${pkg}"_*.deb 2>/dev/null | tail -n1 || true)
  if [ -z "$deb" ]; then
    say "downloading $pkg"
    if ! (cd "$WORK" && LC_ALL=C apt-get -q -o APT::Sandbox::User=root download "$pkg") >"$WORK/apt.log" 2>&1; then
      if [ "$(id -u)" = 0 ] && grep -qE 'Unable to locate|no installation candidate|404' "$WORK/apt.log"; then
        say "package lists missing or stale: apt-get update"
        apt-get -q update >/dev/null 2>&1 || die "apt-get update failed"
        (cd "$WORK" && LC_ALL=C apt-get -q -o APT::Sandbox::User=root download "$pkg") >"$WORK/apt.log" 2>&1 ||
          { cat "$WORK/apt.log" >&2; die "apt-get download $pkg failed"; }
      else
        cat "$WORK/apt.log" >&2; die "apt-get download $pkg failed (as root, 'apt-get update' may help)"
      fi
    fi
    deb=$(ls "$WORK/${pkg}"_*.deb | tail -n1)
  fi
  say "extracting ${#members[@]} file(s) from $(basename "$deb")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" "${members[@]}" "./usr/share/doc/$pkg/copyright" ||
    die "extraction from $(basename "$deb") failed"
  for i in "${!members[@]}"; do require "$x/${members[$i]}" "${shas[$i]}" "${dests[$i]}"; done
  for i in "${!members[@]}"; do install_file "$x/${members[$i]}" "${dests[$i]}"; done
  install_file "$x/usr/share/doc/$pkg/copyright" "licenses/$pkg.copyright"
  if [ "$src" = pywt ]; then
    npz_to_pgm "$CACHE/pywt/aero.npz" "$WORK/aero.pgm"
    require "$WORK/aero.pgm" "$AERO_PGM_SHA" pywt/aero.pgm
    install_file "$WORK/aero.pgm" pywt/aero.pgm
  fi
  [ "$deb" = "${deb#"$WORK"}" ] || rm -f "$deb"
  rm -rf "$x"
  STATUS[$src]="fetched $(basename "$deb" .deb)"
}

fetch_leaflet() {
  if check "$CACHE/leaflet/example.png" "$LEAFLET_SHA"; then STATUS[leaflet]="cached (1 file)"; return; fi
  if ! command -v npm >/dev/null; then STATUS[leaflet]="skipped: npm not installed"; return; fi
  say "fetching npm $LEAFLET_SPEC"
  mkdir -p "$WORK/npm"
  (cd "$WORK/npm" && npm pack --silent --ignore-scripts "$LEAFLET_SPEC") >"$WORK/npm.log" 2>&1 ||
    { cat "$WORK/npm.log" >&2; die "npm pack $LEAFLET_SPEC failed"; }
  tar -xzf "$WORK"/npm/*.tgz -C "$WORK/npm" package/examples/example.jpg package/LICENSE ||
    die "the photo or LICENSE is missing from $LEAFLET_SPEC"
  require "$WORK/npm/package/examples/example.jpg" "$LEAFLET_SHA" leaflet/example.png
  install_file "$WORK/npm/package/examples/example.jpg" leaflet/example.png   # PNG data named .jpg
  install_file "$WORK/npm/package/LICENSE" licenses/leaflet-distortableimage.LICENSE
  STATUS[leaflet]="fetched npm $LEAFLET_SPEC"
}

start=$SECONDS
for s in $SOURCES; do
  if [ "$s" = leaflet ]; then fetch_leaflet; else fetch_package_source "$s"; fi
done
case " $SOURCES " in *" flightgear "*) install_file "$TEXTURES_TSV" flightgear/textures.tsv ;; esac
( cd "$CACHE" && find flightgear rgdal opencv pywt stars leaflet -type f ! -name '*.part' 2>/dev/null |
    LC_ALL=C sort | xargs -r sha256sum ) >"$WORK/SHA256SUMS"
install_file "$WORK/SHA256SUMS" SHA256SUMS

if [ "$QUIET" != 1 ]; then
  printf 'aerial imagery cache: %s (%s)\n' "$CACHE" "$(du -sh "$CACHE" | cut -f1)"
  for s in $SOURCES; do printf '  %-11s %s\n' "$s" "${STATUS[$s]}"; done
  printf '  %d s\n' $((SECONDS - start))
fi
