/*
 * asset.c - content-addressed asset files.  A file is named by its
 * SHA-256 (assets/ab/abcdef....ext), written to a temporary name, fsynced,
 * renamed and its folder fsynced before its row exists: a crash leaves at
 * worst an unreferenced file, never a row without its bytes.  (Import
 * stages its files without the fsyncs and makes a whole batch durable
 * with one syncfs before the batch's rows commit.)
 *
 * Each byte is hashed once: the kernel copies a file (copy_file_range),
 * and the copy is hashed where it lies in the page cache, so the digest
 * names the very bytes the store keeps (the source is read once).  A file
 * already at the content name is reused only when its own bytes hash to
 * that name: one left damaged by a crash (or by hand) is replaced by the
 * new copy, never trusted for its size.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define ASSET_BUF (1 << 20) /* bytes read and written at a time */

static const struct {
	const char *type, *ext;
} known_types[] = {
	{ "image/png", "png" },   { "image/jpeg", "jpg" },  { "image/webp", "webp" },
	{ "image/gif", "gif" },   { "text/plain", "txt" },  { "text/markdown", "md" },
	{ "application/json", "json" }, { "audio/wav", "wav" }, { "audio/mpeg", "mp3" },
	{ "audio/flac", "flac" }, { "audio/ogg", "ogg" },   { "video/mp4", "mp4" },
	{ "video/webm", "webm" }, { "video/quicktime", "mov" },
};

static const char *ext_for(const struct lb_asset_facts *f)
{
	size_t i;

	if (f && f->ext && *f->ext)
		return f->ext;
	for (i = 0; f && f->media_type && i < sizeof known_types / sizeof known_types[0]; i++)
		if (strcmp(known_types[i].type, f->media_type) == 0)
			return known_types[i].ext;
	return "bin";
}

static int ext_ok(const char *ext)
{
	size_t i;

	if (*ext == '\0' || strlen(ext) > 8)
		return 0;
	for (i = 0; ext[i]; i++)
		if (!((ext[i] >= 'a' && ext[i] <= 'z') || (ext[i] >= '0' && ext[i] <= '9')))
			return 0;
	return 1;
}

char *store_asset_path(struct store *st, const char *sha256, const char *ext)
{
	return xasprintf("%s/assets/%.2s/%s.%s", st->dir, sha256, sha256, ext);
}

