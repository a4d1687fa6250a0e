/*
 * util.h - the small shared toolbox every module links: allocation that
 * aborts on exhaustion, a growable string buffer, SHA-256, durable file
 * writes, making hostile text visible, and time/name helpers.
 *
 * Nothing here knows about the store, the terminal or HTTP.
 */
#ifndef LB_UTIL_H
#define LB_UTIL_H

#include <stdarg.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* --- allocation: out of memory is fatal (tier one of STYLE.md's errors) --- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Frees *p and sets it to NULL. */
void xfree(void *pp);

/* Prints "lightbox: MSG" to stderr and aborts: broken invariants only. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* --- growable, always NUL-terminated string buffer --- */
struct sbuf {
	char *s;    /* owned; "" after sb_init */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
};
void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_reset(struct sbuf *b);  /* length 0, keeps memory */
void sb_add(struct sbuf *b, const void *data, size_t n);
void sb_adds(struct sbuf *b, const char *s);
void sb_addc(struct sbuf *b, char c);
void sb_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(struct sbuf *b); /* caller owns the string; b is reset */

/* --- making outside text safe to show ---
 * Appends s to out with every control character made visible: C0 as ^X
 * (ESC as ^[), DEL as ^?, C1 (U+0080..U+009F) as <9b>, invalid UTF-8
 * bytes as \xNN.  Newlines and tabs become "^J"/"^I" unless keep_nl is
 * set, in which case '\n' is kept and '\t' becomes spaces to the next
 * multiple of 8 columns.  The result never holds a byte < 0x20 except
 * '\n' (when kept), nor 0x7f, nor a C1 code point. */
void util_visible(struct sbuf *out, const char *s, size_t n, int keep_nl);
char *util_visible_dup(const char *s, int keep_nl); /* owned result */
/* util_visible with the bytes i where mask[i] is 1 (mask: n bytes, 0 or
 * 1) between UTIL_MARK_ON and UTIL_MARK_OFF (a search's matches): each
 * character's visible form is inside a mark whole, by its first byte,
 * so a mark never splits the ^X of a control character. */
#define UTIL_MARK_ON '\x01'
#define UTIL_MARK_OFF '\x02'
void util_visible_marked(struct sbuf *out, const char *s, size_t n, int keep_nl, const char *mask);
/* A user's value for a message: util_visible of at most max bytes of s
 * (cut at a character boundary), and when s is longer, followed by
 * "... (N bytes, cut)" with N the whole length.  Owned. */
char *util_visible_cut(const char *s, size_t max);
/* 1 if s is valid UTF-8 with no control characters (tab allowed). */
int util_text_is_clean(const char *s, size_t n);
/* 1 if the n bytes at s are valid UTF-8. */
int util_utf8_valid(const char *s, size_t n);
/* Decodes the UTF-8 sequence at s (at most n bytes) into *cp and returns its
 * length (1..4), or 0 for invalid, overlong, surrogate or truncated input. */
size_t util_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Writes the UTF-8 form of code point cp (at most U+10FFFF, not a
 * surrogate) into out and returns its length, 1 to 4. */
size_t util_utf8_encode(uint32_t cp, char out[4]);

/* Display columns of valid UTF-8 text (wcwidth; invalid bytes count 4,
 * as util_visible shows them).  Needs an UTF-8 LC_CTYPE for non-ASCII. */
int util_width(const char *s);
/* The longest prefix of s that fits in width columns, with "…" appended
 * when cut (and width >= 1).  Owned. */
char *util_clip(const char *s, int width);

/* --- JSON from outside text (json.c, the one part of util/ on jansson) --- */
struct json_t;
/* A JSON string of s (null for NULL); JSON strings are UTF-8, so text
 * that is not is shown as util_visible_dup(s, 1) does.  New reference. */
struct json_t *util_json_str(const char *s);
/* The JSON that text holds (parameters as stored); an empty object when
 * text is NULL, empty or not JSON.  New reference. */
struct json_t *util_json_params(const char *text);

/* --- SHA-256 (OpenSSL's libcrypto) --- */
struct sha256 {
	void *ctx; /* an EVP_MD_CTX, owned from sha256_init to sha256_final or sha256_drop */
};
void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* Writes the digest and frees the context. */
void sha256_final(struct sha256 *c, unsigned char out[32]);
/* Frees a context given up before sha256_final (an error path). */
void sha256_drop(struct sha256 *c);
void sha256_hex(const unsigned char digest[32], char hex[65]);
/* Hashes a whole buffer into hex. */
void sha256_buf_hex(const void *data, size_t n, char hex[65]);

/* --- files --- */
/* mkdir -p with mode 0777 & ~umask; 0 or -1 with errno set. */
int util_mkdir_p(const char *path);
/* Writes data to path durably: a unique PATH.tmp.XXXXXX → write → fsync → rename →
 * fsync(dir).  0, or -1 with errno set and no file left behind. */
