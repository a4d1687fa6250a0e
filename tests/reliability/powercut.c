/*
 * powercut.c - an LD_PRELOAD library that lets a test cut the power.
 *
 * A write reaches the disk only when an fsync or fdatasync of its file
 * follows it; until then it sits in the page cache, and a power cut loses
 * it.  This library keeps, for every file under $POWERCUT_DIR, an undo
 * record of each write (the bytes and size it replaced), appended to
 * $POWERCUT_LOG before the write is made, and a sync record when the file
 * is synced.  After the process is killed, tests/reliability/powercut.py
 * undoes, newest first, every write not followed by a sync of its file:
 * the files are then as a power cut at the moment of the kill would have
 * left them.
 *
 * Covered: write, pwrite, writev, pwritev, ftruncate (and the 64-bit
 * names), fsync, fdatasync, sync, syncfs.  Not covered: writes through
 * mmap (SQLite's -shm file is mapped, but SQLite rebuilds it after a
 * crash, so it is left out), and metadata: a file created, renamed or
 * removed is taken as durable at once.  The disk itself is taken to write
 * a synced sector whole.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The log, written with raw system calls (never through ourselves). */
static int log_fd = -2;
static const char *watch_dir;
static size_t watch_len;

static void init(void)
{
	const char *path = getenv("POWERCUT_LOG");

	if (log_fd != -2)
		return;
	log_fd = -1;
	watch_dir = getenv("POWERCUT_DIR");
	if (path == NULL || watch_dir == NULL)
		return;
	watch_len = strlen(watch_dir);
	log_fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

/* The path of fd when it is a watched file (not the -shm), else 0. */
static int watched(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t n;

	init();
	if (log_fd < 0)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, size - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	if (strncmp(path, watch_dir, watch_len) != 0 || path[watch_len] != '/')
		return 0;
	if (n > 4 && strcmp(path + n - 4, "-shm") == 0)
		return 0;
	return 1;
}

static void log_all(const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = syscall(SYS_write, log_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abort(); /* a test harness that cannot record must not pretend */
		p += w;
		n -= (size_t)w;
	}
}

/* One record: 'W' or 'S', the path's length and the path, then for 'W'
 * the offset, the old size and the old bytes' length, and the old bytes
 * (those in [offset, offset + len) that existed).  Each record goes in one
 * write, so a kill leaves at worst a truncated last record, which the
 * replay ignores (its write had not been made). */
static void record(char kind, const char *path, int fd, uint64_t off, uint64_t len)
{
	struct stat sb;
	uint32_t plen = (uint32_t)strlen(path);
	uint64_t oldsize = 0, have = 0;
	size_t head = 1 + 4 + plen + 24;
	char *rec;
	int rfd;

	if (kind == 'W') {
		if (fstat(fd, &sb) == 0)
			oldsize = (uint64_t)sb.st_size;
		if (off < oldsize)
			have = oldsize - off < len ? oldsize - off : len;
	}
	rec = malloc(head + have);
	if (rec == NULL)
		abort();
	rec[0] = kind;
	memcpy(rec + 1, &plen, 4);
	memcpy(rec + 5, path, plen);
	memcpy(rec + 5 + plen, &off, 8);
	memcpy(rec + 13 + plen, &oldsize, 8);
	memcpy(rec + 21 + plen, &have, 8);
	if (have) {
		/* The fd may be write-only or in append mode: read through a
		 * descriptor of our own. */
		rfd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (rfd < 0 || pread(rfd, rec + head, have, (off_t)off) != (ssize_t)have)
			abort();
		close(rfd);
	}
	log_all(rec, kind == 'W' ? head + have : head);
	free(rec);
}

static void before_write(int fd, off_t off, size_t len, int append)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!watched(fd, path, sizeof path))
		return;
	if (append && fstat(fd, &sb) == 0)
		off = sb.st_size;
	else if (off < 0)
		off = lseek(fd, 0, SEEK_CUR);
	if (off < 0)
		return;
	record('W', path, fd, (uint64_t)off, len);
}

static int is_append(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_APPEND);
}

