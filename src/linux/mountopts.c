/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <sys/mount.h>
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/linux/mountopts.h"
#include "berth/util/util.h"

/* Names kept in the tables, not pointed to: no pointer per entry. The
 * longest, "nostrictatime", fills name with its NUL (test_oci.c checks
 * every word). */
static const struct {
	char name[14];
	bool clear;
	unsigned flag;
} flag_words[] = {
	{ "defaults", false, 0 },
	{ "ro", false, MS_RDONLY }, { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID }, { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV }, { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC }, { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK }, { "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME }, { "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
	{ "silent", false, MS_SILENT }, { "loud", true, MS_SILENT },
};

static const struct {
	char name[12];
	unsigned flags;
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
