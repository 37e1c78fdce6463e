/* SPDX-License-Identifier: Apache-2.0 */
/* What a checked file is for (berth/spec/target.h): this build, or the
 * device's, read from its Kconfig .config; and where the files it names
 * are, this machine's or the device's root filesystem (--sysroot). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/spec/target.h"
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* A build that runs containers checks for itself; one that only checks
 * (a build host's) lets everything through until told the device's. */
unsigned target_features = ENABLE_OCI_RUNTIME ? TARGET_THIS_BUILD : (1u << TF_COUNT) - 1;
static char *described;	/* "the build of FILE", once told */

const char *target_build(void)
{
	return described ? described : "this build";
}

static bool is_symbol_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* One line: "CONFIG_NAME=VALUE" or a comment (Kconfig writes
 * "# CONFIG_NAME is not set"), or empty. Sets *mask's bit for a feature
 * set to y, and *supervisor. */
static int config_line(const char *line, size_t len, const char *path, int n, unsigned *mask, bool *supervisor)
{
	if (!len || line[0] == '#')
		return 0;
	size_t name = strlen("CONFIG_"), end = name;
	while (end < len && is_symbol_char(line[end]))
		end++;
	if (len < name || memcmp(line, "CONFIG_", name) || end == name || end == len || line[end] != '=')
		return log_error("%s:%d: not a line of a Kconfig .config (CONFIG_NAME=VALUE or a # comment)", path, n);
	const char *sym = line + name, *value = line + end + 1;
	size_t sym_len = end - name, value_len = len - end - 1;
	bool yes = value_len == 1 && value[0] == 'y', no = value_len == 1 && value[0] == 'n';
	if (sym_len == strlen("SUPERVISOR") && !memcmp(sym, "SUPERVISOR", sym_len))
		*supervisor = yes;
	for (int f = 0; f < TF_COUNT; f++) {
		const char *symbol = target_symbol(f);
		if (sym_len != strlen(symbol) || memcmp(sym, symbol, sym_len))
			continue;
		if (!yes && !no)
			return log_error("%s:%d: CONFIG_%s: expected y or n, got \"%.*s\"", path, n, symbol,
					 (int)(value_len > 40 ? 40 : value_len), value);
		*mask = yes ? *mask | 1u << f : *mask & ~(1u << f);
	}
	return 0;
}

long target_parse_config(const char *text, const char *path)
{
	unsigned mask = 0;
	bool supervisor = false;
	int n = 0, errors = 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (config_line(line, len, path, ++n, &mask, &supervisor) < 0)
			errors++;
		line += len + (nl != NULL);
	}
	if (errors)
		return -1;
	/* Kconfig leaves a symbol whose dependencies are off out of .config:
	 * absent is not set. A build without the supervisor (or a defconfig,
	 * which lists only what differs) is not the device's berth. */
	if (!supervisor)
		return log_error("%s: CONFIG_SUPERVISOR is not set: that build runs no service files "
				 "(give the .config of the device's berth, from its build directory)", path);
	return (long)mask;
}

int target_use_config(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return log_error("%s: %m", path);
	long mask = strlen(text) != len ? log_error("%s: not a Kconfig .config (it holds a NUL byte)", path)
					: target_parse_config(text, path);
	free(text);
	if (mask < 0)
		return -1;
	free(described);
	if (asprintf(&described, "the build of %s", path) < 0)
		described = NULL;
	target_features = (unsigned)mask;
	return 0;
}

static const char **sysroots;
static size_t n_sysroots;

int target_add_sysroot(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return log_error("--sysroot %s: %m", dir);
	if (!S_ISDIR(st.st_mode))
		return log_error("--sysroot %s: not a directory", dir);
	const char **grown = realloc(sysroots, (n_sysroots + 1) * sizeof(*sysroots));
	if (!grown)
		return log_error("out of memory");
	sysroots = grown;
	sysroots[n_sysroots++] = dir;
	return 0;
}

size_t target_sysroots(void)
{
	return n_sysroots;
}

const char *target_sysroot_note(void)
{
	return n_sysroots ? " (looked up in --sysroot)" : "";
}

/* An O_PATH fd of path inside the first sysroot that has it, or -1 with
 * errno (ENOENT when none has it). */
static int sysroot_open(const char *path)
{
	int err = ENOENT;
	for (size_t i = 0; i < n_sysroots; i++) {
		int root = openat(AT_FDCWD, sysroots[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		int fd = root < 0 ? -1 : inroot_open(root, path, 0);
		if (fd < 0 && errno != ENOENT)
			err = errno;
		if (root >= 0)
			close(root);
		if (fd >= 0)
			return fd;
	}
	errno = err;
	return -1;
}

char *target_read_file(const char *path, size_t *len)
{
	if (!n_sysroots)
		return read_file(path, len);
	int fd = sysroot_open(path);
	if (fd < 0)
		return NULL;
	struct fd_path fp;
	char *text = read_file(fd_path(fd, &fp), len);
	int err = errno;
	close(fd);
	errno = err;
	return text;
}

int target_stat(const char *path, struct stat *st)
{
	if (!n_sysroots)
		return stat(path, st);
	int fd = sysroot_open(path);
	if (fd < 0)
		return -1;
	int r = fstat(fd, st), err = errno;
	close(fd);
	errno = err;
	return r;
}
