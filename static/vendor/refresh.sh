#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry (never a CDN).
#
# Usage:  bash static/vendor/refresh.sh            # re-fetch the pinned versions
#         HTMX_VERSION=2.0.12 bash static/vendor/refresh.sh   # bump one
#
# After a bump: update the versioned paths in the templates and in static/sw.js
# (bump CACHE_VERSION too), then copy the printed checksums into VENDOR.md.
set -euo pipefail

HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
SSE_VERSION="${SSE_VERSION:-2.2.4}"
AXE_VERSION="${AXE_VERSION:-4.14.1}"

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION -> unpacks the registry tarball into $WORK/NAME/package
fetch() {
  local name="$1" version="$2"
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && npm pack --silent "$name@$version" >/dev/null)
  tar -xzf "$WORK/$name"/*.tgz -C "$WORK/$name"
  local got
  got="$(node -p "require('$WORK/$name/package/package.json').version")"
  if [[ "$got" != "$version" ]]; then
    echo "expected $name@$version, registry gave $got" >&2
    exit 1
  fi
}

# install DEST_DIR SRC_FILE... -> replaces DEST_DIR with exactly these files
install_files() {
  local dest="$VENDOR_DIR/$1"
  shift
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$@" "$dest/"
}

fetch htmx.org "$HTMX_VERSION"
fetch htmx-ext-sse "$SSE_VERSION"
fetch axe-core "$AXE_VERSION"

# Remove folders of versions we no longer ship, so only one copy of each remains.
rm -rf "$VENDOR_DIR"/htmx-[0-9]* "$VENDOR_DIR"/htmx-ext-sse-* "$VENDOR_DIR"/axe-core-*

install_files "htmx-$HTMX_VERSION" \
  "$WORK/htmx.org/package/dist/htmx.min.js" \
  "$WORK/htmx.org/package/LICENSE"
install_files "htmx-ext-sse-$SSE_VERSION" \
  "$WORK/htmx-ext-sse/package/sse.js" \
  "$WORK/htmx-ext-sse/package/LICENSE"
install_files "axe-core-$AXE_VERSION" \
  "$WORK/axe-core/package/axe.min.js" \
  "$WORK/axe-core/package/LICENSE" \
  "$WORK/axe-core/package/LICENSE-3RD-PARTY.txt"

cd "$VENDOR_DIR"
find . -mindepth 2 -type f -name '*.js' | sort | sed 's|^\./||' | xargs sha256sum > SHA256SUMS
echo "Vendored into $VENDOR_DIR:"
cat SHA256SUMS
echo "Check later with: (cd static/vendor && sha256sum -c SHA256SUMS)"
