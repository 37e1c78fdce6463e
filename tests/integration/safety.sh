#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What runc and crun learned the hard way.
. "$(dirname "$0")/../lib.sh"

# No host fd reaches the container (CVE-2024-21626 style leaks).
bd=$(new_bundle fds 'ls /proc/self/fd | sort -n | tr "\n" " "')
OUT=$(b run --bundle "$bd" fds 7>/etc/hostname 2>&1 9</dev/null); RC=$?
expect "only stdio reaches the container (plus ls's own dir fd)" "0 1 2 3 " "$OUT"
OUT=$(b run --preserve-fds 1 --bundle "$bd" fds 3</dev/null 2>&1); RC=$?
expect "--preserve-fds 1 passes fd 3" "0 1 2 3 4 " "$OUT"

# The init that waits in a container runs from a sealed copy of berth:
# /proc/<pid>/exe cannot be written (CVE-2019-5736).
bd=$(new_bundle exe 'true')
b create --bundle "$bd" exe
pid=$(b state exe | jq -r .pid)
expect_match "init runs from a memfd copy" "memfd:berth" "$(readlink /proc/$pid/exe)"
if sh -c "echo overwritten >> /proc/$pid/exe" 2>/dev/null; then fail "/proc/<pid>/exe cannot be written"; else ok "/proc/<pid>/exe cannot be written"; fi
b delete exe
sum=$(md5sum < "$BERTH")
expect "the berth binary is unchanged" "$sum" "$(md5sum < "$BERTH")"
