#!/usr/bin/env bash
# Installs, once, what the in-VS Code test suite needs: Debian's Chromium and ripgrep, and the VS Code
# server of the npm package code-server (pinned: VS Code 1.100.3, runs on Node 20) into the git-ignored
# cache test/.vscode-server/. code-server's own install script downloads ripgrep and Node headers from
# the network, so its steps are done here by hand: packages without scripts, native modules compiled
# against the local Node headers, Debian's rg in place of @vscode/ripgrep's download.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION="4.100.3"
cache="test/.vscode-server"
stamp="$cache/installed-$CODE_SERVER_VERSION"
[ -f "$stamp" ] && exit 0

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
[ -f /usr/include/node/common.gypi ] || need+=(libnode-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Node headers for native builds: the npm-configured nodedir, else the headers next to this node.
nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; then
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
fi
[ -f "$nodedir/include/node/common.gypi" ] || { echo "no Node headers under $nodedir/include/node" >&2; exit 1; }
node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || { echo "npm's node-gyp not found at $node_gyp" >&2; exit 1; }
export npm_config_nodedir="$nodedir" npm_config_unsafe_perm=true

echo "installing code-server $CODE_SERVER_VERSION into $cache"
rm -rf "$cache"
mkdir -p "$cache"
echo '{ "name": "vscode-test-server", "private": true }' > "$cache/package.json"
npm install --prefix "$cache" --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
vscode="$cache/node_modules/code-server/lib/vscode"
(cd "$vscode" && npm install --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error)
(cd "$vscode/extensions" && npm install --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error)

# argon2 is fetched-or-built by node-pre-gyp; build it. The server's own modules are plain node-gyp.
(cd "$cache" && npm rebuild argon2 --build-from-source --loglevel=error >/dev/null)
for module in kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty; do
  echo "compiling $module"
  (cd "$vscode/node_modules/$module" && node "$node_gyp" rebuild --nodedir="$nodedir" >/dev/null 2>&1) \
    || { echo "compiling $module failed; run node-gyp rebuild in $vscode/node_modules/$module to see why" >&2; exit 1; }
done

mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$vscode/node_modules.asar"
ln -sfn code-linux.sh "$vscode/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$vscode/bin/helpers/browser.sh"

touch "$stamp"
echo "code-server $CODE_SERVER_VERSION installed in $cache ($(du -sh "$cache" | cut -f1))"
