/*
 * probe.c - what a file is, from its bytes: the byte source every parser
 * reads through (a buffer, or a file through a 64 KiB window so that a
 * 4 GB video costs a few reads), the magic-number dispatch, and the test
 * for UTF-8 text.  The name of a file is only a hint between text
 * subtypes; a PNG called song.mp3 is a PNG.
 */
#include "config.h"

#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "decode-private.h"
#include "util.h"

/* Text files up to this size are parsed whole to tell JSON from text. */
#define JSON_PARSE_MAX (16u << 20)

int media_err(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	free(*err);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

void media_set_type(struct media_info *info, enum media_kind kind, const char *mime,
		    const char *ext, const char *codec)
{
	info->kind = kind;
	snprintf(info->mime, sizeof info->mime, "%s", mime);
	snprintf(info->ext, sizeof info->ext, "%s", ext);
	snprintf(info->codec, sizeof info->codec, "%s", codec);
}

const char *media_kind_name(enum media_kind kind)
{
	switch (kind) {
	case MEDIA_IMAGE:
		return "image";
	case MEDIA_TEXT:
		return "text";
	case MEDIA_AUDIO:
		return "audio";
	case MEDIA_VIDEO:
		return "video";
	case MEDIA_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---------------------------------------------------------------- source */

void msrc_init_mem(struct msrc *s, const void *data, size_t n)
{
	memset(s, 0, sizeof *s);
	s->mem = data;
	s->fd = -1;
	s->size = n;
}

int msrc_open(struct msrc *s, const char *path, char **err)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (s->fd < 0)
		return media_err(err, "cannot open: %s", strerror(errno));
	if (fstat(s->fd, &st) < 0) {
		media_err(err, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		media_err(err, "is a folder, not a file");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		media_err(err, "not a regular file (a device, socket or pipe)");
		goto fail;
	}
	s->size = (uint64_t)st.st_size;
	s->win = xmalloc(MSRC_WINDOW);
	s->win_off = 0;
	s->win_len = 0;
	s->path = path;
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return -1;
}

void msrc_close(struct msrc *s)
{
	if (s->mem == NULL && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	xfree(&s->win);
}

/* Makes the window hold [off, off + n) (or up to the end of the file);
 * returns the bytes available from off. */
static size_t msrc_fill(struct msrc *s, uint64_t off, size_t n)
{
	uint64_t wend = s->win_off + s->win_len;
	size_t want, got = 0;
	ssize_t r;

	if (off >= s->win_off && off < wend && (off + n <= wend || wend == s->size))
		return (size_t)(wend - off);
	want = s->size - off < MSRC_WINDOW ? (size_t)(s->size - off) : MSRC_WINDOW;
	while (got < want) {
		r = pread(s->fd, s->win + got, want - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->io_error = errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	s->win_off = off;
	s->win_len = got;
	return got;
}

const unsigned char *msrc_upto(struct msrc *s, uint64_t off, size_t n, size_t *got)
{
	size_t have;

	*got = 0;
	if (n > MSRC_WINDOW)
		n = MSRC_WINDOW;
	if (off >= s->size)
		return NULL;
	if (s->mem != NULL) {
		*got = s->size - off < n ? (size_t)(s->size - off) : n;
		return s->mem + off;
	}
	have = msrc_fill(s, off, n);
	if (have == 0)
		return NULL;
	*got = have < n ? have : n;
	return s->win + (off - s->win_off);
}

const unsigned char *msrc_at(struct msrc *s, uint64_t off, size_t n)
{
	const unsigned char *p;
	size_t got;

	if (n > MSRC_WINDOW || off > s->size || n > s->size - off)
		return NULL;
	p = msrc_upto(s, off, n, &got);
	return got == n ? p : NULL;
}

/* ---------------------------------------------------------------- text */

/* 1 when the n bytes at p (the first n of a source of `total` bytes) are
 * UTF-8 text: no NUL, no invalid sequence, hardly any control bytes. */
static int looks_like_text(const unsigned char *p, size_t n, uint64_t total)
{
	size_t i, end = n, ctl = 0;

	if (memchr(p, 0, n) != NULL)
		return 0;
	if (n < total) { /* the window may cut the last character short */
		for (i = 1; i <= 3 && i <= n; i++) {
			if ((p[n - i] & 0xc0) == 0x80)
				continue;
			if (p[n - i] >= 0xc0)
				end = n - i;
			break;
		}
	}
	if (!util_utf8_valid((const char *)p, end))
		return 0;
	for (i = 0; i < end; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f' &&
		    p[i] != 0x1b)
			ctl++;
	return ctl * 100 <= end;
}

static int is_json(struct msrc *s, const unsigned char *head, size_t n)
{
	const unsigned char *p = head, *end = head + n;
	unsigned char *whole = NULL;
	json_t *j;
	json_error_t jerr;
	size_t len;
	int ok;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end || (*p != '{' && *p != '['))
		return 0;
	if (s->size > JSON_PARSE_MAX)
		return 0;
	if (s->mem != NULL) {
		j = json_loadb((const char *)s->mem, (size_t)s->size, JSON_DECODE_ANY, &jerr);
	} else {
		if (media_read_all(s->path, JSON_PARSE_MAX, &whole, &len, NULL) < 0)
			return 0;
		j = json_loadb((const char *)whole, len, JSON_DECODE_ANY, &jerr);
		free(whole);
	}
	ok = j != NULL;
	json_decref(j);
	return ok;
}

static int probe_text(struct msrc *s, struct media_info *info)
{
	const unsigned char *p;
	size_t n;
	char ext[16];

	p = msrc_upto(s, 0, MSRC_WINDOW, &n);
	if (p == NULL || !looks_like_text(p, n, s->size))
		return 0;
	if (is_json(s, p, n)) {
		media_set_type(info, MEDIA_TEXT, "application/json", "json", "utf-8");
		return 1;
	}
	util_ext(s->path ? s->path : "", ext);
	if (strcmp(ext, "md") == 0 || strcmp(ext, "markdown") == 0)
		media_set_type(info, MEDIA_TEXT, "text/markdown", "md", "utf-8");
	else
		media_set_type(info, MEDIA_TEXT, "text/plain", "txt", "utf-8");
	return 1;
}

/* ---------------------------------------------------------------- dispatch */

/* Size of an ID3v2 tag at off (header, body and footer), or 0. */
static uint64_t id3v2_size(struct msrc *s, uint64_t off)
{
	const unsigned char *p = msrc_at(s, off, 10);
	uint64_t n;

	if (p == NULL || memcmp(p, "ID3", 3) != 0 || p[3] == 0xff || p[4] == 0xff ||
	    ((p[6] | p[7] | p[8] | p[9]) & 0x80))
		return 0;
	n = (uint64_t)p[6] << 21 | (uint64_t)p[7] << 14 | (uint64_t)p[8] << 7 | p[9];
	return 10 + n + (p[5] & 0x10 ? 10 : 0);
}

static int starts(const unsigned char *p, size_t n, const char *magic)
{
	size_t m = strlen(magic);

	return n >= m && memcmp(p, magic, m) == 0;
}

/* n bytes are a proper prefix of magic: the file stops inside it. */
static int cut_magic(const unsigned char *p, size_t n, const char *magic, size_t min)
{
	return n >= min && n < strlen(magic) && memcmp(p, magic, n) == 0;
}

int probe_source(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	size_t n;
	uint64_t skip;

	memset(info, 0, sizeof *info);
	info->bytes = s->size;
	media_set_type(info, MEDIA_UNKNOWN, "application/octet-stream", "bin", "");
	if (s->size == 0)
		return media_err(err, "empty file (0 bytes)");
	p = msrc_upto(s, 0, 64, &n);
	if (p == NULL)
		return media_err(err, "cannot read: %s", strerror(s->io_error ? s->io_error : EIO));

	if (starts(p, n, "\x89PNG\r\n\x1a\n"))
		return probe_png(s, info, err);
	if (cut_magic(p, n, "\x89PNG\r\n\x1a\n", 4))
		return media_err(err, "truncated PNG signature (%zu of 8 bytes)", n);
	if (starts(p, n, "\xff\xd8\xff"))
		return probe_jpeg(s, info, err);
	if (starts(p, n, "GIF87a") || starts(p, n, "GIF89a"))
		return probe_gif(s, info, err);
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return probe_webp(s, info, err);
	if (n >= 12 && (memcmp(p, "RIFF", 4) == 0 || memcmp(p, "RF64", 4) == 0) &&
	    memcmp(p + 8, "WAVE", 4) == 0)
		return probe_wav(s, info, err);
	if (starts(p, n, "fLaC"))
		return probe_flac(s, 0, info, err);
	if (starts(p, n, "OggS"))
		return probe_ogg(s, info, err);
	if (starts(p, n, "\x1a\x45\xdf\xa3"))
		return probe_matroska(s, info, err);
	if (probe_looks_isobmff(s))
		return probe_isobmff(s, info, err);
	if (starts(p, n, "ID3")) {
		skip = id3v2_size(s, 0);
		if (skip == 0)
			return media_err(err, "corrupt ID3 tag header");
		if (skip >= s->size)
			return media_err(err, "truncated MP3: the ID3 tag claims %llu bytes of %llu",
					 (unsigned long long)skip, (unsigned long long)s->size);
		p = msrc_at(s, skip, 4);
		if (p != NULL && memcmp(p, "fLaC", 4) == 0)
			return probe_flac(s, skip, info, err);
		return probe_mpeg_audio(s, skip, info, err);
	}
	if (probe_is_mpeg_audio(s, 0))
		return probe_mpeg_audio(s, 0, info, err);
	if (probe_text(s, info))
		return 0;
	return 0;
}

int media_probe_mem(const void *data, size_t n, struct media_info *info, char **err)
{
	struct msrc s;

	msrc_init_mem(&s, data, n);
	return probe_source(&s, info, err);
}

int media_probe_file(const char *path, struct media_info *info, char **err)
{
	struct msrc s;
	int rc;

	memset(info, 0, sizeof *info);
	media_set_type(info, MEDIA_UNKNOWN, "application/octet-stream", "bin", "");
	if (msrc_open(&s, path, err) < 0)
		return -1;
	rc = probe_source(&s, info, err);
	if (rc == 0 && s.io_error)
		rc = media_err(err, "read error: %s", strerror(s.io_error));
	msrc_close(&s);
	return rc;
}

/* ---------------------------------------------------------------- files */

int media_read_all(const char *path, size_t max, unsigned char **out, size_t *len, char **err)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0, want;
	ssize_t r;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return media_err(err, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return media_err(err, "not a regular file");
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return media_err(err, "file too large (%lld bytes, at most %zu)",
				 (long long)st.st_size, max);
	}
	want = (size_t)st.st_size;
	buf = xmalloc(want + 1);
	while (got < want) {
		r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return media_err(err, "read error: %s", strerror(e));
		}
		if (r == 0)
			break; /* shrank while we read: take what is there */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	*out = buf;
	*len = got;
	return 0;
}