int util_write_atomic(const char *path, const void *data, size_t n);
/* Writes all n bytes to fd: carries on after short counts and EINTR, waits for room on a
 * non-blocking fd.  0, or -1 with errno saying why (ENOSPC when a write made no progress). */
int util_write_all(int fd, const void *data, size_t n);
/* Writes the byte c to a wake-up pipe, again after EINTR; a full pipe is already awake. */
void util_wake(int fd, char c);
/* What to do about a write that failed with err, as "; free some space ..." to append to a
 * message that names the file and strerror(err); "" when there is nothing to add. */
const char *util_write_hint(int err);
/* The process's umask, read without changing it (thread-safe). */
mode_t util_umask(void);

/* --- threads --- */
/* pthread_create with every signal blocked in the new thread: signals are
 * the interface's (or the command's) main thread's, so a helper thread is
 * never interrupted mid-call and a handler never runs there.  0 or an
 * errno value, as pthread_create. */
int util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
/* fsyncs the directory holding path (for a rename to be durable). */
int util_fsync_dir_of(const char *path);
/* Reads a whole file (at most max bytes; -1 with errno=EFBIG beyond).
 * *out is owned by the caller and NUL-terminated. */
int util_read_file(const char *path, size_t max, char **out, size_t *len);
/* The same from an open descriptor, to its end (the caller closes it). */
int util_read_fd(int fd, size_t max, char **out, size_t *len);
/* The last path component's extension without the dot, lower-cased into
 * buf (at most 15 chars), or "" when there is none. */
const char *util_ext(const char *path, char buf[16]);
/* Base name (pointer into path). */
const char *util_basename(const char *path);

/* --- modes in a store (perm.c) ---
 * A store registers its folder when opened; files and folders made under
 * it then get 0660/2770 in the folder's group when the folder is
 * group-writable (a shared store), else 0600/0700, whatever the umask.
 * Elsewhere the umask's 0666/0777 apply. */
void util_perm_store(const char *root);
/* The modes for something made at path; 1 when path is in a store. */
int util_perm_of(const char *path, mode_t *file, mode_t *dir, gid_t *gid);
/* Gives a file just made at path (open fd) the mode and group it needs. */
int util_perm_fix_fd(int fd, const char *path);
/* The same for a folder just made (mkdtemp); nothing outside a store. */
int util_perm_fix_dir(const char *path);
/* open(path, flags | O_CREAT | O_CLOEXEC) with the mode path needs. */
int util_perm_open(const char *path, int flags);
/* "PATH (owner bob, group team, mode 0644)".  Owned. */
char *util_perm_owner(const char *path);
/* When path (or the folder it would be made in) cannot be written by
 * this user: "alice cannot write PATH (owner ...); ..." naming the
 * culprit and what to do.  NULL when permissions are not the trouble. */
char *util_perm_blocker(const char *path);
/* The login of the real user ("uid<N>" when it has no name).  Owned. */
char *util_login(void);
char *util_user_name(uid_t uid);
char *util_group_name(gid_t gid);
/* s as one word for a POSIX shell: unchanged when plain, else quoted.
 * Owned. */
char *util_shell_quote(const char *s);

/* --- the user's editor --- */
/* Runs argv (argv[0] looked up in PATH, no shell) in the foreground,
 * with in as its standard input unless in < 0, and waits for it: SIGINT
 * and SIGQUIT are ignored meanwhile (they are the child's), and the
 * child gets SIGINT, SIGQUIT, SIGWINCH and SIGPIPE at their defaults.
 * *status as waitpid gives it (127: not found).  0, or -1 with errno
 * when it could not be started. */
int util_run_wait(char *const argv[], int in, int *status);
/* Runs the user's editor on path and waits: editor (if non-empty), else
 * $VISUAL, else $EDITOR, else vi.  It runs through /bin/sh so that
 * "code --wait" works; path is passed as an argument, never spliced into
 * the command.  0 when it exited 0; else -1 and *err (owned) says why. */
int util_run_editor(const char *editor, const char *path, char **err);

/* --- names and time --- */
/* Seconds since the epoch. */
int64_t util_now(void);
/* Monotonic milliseconds, for timing. */
double util_mono_ms(void);
/* Short age of a timestamp relative to now: "now", "42s", "5m", "3h", "2d", "7w", "1y". */
void util_age(int64_t then, int64_t now, char buf[16]);
/* ISO 8601 UTC "2026-11-27T21:04:59Z". */
void util_iso8601(int64_t t, char buf[32]);
/* Lower-case ASCII slug of a name: letters and digits, '-' between words;
 * "untitled" when nothing is left.  Owned result. */
char *util_slug(const char *name);
/* The curator: $LIGHTBOX_CURATOR, else util_login(). Owned. */
char *util_curator(void);
/* Parses a whole base-10 integer within [min,max]; 0 or -1. */
int util_parse_int(const char *s, long long min, long long max, long long *out);

#endif
