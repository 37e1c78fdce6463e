#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The manual pages: built by `make man`, installed by `make install`,
# formatted by man(1) without a warning, and complete: every command and
# every long option in the sources is in berth(8), every service-file key
# in berth.conf(5) with its type, default and an example.
set -u
T=man
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=$TESTROOT/man
rm -rf "$out"
check "make man builds berth.8 and berth.conf.5" make -s O="$out/build" man
dest=$out/dest
make -s O="$(dirname "$BERTH")" install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
[ -x "$dest/usr/sbin/berth" ] && [ -s "$dest/usr/share/man/man8/berth.8" ] && [ -s "$dest/usr/share/man/man5/berth.conf.5" ] &&
	ok "make install puts berth in sbin, berth.8 and berth.conf.5 in share/man" ||
	fail "make install puts berth in sbin, berth.8 and berth.conf.5 in share/man" "$(cd "$dest" 2>/dev/null && find . -type f)"
for p in man8/berth.8 man5/berth.conf.5; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$dest/usr/share/man/$p" 2>&1 >/dev/null)
	txt=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$dest/usr/share/man/$p" 2>/dev/null)
	[ -z "$w" ] && [ -n "$txt" ] && ok "man -l $p: formats, no groff warning" || fail "man -l $p: formats, no groff warning" "$w"
done

# Every command of the full build, from its own --help.
page=docs/man/berth.8.md
missing=""
for c in $("$BERTH" --help | awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'); do
	grep -q "^### \(.*, \)\?$c\b" "$page" || missing="$missing $c"
done
expect "berth(8) has a section for every command" "" "$missing"
# Every long option in an option table, from the sources.
opts=$(cat src/main.c src/cmd/*.c include/berth/cmd/cli.h | grep -o '{ *"[a-z-]*", *\(no\|required\|optional\)_argument' | grep -o '"[a-z-]*"' | tr -d '"' | sort -u)
missing=""
for o in $opts; do grep -q -- "\`--$o\`" "$page" || missing="$missing --$o"; done
expect "berth(8) documents every long option ($(echo $opts | wc -w) in the sources)" "" "$missing"
# Every ctl command the supervisor answers ("root" is ctl exec's own
# question, not a command).
missing=""
for c in $(grep -o 'strcmp(cmd, "[a-z]*")\|{ "[a-z]*", \(EV\|POWER\)_' src/supervise/control.c | grep -o '"[a-z]*"' | tr -d '"' | grep -vx root | sort -u); do
	grep -q "^\`$c\`\|, \`$c\`" "$page" || missing="$missing $c"
done
expect "berth(8) documents every berth ctl command" "" "$missing"

# Every service-file key: a "`key` = type (default: ...)" line and an example.
page=docs/man/berth.conf.5.md
missing=""
for k in $(grep -o '{ "\(service\|container\|resources\|network\)", "[a-z.-]*"' src/spec/service_keys.c | awk -F'"' '{ print $4 }'); do
	awk -v k="$k" '
		index($0, "`" k "` = ") == 1 && /\(default: / { inkey = 1; next }
		inkey && /^$/ { exit }
		inkey && index($0, "Example: `" k " = ") { found = 1; exit }
		END { exit !found }' "$page" || missing="$missing $k"
done
expect "berth.conf(5) gives every service-file key its type, default and an example" "" "$missing"
# The examples in the page are valid service-file lines.
mkdir -p "$out/ex"
sed -n 's/^    Example: `\([a-z.-]*\) = \(.*\)`$/\1 = \2/p' "$page" > "$out/ex/lines"
{ echo "[service]"; echo "rootfs = /"; grep -E '^(exec|env|user|cwd|hostname|terminal|restart[a-z-]*|failure-action|critical|ready|wait-for|stop-[a-z]*|log-[a-z-]*) ' "$out/ex/lines"
  echo "[container]"; grep -E '^(read-only|mount|namespaces|capability|sysctl|no-new-privileges|rlimit|oom-score-adj|cgroup) ' "$out/ex/lines"
  echo "[resources]"; grep -E '^(memory|cpu|cpuset|pids|io)\.' "$out/ex/lines"; } > "$out/ex/all.conf"
# [network] (the [container] examples leave out the network namespace);
# parent and macvlan-mode belong to a macvlan, whose address has its prefix.
{ echo "[service]"; echo "rootfs = /"; echo "exec = true"; echo "[network]"
  grep -E '^(mode|bridge|bridge-address|address|gateway|mtu|mac|dns|dns-search|hosts|publish) ' "$out/ex/lines"; } > "$out/ex/net.conf"
{ echo "[service]"; echo "rootfs = /"; echo "exec = true"; echo "[network]"; echo "mode = macvlan"
  echo "address = 10.0.88.20/24"; grep -E '^(parent|macvlan-mode) ' "$out/ex/lines"; } > "$out/ex/vlan.conf"
r=$("$BERTH" check "$out/ex/all.conf" "$out/ex/net.conf" "$out/ex/vlan.conf" 2>&1)
expect "the examples of berth.conf(5) pass berth check" \
	"$out/ex/all.conf: ok (all)|$out/ex/net.conf: ok (net)|$out/ex/vlan.conf: ok (vlan)" "$(echo "$r" | head -n3 | paste -sd'|')"

# Every service file the README and the manuals show passes berth check
# without a warning (a comment that is not one, say), and the README's
# web.conf is the demo's real file.
mkdir -p "$out/blocks" && rm -f "$out/blocks"/*
for doc in README.md docs/man/berth.8.md docs/man/berth.conf.5.md; do
	awk -v dir="$out/blocks" -v doc="$(basename "$doc" .md)" '
		/^```ini$/ { n++; f = dir "/" doc "-" n ".conf"; on = 1; next }
		/^```$/ { on = 0 }
		on { print > f }' "$doc"
done
bad=""
for f in "$out/blocks"/*.conf; do
	r=$("$BERTH" check "$f" 2>&1)
	case $r in *"0 with errors"*) ;; *) bad="$bad $(basename "$f")";; esac
	case $r in *warning*) bad="$bad $(basename "$f")(warning)";; esac
done
expect "the service files shown in the README and the manuals pass berth check ($(ls "$out/blocks" | wc -l) files)" "" "$bad"
check "the README's web.conf is the demo's real file" cmp -s "$out/blocks/README-1.conf" board/common/overlay/etc/berth/web.conf
