/*
 * spill.c - generated text that never sits whole in memory.
 *
 * A sink takes text as it arrives: in memory while it is short, in a
 * file of the call's folder once it passes LB_TEXT_INLINE_MAX (the size
 * over which text is an asset, not a body), and nothing past max-reply
 * (it says so).  A JSON reply too large to keep in memory is read from
 * its file through a scanner that copies its structure (the skeleton) and
 * decodes each long string into a sink of its own, leaving a placeholder
 * string in the skeleton: the skeleton is small and parses with jansson
 * as usual, and the types' reply code asks bk_jscan_sink() whether a
 * string it found is such a placeholder.
 */
#include "config.h"

#include "backends-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ sinks */

#define SINK_BUFFER (256 * 1024)

void bk_sink_init(struct bk_sink *s, const char *dir, size_t max)
{
	memset(s, 0, sizeof *s);
	sb_init(&s->mem);
	s->fd = -1;
	s->dir = dir ? xstrdup(dir) : NULL;
	s->max = max;
	s->inline_max = LB_TEXT_INLINE_MAX;
}

static int sink_write(struct bk_sink *s, const void *p, size_t n)
{
	if (util_write_all(s->fd, p, n) == 0)
		return 0;
	s->err = errno ? errno : EIO;
	return -1;
}

int bk_sink_add(struct bk_sink *s, const void *p, size_t n)
{
	if (s->over || s->err)
		return -1;
	if (n > s->max - s->len) {
		s->over = 1;
		return -1;
	}
	if (s->fd < 0 && s->mem.len + n > s->inline_max) {
		const char *dir = s->dir ? s->dir : s->call ? bk_call_workdir(s->call) : NULL;

		if (dir == NULL) {
			s->err = ENOTDIR;
			return -1;
		}
		s->path = xasprintf("%s/.text-XXXXXX", dir);
		s->fd = mkostemp(s->path, O_CLOEXEC);
		if (s->fd < 0) {
			s->err = errno;
			xfree(&s->path);
			return -1;
		}
		if (sink_write(s, s->mem.s, s->mem.len) < 0)
			return -1;
		sb_free(&s->mem);
		sb_init(&s->mem);
	}
	/* In a file, mem is the write buffer: text comes a few bytes at a
	 * time from a JSON string's escapes. */
	sb_add(&s->mem, p, n);
	s->len += n;
	if (s->fd >= 0 && s->mem.len >= SINK_BUFFER) {
		if (sink_write(s, s->mem.s, s->mem.len) < 0)
			return -1;
		sb_reset(&s->mem);
	}
	return 0;
}

void bk_sink_free(struct bk_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->path) {
		unlink(s->path);
		free(s->path);
	}
	sb_free(&s->mem);
	free(s->dir);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

int bk_sink_close(struct bk_sink *s)
{
	int rc = 0;

	if (s->fd >= 0) {
		if (!s->err && s->mem.len && sink_write(s, s->mem.s, s->mem.len) == 0)
			sb_free(&s->mem);
		if (close(s->fd) < 0 && !s->err)
			s->err = errno;
		s->fd = -1;
	}
	if (s->err)
		rc = -1;
	return rc;
}

