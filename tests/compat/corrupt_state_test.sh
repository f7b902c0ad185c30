#!/usr/bin/env bash
# Corrupt inputs on disk when virtnatd starts (issue 5): each is reported by
# name in the log and skipped, nothing is fatal, nothing is acted on wrongly,
# and a good network beside the broken ones is re-adopted untouched.
#   config dir: a truncated definition, an empty file, a definition whose
#     name differs from its file name, a second definition (autostart) with
#     the bridge name of a running network, a dangling autostart link;
#   run dir: a truncated status record, a record whose dnsmasq pid is now
#     another program (a `sleep`, which must survive), a record whose bridge
#     is gone, a record of a network whose definition file now has another
#     uuid (left running as it is, as libvirt leaves a status it cannot load).
# The daemon runs in a network namespace of the test's own.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then echo "needs root for a network namespace"; exit 1; fi
NS=virtnat-cs-$$
ip netns add "$NS"
SLEEP_PID=
trap 'cleanup; [[ -n $SLEEP_PID ]] && kill "$SLEEP_PID"; ip netns del "$NS" 2>/dev/null || true' EXIT
ETC=$TMP/etc RUN=$TMP/run

start_in_ns() { start_daemon_in_ns "$NS"; }
definition() {  # NAME BRIDGE SUBNET-OCTET
  printf "<network>\n  <name>%s</name>\n  <forward mode='nat'/>\n  <bridge name='%s'/>\n" "$1" "$2"
  printf "  <ip address='10.91.%s.1' prefix='24'>\n" "$3"
  printf "    <dhcp><range start='10.91.%s.10' end='10.91.%s.20'/></dhcp>\n  </ip>\n</network>\n" "$3" "$3"
}
dnsmasq_pid() { grep -o "<dnsmasq pid='[0-9]*'" "$RUN/$1.status" | grep -o "[0-9][0-9]*"; }
alive() { [[ -n $(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null) ]] && echo yes || echo no; }
logged() {  # NAME TEXT: the log has TEXT (fixed string) once; the line is then dropped
  check "$1" "1" 0 grep -cF -- "$2" "$TMP/daemon.log"
  grep -vF -- "$2" "$TMP/daemon.log" >"$TMP/daemon.log.rest" || true
  mv "$TMP/daemon.log.rest" "$TMP/daemon.log"
}

start_in_ns
n=0
for name in good sleeper gone truncrec clash; do
  n=$((n + 1))
  definition "$name" "vncs$n" "$n" >"$TMP/$name.xml"
  virsh -q -c "$URI" net-define "$TMP/$name.xml" >/dev/null
  virsh -q -c "$URI" net-start "$name" >/dev/null
done
GOOD_PID=$(dnsmasq_pid good)
SLEEPER_OLD=$(dnsmasq_pid sleeper)
TRUNC_PID=$(dnsmasq_pid truncrec)
CLASH_PID=$(dnsmasq_pid clash)
NFT_GOOD=$(ip netns exec "$NS" nft list table inet virtnat | grep -c vncs1)
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=

# The config dir.
# Not `definition | head`: head leaving early would SIGPIPE the writer, and
# pipefail would end the test there without a word.
definition truncated vncs9 9 >"$TMP/truncated-full.xml"
head -c 90 "$TMP/truncated-full.xml" >"$ETC/truncated.xml"
: >"$ETC/empty.xml"
definition other vncs8 8 >"$ETC/renamed.xml"
definition twinbridge vncs1 7 >"$ETC/twinbridge.xml"
mkdir -p "$ETC/autostart"
ln -s "$ETC/twinbridge.xml" "$ETC/autostart/twinbridge.xml"
ln -s "$ETC/ghost.xml" "$ETC/autostart/ghost.xml"
definition clash vncs5 5 | sed 's|</name>|</name>\n  <uuid>0badc0de-0000-4000-8000-000000000005</uuid>|' \
  >"$ETC/clash.xml"
# The run dir.
head -c 200 "$RUN/truncrec.status" >"$RUN/truncrec.status.cut"
mv "$RUN/truncrec.status.cut" "$RUN/truncrec.status"
kill -KILL "$SLEEPER_OLD"
for _ in $(seq 200); do [[ $(alive "$SLEEPER_OLD") == no ]] && break; sleep 0.01; done
sleep 1000 &
SLEEP_PID=$!
sed -i "s/<dnsmasq pid='$SLEEPER_OLD'/<dnsmasq pid='$SLEEP_PID'/" "$RUN/sleeper.status"
# ...and its chains lost their rules. One of gone's map elements is gone
# too, so removing gone's recorded rules fails. Neither may cost good its rules.
NFT_SLEEPER=$(ip netns exec "$NS" nft list table inet virtnat | grep -c vncs2)
for chain in $(ip netns exec "$NS" nft list table inet virtnat | grep -o 'chain vncs2_[a-z]*' |
  cut -d' ' -f2); do
  ip netns exec "$NS" nft flush chain inet virtnat "$chain"
