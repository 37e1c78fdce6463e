# SPDX-License-Identifier: Apache-2.0
# The welcome service's script (welcome.conf): once crashy has failed (or
# was skipped) and web is ready, show `berth ctl list` on the console and
# what to try. Waited for, up to two minutes, not slept: a busy emulated
# board is slow.
for i in $(seq 1 1200); do
	l=$(berth ctl list)
	echo "$l" | grep -Eq '^crashy +(failed|stopped)' && echo "$l" | grep -Eq '^web +ready' && break
	sleep 0.1
done
berth ctl list
echo "try: berth ctl status crashy | berth ctl logs crashy | berth ctl exec web ps | berth ctl exec web wget -qO- http://127.0.0.1/ | berth ctl logs web | berth ctl poweroff"
