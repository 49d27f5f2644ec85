#!/usr/bin/env bash
# Installs the Debian 12 packages radixlm needs to build, test and run. Idempotent and
# non-interactive: packages already present are left alone, and nothing is asked.
#
#   scripts/install-deps.sh            build + run + test dependencies
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git
  # libraries (docs/ARCHITECTURE.md says which layer uses which)
  libabsl-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  libspdlog-dev libicu-dev libsqlite3-dev libboost-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-numpy python3-torch python3-jinja2 nodejs npm
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# node/npm may come from outside Debian (e.g. nodesource); a working `node` and `npm` suffice.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for package in "${missing[@]}"; do
    [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