done
ip netns exec "$NS" nft delete element inet virtnat fwd_in '{ "vncs3" }'

echo "$SLEEP_PID" >"$RUN/dnsmasq/sleeper.pid"
ip netns exec "$NS" ip link del vncs3

start_in_ns
check "the daemon serves" " clash        inactive   no    yes
 gone         inactive   no    yes
 good         active     no    yes
 sleeper      active     no    yes
 truncrec     inactive   no    yes
 twinbridge   inactive   yes   yes" 0 virsh -q -c "$URI" net-list --all
check "good: re-adopted with the same dnsmasq" "$GOOD_PID yes" 0 \
  echo "$(dnsmasq_pid good) $(alive "$GOOD_PID")"
check "good: its rules are as they were" "$NFT_GOOD" 0 \
  bash -c "ip netns exec $NS nft list table inet virtnat | grep -c vncs1"
check "good: its bridge keeps its address" "1" 0 \
  bash -c "ip netns exec $NS ip -4 addr show vncs1 | grep -c 'inet 10.91.1.1/24'"
check "sleeper: the sleep that took its pid still runs" "yes" 0 alive "$SLEEP_PID"
check "sleeper: its rules restored" "$NFT_SLEEPER" 0 \
  bash -c "ip netns exec $NS nft list table inet virtnat | grep -c vncs2"
SLEEPER_NEW=$(dnsmasq_pid sleeper)
check "sleeper: served by a new dnsmasq" "yes" 0 bash -c \
  "[[ $SLEEPER_NEW != $SLEEP_PID ]] && tr '\\0' ' ' </proc/$SLEEPER_NEW/cmdline | grep -q dnsmasq && echo yes"
check "gone: record and rules removed" "0 0" 0 bash -c \
  "echo \$(ls $RUN/gone.status 2>/dev/null | wc -l) \$(ip netns exec $NS nft list table inet virtnat | grep -c vncs3)"
check "truncrec: record left for inspection, its dnsmasq not touched" "yes yes" 0 bash -c \
  "echo \$([[ -e $RUN/truncrec.status ]] && echo yes) $(alive "$TRUNC_PID")"
check "clash: left running as it was, record kept" "yes yes 0" 0 bash -c \
  "echo \$([[ -e $RUN/clash.status ]] && echo yes) $(alive "$CLASH_PID") \$(ip netns exec $NS ip link show vncs5 >/dev/null; echo \$?)"
check "twinbridge: cannot start while good runs" "error: Failed to start network twinbridge" 1 \
  bash -c "virsh -q -c '$URI' net-start twinbridge 2>&1 | sed -n 1p; exit \${PIPESTATUS[0]}"
check "dangling autostart link removed" "no" 0 bash -c \
  "[[ -L $ETC/autostart/ghost.xml ]] && echo yes || echo no"

logged "truncated definition named" \
  "skipped a stored definition: $ETC/truncated.xml: not a well-formed XML document"
logged "empty definition named" "skipped a stored definition: $ETC/empty.xml: file is empty"
logged "renamed definition named" \
  "skipped a stored definition: $ETC/renamed.xml: defines network 'other' but the file is named after 'renamed'"
logged "dangling autostart link named" \
  "skipped a stored definition: $ETC/autostart/ghost.xml: autostart link without a definition; removed"
logged "shared bridge named" \
  "network 'twinbridge' uses bridge 'vncs1' as network 'good' does; it cannot start while that one runs"
logged "twinbridge's autostart failure named" "cannot autostart network 'twinbridge': "
logged "truncated record named" "skipped a status record: $RUN/truncrec.status: internal error: malformed status record"
logged "foreign dnsmasq pid named" \
  "network 'sleeper': its recorded dnsmasq (pid $SLEEP_PID) is no longer running; now served by dnsmasq pid $SLEEPER_NEW"
logged "clashing record named" \
  "network 'clash': cannot re-adopt it: operation failed: network 'clash' already exists with uuid 0badc0de-0000-4000-8000-000000000005; left as it is, status record kept"
# gone's removal batch failed on its missing element, so the rest of its
# rules went one by one; sleeper's flushed chains were put back when its turn
# came.
logged "sleeper's restored rules named" \
  "network 'sleeper': firewall rules were missing (chain inet virtnat vncs2_"
logged "gone bridge named" "network 'gone': its bridge 'vncs3' is gone; cleaning up what is left of it"
# truncrec's dnsmasq outlives the test's daemon: end it with the rest.
kill "$TRUNC_PID" 2>/dev/null || true
finish
