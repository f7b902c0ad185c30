#!/usr/bin/env bash
# Regenerates NAME.bytecode from NAME.nft: the rules as nft itself compiles
# them (nft --debug=netlink), in a throw-away network namespace. Needs root
# and nft. firewall_bytecode_test compares virtnat's own libnftnl rules with
# these, so the expression builders emit what nft emits for the same text.
set -euo pipefail
cd "$(dirname "$0")"
ns="vnt-bytecode-$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
for nft in *.nft; do
  ip netns exec "$ns" nft flush ruleset
  # Keep only the rule blocks: "inet virtnat CHAIN" and its "  [ ... ]" lines.
  ip netns exec "$ns" nft --debug=netlink -f "$nft" 2>&1 |
    awk '/^inet virtnat / { on = 1 } on { print } /^$/ { on = 0 }' > "${nft%.nft}.bytecode"
done
