/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo, read the one way: whole lines however long (an
 * overlay's options run past any fixed buffer), the fields split, the
 * paths' octal escapes undone (\040 is a space in a mount point). */
#ifndef BERTH_UTIL_MOUNTINFO_H
#define BERTH_UTIL_MOUNTINFO_H

struct mountinfo {
	const char *root;		/* of the mount, within its filesystem */
	const char *mount_point;
	const char *options;		/* per mount: rw,nosuid,... */
	const char *fstype;
	const char *source;
	const char *super_options;	/* per filesystem ("" if none) */
};

/* Splits one line in place (its newline, if any, is dropped): 0, or -1
 * when it is not a mountinfo line. */
int mountinfo_parse(char *line, struct mountinfo *m);

/* Calls fn for each mount of this process's mount namespace, in the
 * kernel's order (a mount after the one it sits on); stops at the first
 * non-zero answer and returns it. 0: all seen; -1 (errno): unreadable. */
int mountinfo_each(int (*fn)(const struct mountinfo *m, void *arg), void *arg);

#endif
