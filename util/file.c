/*
 * file.c - durable writes and small file helpers.
 */
#include "config.h"

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int util_mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0) {
			if (errno != EEXIST) {
				rc = -1;
				goto out;
			}
		} else {
			util_perm_fix_dir(p);
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0) {
		if (errno != EEXIST)
			rc = -1;
	} else {
		util_perm_fix_dir(p);
	}
out:
	free(p);
	return rc;
}

int util_fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc, saved;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int util_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	struct pollfd pfd;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* A non-blocking descriptor (a terminal, a pipe): wait for room. */
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (w < 0)
			return -1;
		if (w == 0) {
			/* No error and no progress: only a full device does that. */
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void util_wake(int fd, char c)
{
	ssize_t w;

	/* EAGAIN: the pipe is full, so a wake is already pending. */
	do
		w = write(fd, &c, 1);
	while (w < 0 && errno == EINTR);
}

const char *util_write_hint(int err)
{
	switch (err) {
	case ENOSPC: return "; free some space on that disk and try again";
	case EDQUOT: return "; your disk quota there is used up: free some space and try again";
	case EFBIG: return "; the file would be larger than this system allows there (see ulimit -f)";
	case EROFS: return "; that file system is read-only: choose another place";
	default: return "";
	}
}

/* The process's umask, read without changing it (umask(2) would race
 * with other threads); 022 when /proc does not say.  Read once, under
 * pthread_once: threads that ask at the same time see the same answer. */
static mode_t umask_value = 022;

static void umask_read(void)
{
	char line[128];
	FILE *f;
	unsigned int m;

	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &m) == 1)
			umask_value = (mode_t)m;
	if (f)
		fclose(f);
}

mode_t util_umask(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, umask_read);
	return umask_value;
}

int util_write_atomic(const char *path, const void *data, size_t n)
{
	/* A unique temporary name: two threads or processes writing the same
	 * path never share one. */
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, saved;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail_nofd;
	util_perm_fix_fd(fd, path);
	if (util_write_all(fd, data, n) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return util_fsync_dir_of(path);
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail_nofd:
	free(tmp);
	return -1;
}

int util_read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct sbuf b;
	char chunk[65536];
	ssize_t r;

	*out = NULL;
	*len = 0;
	sb_init(&b);
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			sb_free(&b);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) {
			sb_free(&b);
			errno = EFBIG;
			return -1;
		}
		sb_add(&b, chunk, (size_t)r);
	}
	*len = b.len;
	*out = sb_steal(&b);
	return 0;
}

int util_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd, rc, saved;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = util_read_fd(fd, max, out, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

const char *util_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

const char *util_ext(const char *path, char buf[16])
{
	const char *base = util_basename(path), *dot = strrchr(base, '.');
	size_t i;

	buf[0] = '\0';
	if (dot == NULL || dot == base || strlen(dot + 1) > 15)
		return buf;
	for (i = 0; dot[1 + i]; i++)
		buf[i] = (char)tolower((unsigned char)dot[1 + i]);
	buf[i] = '\0';
	return buf;
}
