/* SPDX-License-Identifier: Apache-2.0 */
/* The least of D-Bus berth needs to ask systemd for a transient unit:
 * one connection (EXTERNAL authentication), method calls whose bodies are
 * built with the writers below, and their reply or error. No library
 * (libdbus and sd-bus are shared, and far larger than these few calls).
 * Values are written in this machine's byte order, which the message's
 * first byte declares; replies in either order are read. */
#ifndef BERTH_DBUS_H
#define BERTH_DBUS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing buffer of marshalled values; `failed` once out of memory. */
struct dbus_buf {
	unsigned char *p;
	size_t len, cap;
	bool failed;
};
void dbus_buf_free(struct dbus_buf *b);
void dbus_put_byte(struct dbus_buf *b, uint8_t v);
void dbus_put_bool(struct dbus_buf *b, bool v);
void dbus_put_u32(struct dbus_buf *b, uint32_t v);
void dbus_put_u64(struct dbus_buf *b, uint64_t v);
void dbus_put_string(struct dbus_buf *b, const char *s);	/* 's' and 'o' */
void dbus_put_signature(struct dbus_buf *b, const char *s);	/* 'g', and a variant's type */
void dbus_put_struct(struct dbus_buf *b);			/* aligns: a struct or dict entry starts */
/* An array: begin writes a length to be filled in and the padding before
 * the first element (8 for structs and dict entries); end fills it in. */
struct dbus_array {
	size_t at, start;
};
struct dbus_array dbus_array_begin(struct dbus_buf *b, size_t element_alignment);
void dbus_array_end(struct dbus_buf *b, struct dbus_array a);

struct dbus {
	int fd;
	uint32_t serial;
};
/* Connect to a unix socket and authenticate as this process's uid; with
 * `bus`, a message bus (not a peer such as /run/systemd/private): say
 * Hello. Sends and receives give up after timeout_ms. 0, or -1 logged. */
int dbus_open(struct dbus *c, const char *path, bool bus, int timeout_ms);
void dbus_close(struct dbus *c);

/* A method's outcome: error set for an error reply, with its name and
 * message (the first string of its body, if any). */
struct dbus_reply {
	bool error;
	char name[256];
	char message[512];
};
/* Call dest's path/iface.member with `sig` and a body from the writers
 * (NULL: none); wait for the reply, skipping other messages (signals).
 * 0 with *r filled (an error reply is 0 too), -1 logged when the
 * connection failed. */
int dbus_call(struct dbus *c, const char *dest, const char *path, const char *iface, const char *member,
	      const char *sig, const struct dbus_buf *body, struct dbus_reply *r);

/* Parse one received message (for tests and fuzzing): its type, the
 * serial it replies to, and for an error its name and message. 0, or -1
 * when it is malformed. */
int dbus_parse_reply(const unsigned char *msg, size_t len, int *type, uint32_t *reply_serial, struct dbus_reply *r);
/* The length of the message whose first 16 bytes are `head`, or 0 when
 * they are not a message's start (or it is larger than berth accepts). */
size_t dbus_message_length(const unsigned char *head);

#endif
