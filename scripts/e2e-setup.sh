#!/usr/bin/env bash
# Installs what the end-to-end test needs, pinned, into places it reuses: Debian's Chromium, ripgrep and the
# Kerberos headers from apt, and code-server (VS Code's web build from npm) into the git-ignored .e2e/ folder.
# Safe to run again: whatever is already there is kept. Prints one line per step; exits non-zero on failure.
# Why each quirk is needed: docs/reference/E2E.md ("Installing code-server offline").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.e2e"
# The newest code-server whose engines.node accepts Node 20; it is VS Code 1.100.3.
CODE_SERVER_VERSION="4.100.3"
# @vscode/ripgrep as pinned by that code-server, and the rg archive its postinstall looks for in its cache.
VSCODE_RIPGREP_VERSION="1.15.11"
RIPGREP_ARCHIVE="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

log() { printf 'e2e-setup: %s\n' "$*"; }

if [ "$(uname -s)" != "Linux" ] || [ ! -f /etc/debian_version ]; then
  log "needs Debian Linux (apt) — this is $(uname -s)"; exit 3
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then log "needs root to apt-get install ${missing[*]}"; exit 3; fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi

INSTALL_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
MARKER="$INSTALL_DIR/.installed"
if [ -f "$MARKER" ] && [ -x "$INSTALL_DIR/node_modules/.bin/code-server" ]; then
  log "code-server $CODE_SERVER_VERSION present"
else
  log "npm install code-server@$CODE_SERVER_VERSION (about 2 minutes)"
  rm -rf "$INSTALL_DIR"
  mkdir -p "$INSTALL_DIR"
  printf '{ "name": "plens-e2e-tools", "private": true }\n' >"$INSTALL_DIR/package.json"
  # The ripgrep postinstall downloads rg from GitHub unless its cache (under TMPDIR) already holds the archive;
  # seed it with Debian's rg. TMPDIR must be the same for this and for npm install.
  export TMPDIR="$CACHE/tmp"
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  tar czf "$TMPDIR/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION/$RIPGREP_ARCHIVE" -C "$(dirname "$(command -v rg)")" rg
  # node-pty's postinstall runs `npx node-gyp` (needs yes); node-gyp must use the installed headers, not download.
  (
    cd "$INSTALL_DIR"
    npm_config_nodedir=/usr npm_config_yes=true npm install "code-server@$CODE_SERVER_VERSION" \
      --unsafe-perm --foreground-scripts --no-audit --no-fund --loglevel=error >"$INSTALL_DIR/install.log" 2>&1
  ) || { log "npm install failed; last lines of $INSTALL_DIR/install.log:"; tail -n 20 "$INSTALL_DIR/install.log" >&2; exit 1; }
  touch "$MARKER"
fi
log "ready: $INSTALL_DIR/node_modules/.bin/code-server"