int store_asset_find(struct store *st, const char *sha256, int64_t *asset_id)
{
	db_stmt *s = st_prep(st, "SELECT id FROM asset WHERE sha256 = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, sha256);
	rc = db_step(s);
	if (rc == DB_ROW)
		*asset_id = db_column_int64(s, 0);
	db_reset(s);
	if (rc == DB_ROW)
		return 0;
	if (rc != DB_DONE)
		return st_sqlfail(st, rc, "looking up an asset");
	return st_fail(st, STORE_ENOTFOUND, "no asset with sha256 %s", sha256);
}

/* Records the row for a file already durable at its final path (joins
 * the open transaction, or makes its own). */
int st_asset_row(struct store *st, const char *hex, int64_t bytes, const struct lb_asset_facts *f,
		     const char *ext, int64_t *asset_id, int *existed)
{
	db_stmt *s;
	int rc;

	rc = st_begin(st);
	if (rc)
		return rc;
	if (store_asset_find(st, hex, asset_id) == 0) {
		*existed = 1;
		/* Its bytes are at their name again (the caller placed them): a
		 * file lightbox purge freed is back. */
		s = st_prep(st, "UPDATE asset SET purged = NULL WHERE id = ? AND purged IS NOT NULL");
		if (s == NULL)
			return st_end(st, STORE_EIO);
		db_bind_int64(s, 1, *asset_id);
		return st_end(st, st_step_done(st, s, "recording the asset"));
	}
	s = st_prep(st, "INSERT INTO asset (sha256, media_type, ext, bytes, width, height, duration, created)"
			" VALUES (?,?,?,?,?,?,?,?)");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	st_bind_text(s, 1, hex);
	st_bind_text(s, 2, f && f->media_type ? f->media_type : "application/octet-stream");
	st_bind_text(s, 3, ext);
	db_bind_int64(s, 4, bytes);
	db_bind_int(s, 5, f ? f->width : 0);
	db_bind_int(s, 6, f ? f->height : 0);
	db_bind_double(s, 7, f ? f->duration : 0);
	db_bind_int64(s, 8, util_now());
	rc = st_step_done(st, s, "recording the asset");
	if (rc == 0) {
		*asset_id = db_last_insert_rowid(st->db);
		*existed = 0;
	}
	return st_end(st, rc);
}

int st_asset_link_record(struct store *st, int64_t asset_id, int link, const char *origin, int64_t mtime_ns)
{
	db_stmt *s = st_prep(st, "UPDATE asset SET link = ?, origin = ?, mtime_ns = ? WHERE id = ?");

	if (s == NULL)
		return STORE_EIO;
	db_bind_int(s, 1, link);
	st_bind_text(s, 2, origin);
	db_bind_int64(s, 3, mtime_ns);
	db_bind_int64(s, 4, asset_id);
	return st_step_done(st, s, "recording the asset's link");
}

static int make_dir_for(struct store *st, const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc = 0;

	*slash = '\0';
	if (util_mkdir_p(dir) < 0)
		rc = st_file_fail(st, dir, "cannot create");
	free(dir);
	return rc;
}

/* Whether the file at path holds exactly the bytes named hex: 1 yes, 0 no
 * (absent, another size, other bytes), -1 with errno when it cannot be
 * read. */
int st_fd_hash(int fd, char hex[65], int64_t *bytes)
{
	unsigned char d[32];
	struct sha256 c;
	char *buf = xmalloc(ASSET_BUF);
	ssize_t r;
	int saved;

	sha256_init(&c);
	*bytes = 0;
	while ((r = read(fd, buf, ASSET_BUF)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			sha256_drop(&c);
			free(buf);
			errno = saved;
			return -1;
		}
		sha256_update(&c, buf, (size_t)r);
		*bytes += r;
	}
	free(buf);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

static int file_holds(const char *path, const char *hex, int64_t bytes)
{
	char got[65];
	struct stat sb;
	int64_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc, saved;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size != bytes) {
		close(fd);
		return 0;
	}
	rc = st_fd_hash(fd, got, &n);
	saved = errno;
	close(fd);
	errno = saved;
	return rc < 0 ? -1 : strcmp(got, hex) == 0;
}

static int write_fail(struct store *st, const char *what, int e)
{
	errno = e;
	return st_file_fail(st, what, "cannot write");
}

/* A file found already there is about to be referenced again: its mtime
 * is renewed, so that `gc` (which removes only files unreferenced for a
 * grace period) sees it as fresh while the row is on its way. */
static void renew(const char *path)
{
	utimensat(AT_FDCWD, path, NULL, 0);
}

const char *st_asset_ext(const struct lb_asset_facts *facts)
{
	return ext_for(facts);
}

int st_asset_write(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts, char hex[65])
{
	const char *ext = ext_for(facts);
	char *path;
	int rc, has;

	if (!ext_ok(ext))
		return st_fail(st, STORE_EINVAL, "bad asset extension '%s'", ext);
	sha256_buf_hex(data, n, hex);
	path = store_asset_path(st, hex, ext);
	rc = make_dir_for(st, path);
	has = rc == 0 ? file_holds(path, hex, (int64_t)n) : 0;
	if (has == 1)
		renew(path);
	if (rc == 0 && has != 1 && util_write_atomic(path, data, n) < 0)
		rc = st_file_fail(st, path, "cannot write");
	free(path);
	return rc;
}

int store_asset_put(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts,
		    int64_t *asset_id, int *existed)
{
	char hex[65];
	int rc = st_asset_write(st, data, n, facts, hex);

	if (rc)
		return rc;
	return st_asset_row(st, hex, (int64_t)n, facts, ext_for(facts), asset_id, existed);
}

int st_assets_sync(struct store *st)
{
	char *dir = xasprintf("%s/assets", st->dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 && errno == ENOENT) {
		free(dir);
		return 0;
	}
	if (fd < 0 || syncfs(fd) < 0)
		rc = st_fail(st, STORE_EIO, "cannot save the files in %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

void st_asset_unstage(struct st_staged *sg)
{
	if (sg->tmp) {
		unlink(sg->tmp);
		free(sg->tmp);
	}
	memset(sg, 0, sizeof *sg);
}

/* A new file in dir for src, named prefix.PID.XXXXXX with src's
 * extension (the probes tell Markdown from plain text by it): its
 * descriptor, its path in sg->tmp; -1 with *code and *why (owned). */
static int tmp_open(const char *dir, const char *src, const char *prefix, struct st_staged *sg, int *code,
		    char **why)
{
	char ext[16];
	int suffix, out;

	util_ext(src, ext);
	suffix = ext_ok(ext);
	sg->tmp = suffix ? xasprintf("%s/%s.%ld.XXXXXX.%s", dir, prefix, (long)getpid(), ext)
			 : xasprintf("%s/%s.%ld.XXXXXX", dir, prefix, (long)getpid());
	out = mkostemps(sg->tmp, suffix ? (int)strlen(ext) + 1 : 0, O_CLOEXEC);
	if (out < 0) {
		*why = st_file_why(sg->tmp, "cannot create a file in the store's assets:", errno, code);
		xfree(&sg->tmp);
	}
	return out;
}

/* The same, the failure the store's. */
static int tmp_for(struct store *st, const char *dir, const char *src, const char *prefix, struct st_staged *sg,
		   int *rc)
{
	char *why = NULL;
	int out = tmp_open(dir, src, prefix, sg, rc, &why);

	if (out < 0)
		st_fail(st, *rc, "%s", why);
	free(why);
	return out;
}

#define COPY_PIECE (8 << 20)   /* copied at a time between looks at stop */

/* What is left of in, copied to out through a buffer (where the kernel
 * cannot copy between the two); 0 or -1 with errno, *wrote says which. */
static int copy_by_hand(int in, int out, const volatile int *stop, int64_t *done, int *wrote)
{
	char *buf = xmalloc(ASSET_BUF);
	ssize_t r;
	int rc = 0;

	*wrote = 0;
	while (!(stop && *stop)) {
		r = read(in, buf, ASSET_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		if (util_write_all(out, buf, (size_t)r) < 0) {
			*wrote = 1;
			rc = -1;
			break;
		}
		*done += r;
	}
	free(buf);
	return rc;
}

int st_asset_copy(const char *root, const char *src, const volatile int *stop, struct st_staged *sg,
		  char **why)
{
	struct stat before, after;
	char *dir;
	int in, out, code = 0, e, wrote = 0;
	int64_t n = 0;
	ssize_t r;

	memset(sg, 0, sizeof *sg);
	*why = NULL;
	/* Non-blocking: a file swapped for a pipe since it was chosen must not hang us. */
	in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (in < 0) {
		e = errno;
		*why = xasprintf("cannot read %s: %s", src, strerror(e));
		return e == ENOENT ? STORE_ENOTFOUND : STORE_EIO;
	}
	if (fstat(in, &before) < 0 || !S_ISREG(before.st_mode)) {
		close(in);
		*why = xasprintf("cannot read %s: not a regular file (a device, pipe or socket)", src);
		return STORE_EINVAL;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	dir = xasprintf("%s/assets/tmp", root);
	if (util_mkdir_p(dir) < 0) {
		*why = st_file_why(dir, "cannot create", errno, &code);
		free(dir);
		close(in);
		return code;
	}
	out = tmp_open(dir, src, "in", sg, &code, why);
	free(dir);
	if (out < 0) {
		close(in);
		return code;
	}
	/* The store's mode: the team's in a shared store, else private. */
	util_perm_fix_fd(out, sg->tmp);
	/* The kernel copies (no pass through this process; a reflink where
	 * the filesystem shares blocks); by hand where it cannot. */
	for (;;) {
		if (stop && *stop) {
			*why = xstrdup("interrupted");
			code = STORE_EIO;
			break;
		}
		r = copy_file_range(in, NULL, out, NULL, COPY_PIECE, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && sg->bytes == 0 &&
		    (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF))
			r = copy_by_hand(in, out, stop, &sg->bytes, &wrote);
		else if (r > 0)
			sg->bytes += r;
		if (r < 0) {
			e = errno;
			/* copy_file_range does not say which side failed: a
			 * full or read-only store is the writing side */
			if (wrote || e == ENOSPC || e == EDQUOT || e == EROFS || e == EFBIG)
				*why = xasprintf("cannot copy %s into the store: %s%s", src, strerror(e),
						 util_write_hint(e));
			else
				*why = xasprintf("cannot read %s: %s", src, strerror(e));
			code = e == EROFS || e == EACCES ? STORE_EREADONLY : STORE_EIO;
			break;
		}
		if (r == 0)
			break;
	}
	if (code == 0 && (fstat(in, &after) < 0 || after.st_size != sg->bytes || after.st_size != before.st_size ||
			  after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
			  after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)) {
		*why = xasprintf("%s changed while it was read; import it again once it is complete", src);
		code = STORE_EINVAL;
	}
	/* The copy's hash, read back through the same descriptor while its
	 * pages are still in the cache (mapping them instead measured no
	 * faster): the digest names the bytes the store holds. */
	if (code == 0 && (lseek(out, 0, SEEK_SET) < 0 || st_fd_hash(out, sg->hex, &n) < 0)) {
		e = errno;
		*why = xasprintf("cannot read the copy %s: %s", sg->tmp, strerror(e));
		code = STORE_EIO;
	} else if (code == 0 && n != sg->bytes) {
		*why = xasprintf("the copy %s holds %lld bytes, not the %lld copied", sg->tmp, (long long)n,
				 (long long)sg->bytes);
		code = STORE_EIO;
	}
	if (close(out) < 0 && code == 0) {
		e = errno;
		*why = xasprintf("cannot write %s: %s%s", sg->tmp, strerror(e), util_write_hint(e));
		code = e == EROFS ? STORE_EREADONLY : STORE_EIO;
	}
	close(in);
	if (code)
		st_asset_unstage(sg);
	return code;
}

int st_asset_stage(struct store *st, const char *src, int sync, struct st_staged *sg)
{
	char *why = NULL;
	int rc = st_asset_copy(st->dir, src, NULL, sg, &why), fd;

	if (rc == 0 && sync) {
		fd = open(sg->tmp, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0)
			rc = write_fail(st, sg->tmp, errno);
		if (fd >= 0)
			close(fd);
	}
	if (why)
		st_fail(st, rc, "%s", why);
	free(why);
	if (rc)
		st_asset_unstage(sg);
	return rc;
}

/* The hash of an open file from its start, its size and mtime checked
 * against *before afterwards. */
static int hash_fd(struct store *st, int in, const char *src, const struct stat *before, struct st_staged *sg)
{
	struct stat after;
	int rc = 0;

	if (st_fd_hash(in, sg->hex, &sg->bytes) < 0)
		rc = st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
	if (rc == 0 && (fstat(in, &after) < 0 || after.st_size != sg->bytes || after.st_size != before->st_size ||
			after.st_mtim.tv_sec != before->st_mtim.tv_sec ||
			after.st_mtim.tv_nsec != before->st_mtim.tv_nsec))
		rc = st_fail(st, STORE_EINVAL,
			     "%s changed while it was read; import it again once it is complete", src);
	if (rc)
		return rc;
	sg->mtime_ns = (int64_t)before->st_mtim.tv_sec * 1000000000 + before->st_mtim.tv_nsec;
	return 0;
}

int st_asset_stage_link(struct store *st, const char *src, struct st_staged *sg, char **note)
{
	struct stat before, tmpdir;
	char *dir;
	int in, out, rc = 0, e;

	*note = NULL;
	memset(sg, 0, sizeof *sg);
	in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (in < 0 || fstat(in, &before) < 0 || !S_ISREG(before.st_mode)) {
		if (in >= 0)
			close(in);
		return st_asset_stage(st, src, 0, sg); /* says what is wrong, in its words */
	}
	dir = xasprintf("%s/assets/tmp", st->dir);
	if (util_mkdir_p(dir) < 0 || stat(dir, &tmpdir) < 0) {
		rc = st_file_fail(st, dir, "cannot create");
		free(dir);
		close(in);
		return rc;
	}
	if (tmpdir.st_dev != before.st_dev) {
		free(dir);
		close(in);
		*note = xstrdup("on another filesystem than the store: copied, not linked");
		return st_asset_stage(st, src, 0, sg);
	}
	out = tmp_for(st, dir, src, "ln", sg, &rc);
	free(dir);
	if (out < 0) {
		close(in);
		return rc;
	}
	/* A reflink: a copy of its own that shares the blocks. */
	if (ioctl(out, FICLONE, in) == 0) {
		util_perm_fix_fd(out, sg->tmp);
		sg->link = 2;
		close(out);
	} else {
		close(out);
		unlink(sg->tmp);
		/* A hard link: the very file, under a second name. */
		if (link(src, sg->tmp) == 0) {
			sg->link = 1;
		} else {
			e = errno;
			xfree(&sg->tmp);
			close(in);
			*note = xasprintf("cannot be linked (%s): copied", strerror(e));
			return st_asset_stage(st, src, 0, sg);
		}
	}
	rc = hash_fd(st, in, src, &before, sg);
	close(in);
	if (rc)
		st_asset_unstage(sg);
	return rc;
}

/* An unsynced copy that is kept (its batch is synced later): its
 * writing out starts now, so that the batch's syncfs finds little left
 * to wait for.  (Not at staging: a copy of bytes already in the store is
 * removed unwritten, and resuming a large import costs no disk writes.) */
static void start_writeback(const char *path, int synced)
{
	int fd;

	if (synced)
		return;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		close(fd);
	}
}

int st_asset_place(struct store *st, struct st_staged *sg, const char *ext, int sync)
{
	char *path;
	int rc, has;

	if (!ext_ok(ext))
		return st_fail(st, STORE_EINVAL, "bad asset extension '%s'", ext);
	path = store_asset_path(st, sg->hex, ext);
	rc = make_dir_for(st, path);
	if (rc == 0) {
		has = file_holds(path, sg->hex, sg->bytes);
		if (has == 1) {
			/* The same bytes, whole: one file for both.  The digest
			 * and size stay: the caller records them. */
			renew(path);
			unlink(sg->tmp);
			xfree(&sg->tmp);
			sg->link = 0;
		} else {
			/* Absent, or damaged and now replaced by a whole copy.
			 * (A link has nothing of ours to write.) */
			start_writeback(sg->tmp, sync || sg->link);
			if (rename(sg->tmp, path) < 0 || (sync && util_fsync_dir_of(path) < 0))
				rc = write_fail(st, path, errno);
			else
				xfree(&sg->tmp);
		}
	}
	free(path);
	return rc;
}

int store_asset_put_file(struct store *st, const char *src, const struct lb_asset_facts *facts,
			 int64_t *asset_id, int *existed)
{
	struct st_staged sg;
	const char *ext = ext_for(facts);
	int rc;

	if (!ext_ok(ext))
		return st_fail(st, STORE_EINVAL, "bad asset extension '%s'", ext);
	rc = st_asset_stage(st, src, 1, &sg);
	if (rc)
		return rc;
	rc = st_asset_place(st, &sg, ext, 1);
	if (rc == 0)
		rc = st_asset_row(st, sg.hex, sg.bytes, facts, ext, asset_id, existed);
	st_asset_unstage(&sg);
	return rc;
}
