#!/usr/bin/env bash
# Debian packages the project needs: browser, PDF text extraction and rendering (poppler),
# Redis, and the Pango/HarfBuzz libraries WeasyPrint lays the PDF out with (its docs, Debian 11+). Installed only when
# missing, so repeated `make test` runs cost nothing. Needs root (CI and dev machines are).
set -euo pipefail
PACKAGES=(chromium chromium-driver poppler-utils redis-server libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