/* The C library's function of that name. */
static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		abort();
	return f;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r;
	static __typeof__(write) *real_write;

	if (real_write == NULL)
		real_write = real("write");

	pthread_mutex_lock(&lock);
	before_write(fd, -1, n, is_append(fd));
	r = real_write(fd, buf, n);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r;
	static __typeof__(pwrite) *real_pwrite;

	if (real_pwrite == NULL)
		real_pwrite = real("pwrite");

	pthread_mutex_lock(&lock);
	before_write(fd, off, n, 0);
	r = real_pwrite(fd, buf, n, off);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r;
	static __typeof__(pwrite64) *real_pwrite64;

	if (real_pwrite64 == NULL)
		real_pwrite64 = real("pwrite64");

	pthread_mutex_lock(&lock);
	before_write(fd, off, n, 0);
	r = real_pwrite64(fd, buf, n, off);
	pthread_mutex_unlock(&lock);
	return r;
}

static size_t iov_len(const struct iovec *iov, int cnt)
{
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	ssize_t r;
	static __typeof__(writev) *real_writev;

	if (real_writev == NULL)
		real_writev = real("writev");

	pthread_mutex_lock(&lock);
	before_write(fd, -1, iov_len(iov, cnt), is_append(fd));
	r = real_writev(fd, iov, cnt);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ssize_t r;
	static __typeof__(pwritev) *real_pwritev;

	if (real_pwritev == NULL)
		real_pwritev = real("pwritev");

	pthread_mutex_lock(&lock);
	before_write(fd, off, iov_len(iov, cnt), 0);
	r = real_pwritev(fd, iov, cnt, off);
	pthread_mutex_unlock(&lock);
	return r;
}

/* A truncation is recorded as a write over what it cuts off. */
static void before_truncate(int fd, off_t len)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!watched(fd, path, sizeof path) || fstat(fd, &sb) != 0)
		return;
	if (len < sb.st_size)
		record('W', path, fd, (uint64_t)len, (uint64_t)(sb.st_size - len));
	else
		record('W', path, fd, (uint64_t)sb.st_size, (uint64_t)(len - sb.st_size));
}

int ftruncate(int fd, off_t len)
{
	int r;
	static __typeof__(ftruncate) *real_ftruncate;

	if (real_ftruncate == NULL)
		real_ftruncate = real("ftruncate");

	pthread_mutex_lock(&lock);
	before_truncate(fd, len);
	r = real_ftruncate(fd, len);
	pthread_mutex_unlock(&lock);
	return r;
}

int ftruncate64(int fd, off_t len)
{
	int r;
	static __typeof__(ftruncate64) *real_ftruncate64;

	if (real_ftruncate64 == NULL)
		real_ftruncate64 = real("ftruncate64");

	pthread_mutex_lock(&lock);
	before_truncate(fd, len);
	r = real_ftruncate64(fd, len);
	pthread_mutex_unlock(&lock);
	return r;
}

/* The sync record goes after the sync returns: a kill during it loses
 * the writes, as a power cut during it may. */
static void after_sync(int fd, int r)
{
	char path[PATH_MAX];

	if (r == 0 && watched(fd, path, sizeof path))
		record('S', path, fd, 0, 0);
}

int fsync(int fd)
{
	int r;
	static __typeof__(fsync) *real_fsync;

	if (real_fsync == NULL)
		real_fsync = real("fsync");

	r = real_fsync(fd);
	pthread_mutex_lock(&lock);
	after_sync(fd, r);
	pthread_mutex_unlock(&lock);
	return r;
}

int fdatasync(int fd)
{
	int r;
	static __typeof__(fdatasync) *real_fdatasync;

	if (real_fdatasync == NULL)
		real_fdatasync = real("fdatasync");

	r = real_fdatasync(fd);
	pthread_mutex_lock(&lock);
	after_sync(fd, r);
	pthread_mutex_unlock(&lock);
	return r;
}

/* sync and syncfs make every watched file durable: an 'S' with the
 * folder itself stands for all of them. */
static void sync_all(void)
{
	init();
	if (log_fd >= 0)
		record('S', watch_dir, -1, 0, 0);
}

void sync(void)
{
	static __typeof__(sync) *real_sync;

	if (real_sync == NULL)
		real_sync = real("sync");

	real_sync();
	pthread_mutex_lock(&lock);
	sync_all();
	pthread_mutex_unlock(&lock);
}

int syncfs(int fd)
{
	int r;
	static __typeof__(syncfs) *real_syncfs;

	if (real_syncfs == NULL)
		real_syncfs = real("syncfs");

	r = real_syncfs(fd);
	pthread_mutex_lock(&lock);
	if (r == 0)
		sync_all();
	pthread_mutex_unlock(&lock);
	return r;
}
