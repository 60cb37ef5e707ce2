#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine that has only Node 20 and npm:
# the workspace (pnpm through npx, nothing global) and, where we are root on Debian,
# Chromium for the WebGPU browser tests (playwright-core drives /usr/bin/chromium;
# no browser download). Without Chromium the browser tests are skipped, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
# oneDNN for @rcnn/kernels-native, whose addon node-gyp builds during the install; without it
# (not root, not Debian) the package reports itself unavailable and the wasm kernels run.
if [ ! -e /usr/include/dnnl.hpp ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Debian libdnnl-dev for the native (oneDNN) kernels"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdnnl-dev >/dev/null; } ||
    echo "setup: libdnnl-dev not installed; the native kernels will be unavailable"
fi
npx --yes pnpm@9.15.9 install --frozen-lockfile
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian chromium for the browser (WebGPU) tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium not found and cannot apt-get install it; browser tests will be skipped"
  fi
fi
