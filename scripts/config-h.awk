# SPDX-License-Identifier: Apache-2.0
# Kconfig + .config -> config.h, busybox style: CONFIG_X is defined only
# when set, ENABLE_X is always defined to 0 or 1 so plain C `if` can test
# it. Kconfig is read first for every bool symbol: one whose dependencies
# are off does not appear in .config at all, and is 0 too.
# usage: awk -f config-h.awk Kconfig .config
BEGIN { print "/* generated from .config by scripts/config-h.awk: do not edit */"; print "#ifndef BERTH_GENERATED_CONFIG_H"; print "#define BERTH_GENERATED_CONFIG_H" }
FNR == NR { if ($1 == "config") sym[$2] = 1; if ($1 == "bool") isbool[last] = 1; if ($1 == "config") last = $2; next }
/^CONFIG_[A-Za-z0-9_]+=y$/ { n = substr($0, 8, index($0, "=") - 8); seen[n] = 1; print "#define CONFIG_" n " 1"; print "#define ENABLE_" n " 1"; next }
/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); n = substr($0, 8, i - 8); seen[n] = 1; print "#define CONFIG_" n " " substr($0, i + 1); next }
/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { n = substr($2, 8); seen[n] = 1; print "#undef CONFIG_" n; print "#define ENABLE_" n " 0"; next }
END {
	for (n in sym)
		if (!(n in seen) && (n in isbool)) { print "#undef CONFIG_" n; print "#define ENABLE_" n " 0" }
	print "#endif"
}
