#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# berth console-shell (and PID 1's shells, which share linux/tty.c): the
# terminal is asked where its cursor is once; where nothing answers (a
# record of the console), echo goes off, so that busybox ash reads plain
# lines and sends no more queries into the record. Where the terminal
# answers, line editing stays, queries and all. Real ash on a real pty.
. "$(dirname "$0")/../lib.sh"
pty=$TESTROOT/pty_run
if ! host_helper pty_run "$pty"; then
	skip "console-shell" "no C compiler for the pty helper"
	exit 0
fi
esc=$(printf '\033')
queries() { grep -o "$esc\[6n" "$1" | wc -l; }
out=$TESTROOT/console-shell.out

# Nobody answers: one query (the probe), then plain lines.
PS1='PROMPT> ' "$pty" -p 'PROMPT> ' -t 'echo A-$((40+2))' -t 'echo B-$((40+3))' -t exit -- \
	"$BERTH" console-shell "$BUSYBOX" sh -i > "$out" 2>&1
rc=$?
text=$(tr -d '\r' < "$out")
expect "no answer: the shell ran and exited 0" 0 "$rc"
expect "no answer: one query, the probe, though ash prompted 3 times" 1 "$(queries "$out")"
expect_match "no answer: the shell's output, each on its own line (ECHONL)" "^A-42$" "$text"
expect_match "no answer: the next command runs too" "^B-43$" "$text"
if printf '%s\n' "$text" | grep -q 'echo A-'; then fail "no answer: echo is off (the typed line is not echoed)" "$text"
else ok "no answer: echo is off (the typed line is not echoed)"; fi
expect_match "no answer: it says why typing is not echoed" "did not answer a terminal query: plain lines, without echo" "$text"
"$pty" -- "$BERTH" console-shell /bin/sh -c 'stty -a' > "$out" 2>&1
expect_match "no answer: -echo echonl" "(^| )-echo .* echonl " "$(tr -d '\r' < "$out" | tr '\n' ' ')"

# A terminal that answers: nothing changes; ash keeps asking, and is answered.
PS1='PROMPT> ' "$pty" -a -p 'PROMPT> ' -t 'echo A-$((40+2))' -t exit -- \
	"$BERTH" console-shell "$BUSYBOX" sh -i > "$out" 2>&1
text=$(tr -d '\r' < "$out")
n=$(queries "$out")
if [ "$n" -ge 3 ]; then ok "answered: ash's line editing stays (its own queries: $n)"; else fail "answered: ash's line editing stays" "$n queries in [$text]"; fi
expect_match "answered: the typed line is echoed" "echo A-\\$\\(\\(40\\+2\\)\\)" "$text"
if printf '%s\n' "$text" | grep -q 'did not answer'; then fail "answered: no note" "$text"; else ok "answered: no note"; fi
"$pty" -a -- "$BERTH" console-shell /bin/sh -c 'stty -a' > "$out" 2>&1
expect_match "answered: echo -echonl, as before" "(^| )echo .* -echonl " "$(tr -d '\r' < "$out" | tr '\n' ' ')"

# Not a terminal: no query at all; the program runs.
o=$("$BERTH" console-shell /bin/sh -c 'echo plain' < /dev/null 2>&1)
expect "not a terminal: no query, the program runs" plain "$o"
o=$("$BERTH" console-shell 2>&1 <<'SH'
echo default-sh
SH
)
expect "no PROGRAM: /bin/sh" default-sh "$o"
o=$("$BERTH" console-shell /nonexistent/sh < /dev/null 2>&1); rc=$?
expect "a program that is not there: status 127" 127 "$rc"
expect_match "a program that is not there: named" "console-shell: /nonexistent/sh: No such file" "$o"
