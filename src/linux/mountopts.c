/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <sys/mount.h>
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/linux/mountopts.h"
#include "berth/util/util.h"

static const struct {
	const char *name;
	unsigned long flag;
	bool clear;
} flag_words[] = {
	{ "defaults", 0, false },
	{ "ro", MS_RDONLY, false }, { "rw", MS_RDONLY, true },
	{ "nosuid", MS_NOSUID, false }, { "suid", MS_NOSUID, true },
	{ "nodev", MS_NODEV, false }, { "dev", MS_NODEV, true },
	{ "noexec", MS_NOEXEC, false }, { "exec", MS_NOEXEC, true },
	{ "sync", MS_SYNCHRONOUS, false }, { "async", MS_SYNCHRONOUS, true },
	{ "dirsync", MS_DIRSYNC, false },
	{ "remount", MS_REMOUNT, false },
	{ "mand", MS_MANDLOCK, false }, { "nomand", MS_MANDLOCK, true },
	{ "noatime", MS_NOATIME, false }, { "atime", MS_NOATIME, true },
	{ "nodiratime", MS_NODIRATIME, false }, { "diratime", MS_NODIRATIME, true },
	{ "relatime", MS_RELATIME, false }, { "norelatime", MS_RELATIME, true },
	{ "strictatime", MS_STRICTATIME, false }, { "nostrictatime", MS_STRICTATIME, true },
	{ "silent", MS_SILENT, false }, { "loud", MS_SILENT, true },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagation_words[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

unsigned long propagation_from_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagation_words); i++)
		if (!strcmp(s, propagation_words[i].name))
			return propagation_words[i].flags;
	return 0;
}

int mountopt_apply(struct spec_mount *m, struct arena *a, const char *word, const char *where)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_words); i++) {
		if (strcmp(word, flag_words[i].name))
			continue;
		if (flag_words[i].clear) {
			m->flags &= ~flag_words[i].flag;
			m->clear |= flag_words[i].flag;
		} else {
			m->flags |= flag_words[i].flag;
			m->clear &= ~flag_words[i].flag;
		}
		return 0;
	}
	unsigned long prop = propagation_from_name(word);
	if (prop) {
		m->propagation = prop;
		return 0;
	}
	if (!strcmp(word, "bind") || !strcmp(word, "rbind")) {
		m->bind = true;
		m->recursive_bind = word[0] == 'r';
		return 0;
	}
	if (!strcmp(word, "tmpcopyup")) {
		m->copy_up = true;
		return 0;
	}
	if (!strcmp(word, "idmap") || !strcmp(word, "ridmap")) {
		if (!ENABLE_IDMAP_MOUNTS)
			return log_error("%s: mount option \"%s\": not in this build (CONFIG_IDMAP_MOUNTS)", where, word);
		m->idmap = word[0] == 'r' ? IDMAP_RECURSIVE : IDMAP_FLAT;
		return 0;
	}
	/* Anything else belongs to the filesystem: "mode=755", "size=64k". */
	m->data = m->data ? arena_printf(a, "%s,%s", m->data, word) : arena_strdup(a, word);
	return 0;
}

const char *mountopt_name(size_t i)
{
	/* the last two only in builds with CONFIG_IDMAP_MOUNTS */
	static const char *const others[] = { "bind", "rbind", "tmpcopyup", "idmap", "ridmap" };
	size_t n_others = ARRAY_SIZE(others) - (ENABLE_IDMAP_MOUNTS ? 0 : 2);
	if (i < ARRAY_SIZE(flag_words))
		return flag_words[i].name;
	i -= ARRAY_SIZE(flag_words);
	if (i < ARRAY_SIZE(propagation_words))
		return propagation_words[i].name;
	i -= ARRAY_SIZE(propagation_words);
	return i < n_others ? others[i] : NULL;
}
