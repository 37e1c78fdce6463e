# SPDX-License-Identifier: Apache-2.0
# The welcome service's script (welcome.conf): once crashy has failed (or
# was skipped) and web is ready, show `berth ctl list` on the console and
# what to try. Waited for, up to two minutes by the clock, not slept: a
# busy emulated board is slow, and each turn of this loop costs more there.
up() { awk '{ printf "%d", $1 }' /proc/uptime; }
deadline=$(($(up) + 120))
until l=$(berth ctl list); echo "$l" | grep -Eq '^crashy +(failed|stopped)' && echo "$l" | grep -Eq '^web +ready' ||
	[ "$(up)" -ge "$deadline" ]; do
	sleep 0.1
done
berth ctl list
echo "try: berth ctl status crashy | berth ctl logs crashy | berth ctl exec web ps | berth ctl exec web wget -qO- http://127.0.0.1/ | berth ctl logs web | berth ctl poweroff"