int bk_sink_append(struct bk_sink *dst, struct bk_sink *src)
{
	char *buf;
	ssize_t r;
	int fd, rc = 0;

	if (src->path == NULL)
		return bk_sink_add(dst, src->mem.s ? src->mem.s : "", src->mem.len);
	fd = open(src->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		dst->err = errno;
		return -1;
	}
	buf = xmalloc(65536);
	while (rc == 0 && ((r = read(fd, buf, 65536)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			rc = bk_sink_add(dst, buf, (size_t)r);
	if (r < 0 && rc == 0) {
		dst->err = errno;
		rc = -1;
	}
	close(fd);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------ UTF-8 in pieces */

size_t bk_utf8_complete(const unsigned char *b, size_t n)
{
	size_t j = n, need;

	while (j > 0 && n - j < 3 && (b[j - 1] & 0xC0) == 0x80)
		j--;
	if (j == 0 || b[j - 1] < 0xC0)
		return n;
	need = b[j - 1] >= 0xF0 ? 4 : b[j - 1] >= 0xE0 ? 3 : 2;
	return n - (j - 1) < need ? j - 1 : n;
}

int bk_text_file_check(const char *path, char **err)
{
	unsigned char *buf = xmalloc(65536 + 4);
	size_t carry = 0, k;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1, text = 0;
	ssize_t r;

	*err = NULL;
	if (fd < 0) {
		*err = xasprintf("cannot read it back: %s", strerror(errno));
		free(buf);
		return -1;
	}
	for (;;) {
		r = read(fd, buf + carry, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("cannot read it back: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		r += (ssize_t)carry;
		k = bk_utf8_complete(buf, (size_t)r);
		if (!util_utf8_valid((const char *)buf, k) || memchr(buf, '\0', k)) {
			*err = xstrdup("it is not UTF-8 text");
			goto out;
		}
		for (size_t i = 0; i < k && !text; i++)
			text = buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t';
		carry = (size_t)r - k;
		memmove(buf, buf + k, carry);
	}
	if (carry) {
		*err = xstrdup("it ends in the middle of a UTF-8 character");
		goto out;
	}
	if (!text) {
		*err = xstrdup("it is empty");
		goto out;
	}
	rc = 0;
out:
	close(fd);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------ JSON skeletons */

#define SPILL_MARK "lightbox-spill:"

void bk_jscan_init(struct bk_jscan *j, const char *dir, size_t max, size_t skeleton_max)
{
	memset(j, 0, sizeof *j);
	sb_init(&j->out);
	sb_init(&j->raw);
	j->dir = dir ? xstrdup(dir) : NULL;
	j->max = max;
	j->out_max = skeleton_max;
	j->spill_at = 65536;
	j->sink_inline = LB_TEXT_INLINE_MAX;
}

void bk_jscan_free(struct bk_jscan *j)
{
	size_t i;

	for (i = 0; i < j->nsinks; i++)
		bk_sink_free(&j->sinks[i]);
	free(j->sinks);
	sb_free(&j->out);
	sb_free(&j->raw);
	free(j->dir);
	free(j->error);
	memset(j, 0, sizeof *j);
}

static void jfail(struct bk_jscan *j, char *msg)
{
	if (j->error == NULL)
		j->error = msg;
	else
		free(msg);
}

static void put_cp(struct bk_jscan *j, unsigned cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	bk_sink_add(&j->sinks[j->nsinks - 1], u, n);
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (unsigned char)(ch | 0x20);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* One byte of a string being decoded into the current sink; 1 at its
 * closing quote. */
static int decode(struct bk_jscan *j, unsigned char ch)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;

	if (j->esc == 0) {
		if (ch == '"') {
			if (j->hi)
				jfail(j, xstrdup("a lone surrogate \\u escape"));
			return 1;
		}
		if (ch == '\\') {
			j->esc = 1;
			return 0;
		}
		if (j->hi) {
			jfail(j, xstrdup("a lone surrogate \\u escape"));
			j->hi = 0;
		}
		bk_sink_add(&j->sinks[j->nsinks - 1], &ch, 1);
		return 0;
	}
	if (j->esc == 1) {
		if (ch == 'u') {
			j->esc = 2;
			j->u = 0;
			return 0;
		}
		j->esc = 0;
		if (j->hi || ch == '\0' || (p = strchr(from, ch)) == NULL) {
			jfail(j, xasprintf("a bad escape \\%c in a string", ch >= 0x20 && ch < 0x7F ? ch : '?'));
			return 0;
		}
		bk_sink_add(&j->sinks[j->nsinks - 1], &to[p - from], 1);
		return 0;
	}
	if (hexval(ch) < 0) {
		jfail(j, xstrdup("a bad \\u escape in a string"));
		j->esc = 0;
		return 0;
	}
	j->u = j->u << 4 | (unsigned)hexval(ch);
	if (++j->esc < 6)
		return 0;
	j->esc = 0;
	if (j->u >= 0xD800 && j->u < 0xDC00) {
		if (j->hi)
			jfail(j, xstrdup("a lone surrogate \\u escape"));
		j->hi = j->u;
	} else if (j->u >= 0xDC00 && j->u < 0xE000) {
		if (!j->hi)
			jfail(j, xstrdup("a lone surrogate \\u escape"));
		else
			put_cp(j, 0x10000 + ((j->hi - 0xD800) << 10) + (j->u - 0xDC00));
		j->hi = 0;
	} else {
		if (j->hi)
			jfail(j, xstrdup("a lone surrogate \\u escape"));
		j->hi = 0;
		put_cp(j, j->u);
	}
	return 0;
}

static void out_add(struct bk_jscan *j, const char *p, size_t n)
{
	if (j->out.len + n > j->out_max) {
		if (!j->too_big)
			jfail(j, xasprintf("the reply holds more than %zu MiB of JSON outside its long strings",
					   j->out_max >> 20));
		j->too_big = 1;
		return;
	}
	sb_add(&j->out, p, n);
}

static void begin_spill(struct bk_jscan *j)
{
	size_t i;

	j->sinks = xrealloc(j->sinks, (j->nsinks + 1) * sizeof *j->sinks);
	bk_sink_init(&j->sinks[j->nsinks], j->dir, j->max);
	j->sinks[j->nsinks++].inline_max = j->sink_inline;
	j->spilling = 1;
	j->esc = 0;
	j->hi = 0;
	for (i = 0; i < j->raw.len; i++)
		decode(j, (unsigned char)j->raw.s[i]);
	sb_reset(&j->raw);
}

void bk_jscan_feed(struct bk_jscan *j, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n && j->error == NULL; i++) {
		unsigned char ch = p[i];

		if (!j->in_str) {
			size_t k = i;

			/* Structure is copied a run at a time. */
			while (k < n && p[k] != '"')
				k++;
			out_add(j, (const char *)p + i, k - i);
			if (k < n) {
				j->in_str = 1;
				j->esc = 0;
				sb_reset(&j->raw);
			}
			i = k;
			continue;
		}
		if (j->spilling) {
			if (j->esc == 0 && j->hi == 0 && ch != '"' && ch != '\\') {
				size_t k = i;

				/* Plain bytes go to the sink a run at a time. */
				while (k < n && p[k] != '"' && p[k] != '\\')
					k++;
				bk_sink_add(&j->sinks[j->nsinks - 1], p + i, k - i);
				i = k - 1;
				continue;
			}
			if (decode(j, ch)) {
				char ph[48];
				struct bk_sink *s = &j->sinks[j->nsinks - 1];

				if (s->over)
					jfail(j, xasprintf("a string of the reply is longer than max-reply (%zu MiB)",
							   j->max >> 20));
				else if (s->err)
					jfail(j, xasprintf("cannot keep a long string of the reply: %s", strerror(s->err)));
				snprintf(ph, sizeof ph, "\"\\uffff%s%zu\"", SPILL_MARK, j->nsinks - 1);
				out_add(j, ph, strlen(ph));
				j->in_str = j->spilling = 0;
			}
			continue;
		}
		if (j->esc) {
			j->esc = 0;
		} else if (ch == '\\') {
			j->esc = 1;
		} else if (ch == '"') {
			out_add(j, "\"", 1);
			out_add(j, j->raw.s ? j->raw.s : "", j->raw.len);
			out_add(j, "\"", 1);
			j->in_str = 0;
			continue;
		}
		sb_addc(&j->raw, (char)ch);
		if (j->raw.len > j->spill_at)
			begin_spill(j);
	}
}

int bk_jscan_file(struct bk_jscan *j, const char *path)
{
	char *buf = xmalloc(65536);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0) {
		jfail(j, xasprintf("cannot read the reply back: %s", strerror(errno)));
		free(buf);
		return -1;
	}
	while (j->error == NULL && ((r = read(fd, buf, 65536)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			bk_jscan_feed(j, buf, (size_t)r);
	close(fd);
	free(buf);
	return bk_jscan_end(j);
}

int bk_jscan_end(struct bk_jscan *j)
{
	size_t i;

	if (j->error == NULL && j->in_str)
		jfail(j, xstrdup("the reply ends inside a string"));
	for (i = 0; i < j->nsinks; i++)
		if (bk_sink_close(&j->sinks[i]) < 0)
			jfail(j, xasprintf("cannot keep a long string of the reply: %s", strerror(j->sinks[i].err)));
	return j->error ? -1 : 0;
}

struct bk_sink *bk_jscan_sink(struct bk_jscan *j, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), k;
	char *end;

	size_t m = strlen(SPILL_MARK);

	/* U+FFFF (a noncharacter, EF BF BF in UTF-8), then the mark. */
	if (j == NULL || s == NULL || n < 4 + m || memcmp(s, "\xEF\xBF\xBF", 3) != 0 ||
	    memcmp(s + 3, SPILL_MARK, m) != 0)
		return NULL;
	k = strtoul(s + 3 + m, &end, 10);
	return *end == '\0' && k < j->nsinks ? &j->sinks[k] : NULL;
}
