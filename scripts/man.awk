# SPDX-License-Identifier: Apache-2.0
# A manual page from its Markdown source (docs/man/NAME.SECTION.md), in
# the small subset those sources use, so that they read well as they are
# and need no converter beyond awk to build:
#   # NAME(SECTION) -- what it is       the title line (.TH, NAME)
#   ## HEADING, ### Subheading          .SH, .SS
#   paragraphs; `code` bold, *word* italic
#   - item                              bulleted list
#   `term` ... (one line)               a tagged paragraph (.TP): the next
#   :   description                     lines starting with ":" or four
#       more description                blanks describe it
#   ``` ... ```                         an example, verbatim
# usage: awk -v version=V -f man.awk docs/man/berth.8.md > berth.8
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}
function inline(s,    out, i, c, j) {
	s = esc(s)
	out = ""
	while ((i = match(s, /`[^`]+`|\*[^* ][^*]*\*/)) > 0) {
		c = substr(s, RSTART, RLENGTH)
		out = out substr(s, 1, RSTART - 1) (c ~ /^`/ ? "\\fB" : "\\fI") substr(c, 2, RLENGTH - 2) "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	out = out s
	if (out ~ /^[.']/) out = "\\&" out
	return out
}
{ line[NR] = $0 }
END {
	if (!match(line[1], /^# [a-z.]+\([1-8]\) -- /)) { print "man.awk: line 1: expected '# name(N) -- what it is'" > "/dev/stderr"; exit 1 }
	split(line[1], w, " ")
	name = substr(w[2], 1, index(w[2], "(") - 1); sec = substr(w[2], index(w[2], "(") + 1, 1)
	desc = line[1]; sub(/^[^-]*-- /, "", desc)
	printf ".TH %s %s \"\" \"berth %s\" \"berth manual\"\n", toupper(name), sec, version
	print ".SH NAME"; print esc(name) " \\- " esc(desc)
	para = 0; verb = 0
	for (i = 2; i <= NR; i++) {
		l = line[i]
		if (l ~ /^```/) {
			if (!verb) { print ".PP"; print ".RS 4"; print ".nf"; verb = 1 } else { print ".fi"; print ".RE"; verb = 0; para = 0 }
			continue
		}
		if (verb) { gsub(/\\/, "\\e", l); if (l ~ /^[.']/) l = "\\&" l; print l; continue }
		if (l ~ /^## /) { sub(/^## /, "", l); print ".SH " toupper(l); para = 0; continue }
		if (l ~ /^### /) { sub(/^### /, "", l); print ".SS " inline(l); para = 0; continue }
		if (l ~ /^[ \t]*$/) { para = 0; continue }
		if (l ~ /^- /) { sub(/^- /, "", l); print ".IP \\(bu 2"; print inline(l); para = 1; continue }
		if (l ~ /^:   / || (l ~ /^    / && para)) {
			sub(/^(:|    )   ?/, "", l); sub(/^ +/, "", l)
			if (l ~ /^Example:/) print ".br"	# on a line of its own
			print inline(l); para = 1; continue
		}
		if (line[i + 1] ~ /^:   /) { print ".TP"; print inline(l); para = 1; continue }
		sub(/^[ \t]+/, "", l)
		if (!para) print ".PP"
		print inline(l); para = 1
	}
	if (verb) { print "man.awk: an example (```) is not closed" > "/dev/stderr"; exit 1 }
}
