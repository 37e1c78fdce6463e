#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# process.terminal: a pty inside the container, relayed by `run` in the
# foreground or handed to --console-socket as containerd and conmon expect.
. "$(dirname "$0")/../lib.sh"

# run in the foreground, under script(1) so that berth itself has a tty.
bd=$(new_bundle tty 'tty; [ -t 0 ] && echo stdin-is-a-tty; stty size; echo console-major=$(stat -c %t /dev/console); exit 3')
edit "$bd" '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
if command -v script >/dev/null; then
	OUT=$(in_terminal "stty rows 40 cols 120; $BERTH --root $ROOT run --bundle $bd tty; echo rc=\$?")
	expect_match "run: the container has a pty" "/dev/pts/[0-9]+$" "$OUT"
	expect_match "run: its stdin is the terminal" "stdin-is-a-tty" "$OUT"
	expect_match "run: the window size follows berth's terminal" "^40 120$" "$OUT"
	expect_match "run: /dev/console is the pty (major 136)" "console-major=88" "$OUT"
	expect_match "run: exit code through the terminal relay" "rc=3" "$OUT"
	assert_clean tty "run with a terminal"
else
	skip "run with a terminal" "no script(1)"
fi

# --console-socket: create + start, the master goes to the receiver.
recv=$TESTROOT/console_receiver
if host_helper console_receiver "$recv"; then
	sock=$TESTROOT/console.sock
	bd=$(new_bundle csock 'read line; echo "got $line"; tty; stty size')
	edit "$bd" '.process.terminal = true | .process.consoleSize = {height: 25, width: 90}'
	"$recv" "$sock" "$TESTROOT/console.name" "typed-in
" > "$TESTROOT/console.out" & rp=$!
	wait_until 30 test -S "$sock"
	check "create --console-socket" b create --bundle "$bd" --console-socket "$sock" csock
	check "start" b start csock
	wait $rp
	out=$(tr -d '\r' < "$TESTROOT/console.out")
	expect_match "console-socket: the receiver gets the pty name" "^/dev/pts/[0-9]+$" "$(cat "$TESTROOT/console.name")"
	expect_match "console-socket: input typed into the master reaches the container" "got typed-in" "$out"
	expect_match "console-socket: the container writes to the pty" "^/dev/pts/[0-9]+$" "$out"
	expect_match "console-socket: consoleSize" "^25 90$" "$out"
	b delete -f csock
	assert_clean csock "console-socket"
else
	skip "--console-socket" "no C compiler"
fi

# runc's rules on terminals.
bd=$(new_bundle ttyerr 'true')
edit "$bd" '.process.terminal = true'
err=$(b create --bundle "$bd" ttyerr 2>&1)
expect_match "terminal without --console-socket on create is refused" "give --console-socket" "$err"
assert_clean ttyerr "refused terminal"
edit "$bd" '.process.terminal = false'
err=$(b create --bundle "$bd" --console-socket /nonexistent ttyerr 2>&1)
expect_match "--console-socket without a terminal is refused" "process.terminal is false" "$err"
edit "$bd" '.process.terminal = true'
err=$(b create --bundle "$bd" --console-socket /nonexistent/sock ttyerr 2>&1)
expect_match "an absent console socket fails the create" "console-socket /nonexistent/sock: No such file" "$err"
assert_clean ttyerr "absent console socket"
