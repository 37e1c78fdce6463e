# SPDX-License-Identifier: Apache-2.0
# `kconfig-conf --olddefconfig` for machines without kconfig-frontends
# (Buildroot and Yocto hosts): Kconfig + a partial .config -> a complete
# .config, every symbol at its value or default, those whose dependencies
# are off left out. Understands the subset berth's Kconfig uses (bool and
# string symbols, `default VALUE`, `depends on A && B`) and stops with an
# error on anything else, rather than guess.
# usage: awk -f olddefconfig.awk Kconfig .config > .config.new
function fail(msg) { print "olddefconfig.awk: " FILENAME ":" FNR ": " msg > "/dev/stderr"; failed = 1; exit 1 }
FNR == NR {
	if ($1 == "config") { cur = $2; order[++n] = cur; type[cur] = ""; next }
	if ($1 == "menu" || $1 == "endmenu" || $1 == "mainmenu") { cur = ""; next }
	if ($1 ~ /^(choice|endchoice|if|endif|menuconfig|select|imply|range|source)$/) fail("unsupported: " $1)
	if (cur == "") next
	if ($1 == "bool" || $1 == "string") { type[cur] = $1; next }
	if ($1 ~ /^(int|hex|tristate)$/) fail("unsupported type: " $1)
	if ($1 == "default") {
		if ($3 == "if") fail("unsupported: default ... if")
		v = $0; sub(/^[ \t]*default[ \t]+/, "", v); def[cur] = v; next
	}
	if ($1 == "depends" && $2 == "on") {
		d = $0; sub(/^[ \t]*depends[ \t]+on[ \t]+/, "", d)
		if (d ~ /[|!()=]/) fail("unsupported dependency: " d)
		gsub(/[ \t]*&&[ \t]*/, " ", d); deps[cur] = deps[cur] " " d; next
	}
	if ($1 == "help") { cur = ""; next }	# help text to the next config
	next
}
/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); set[substr($0, 8, i - 8)] = substr($0, i + 1); next }
/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { set[substr($2, 8)] = "n"; next }
END {
	if (failed) exit 1
	for (pass = 0; pass < n + 1; pass++) {
		changed = 0
		for (k = 1; k <= n; k++) {
			s = order[k]; ok = 1
			m = split(deps[s], dl, " ")
			for (j = 1; j <= m; j++) if (val[dl[j]] != "y") ok = 0
			if (!ok) v = "-"
			else if ((s in set) && !(type[s] == "string" && set[s] == "n")) v = set[s]	# "is not set" means nothing to a string
			else if (type[s] == "bool") v = (def[s] == "y") ? "y" : "n"
			else v = def[s]
			if (val[s] != v) { val[s] = v; changed = 1 }
		}
		if (!changed) break
	}
	for (k = 1; k <= n; k++) {
		s = order[k]
		if (val[s] == "-") continue
		if (type[s] == "bool") print (val[s] == "y" ? "CONFIG_" s "=y" : "# CONFIG_" s " is not set")
		else print "CONFIG_" s "=" val[s]
	}
}
