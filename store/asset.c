/*
 * asset.c - content-addressed asset files.  A file is named by its
 * SHA-256 (assets/ab/abcdef....ext), written to a temporary name, fsynced,
 * renamed and its folder fsynced before its row exists: a crash leaves at
 * worst an unreferenced file, never a row without its bytes.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

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
	sqlite3_stmt *s = st_prep(st, "SELECT id FROM asset WHERE sha256 = ?");
	int rc;

	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, sha256);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*asset_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return st_sqlfail(st, rc, "looking up an asset");
	return st_fail(st, STORE_ENOTFOUND, "no asset with sha256 %s", sha256);
}

/* Records the row for a file already durable at its final path. */
static int asset_row(struct store *st, const char *hex, int64_t bytes, const struct lb_asset_facts *f,
		     const char *ext, int64_t *asset_id, int *existed)
{
	sqlite3_stmt *s;
	int rc;

	rc = st_begin(st);
	if (rc)
		return rc;
	if (store_asset_find(st, hex, asset_id) == 0) {
		*existed = 1;
		return st_end(st, 0);
	}
	s = st_prep(st, "INSERT INTO asset (sha256, media_type, ext, bytes, width, height, duration, created)"
			" VALUES (?,?,?,?,?,?,?,?)");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	st_bind_text(s, 1, hex);
	st_bind_text(s, 2, f && f->media_type ? f->media_type : "application/octet-stream");
	st_bind_text(s, 3, ext);
	sqlite3_bind_int64(s, 4, bytes);
	sqlite3_bind_int(s, 5, f ? f->width : 0);
	sqlite3_bind_int(s, 6, f ? f->height : 0);
	sqlite3_bind_double(s, 7, f ? f->duration : 0);
	sqlite3_bind_int64(s, 8, util_now());
	rc = st_step_done(st, s, "recording the asset");
	if (rc == 0) {
		*asset_id = sqlite3_last_insert_rowid(st->db);
		*existed = 0;
	}
	return st_end(st, rc);
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

static int file_is(const char *path, int64_t bytes)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == bytes;
}

int store_asset_put(struct store *st, const void *data, size_t n, const struct lb_asset_facts *facts,
		    int64_t *asset_id, int *existed)
{
	char hex[65];
	const char *ext = ext_for(facts);
	char *path;
	int rc;

	if (!ext_ok(ext))
		return st_fail(st, STORE_EINVAL, "bad asset extension '%s'", ext);
	sha256_buf_hex(data, n, hex);
	path = store_asset_path(st, hex, ext);
	rc = make_dir_for(st, path);
	if (rc == 0 && !file_is(path, (int64_t)n) && util_write_atomic(path, data, n) < 0)
		rc = st_file_fail(st, path, "cannot write");
	free(path);
	if (rc)
		return rc;
	return asset_row(st, hex, (int64_t)n, facts, ext, asset_id, existed);
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

int store_asset_put_file(struct store *st, const char *src, const struct lb_asset_facts *facts,
			 int64_t *asset_id, int *existed)
{
	char hex[65];

	return st_asset_put_file(st, src, facts, 1, asset_id, existed, hex);
}

int st_asset_put_file(struct store *st, const char *src, const struct lb_asset_facts *facts, int sync,
		      int64_t *asset_id, int *existed, char hex[65])
{
	char *tmp = NULL, *path = NULL, buf[65536];
	const char *ext = ext_for(facts);
	unsigned char digest[32];
	struct sha256 c;
	int in = -1, out = -1, rc = 0;
	int64_t bytes = 0;
	ssize_t r;

	if (!ext_ok(ext))
		return st_fail(st, STORE_EINVAL, "bad asset extension '%s'", ext);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return st_fail(st, errno == ENOENT ? STORE_ENOTFOUND : STORE_EIO, "cannot read %s: %s", src,
			       strerror(errno));
	tmp = xasprintf("%s/assets/tmp", st->dir);
	if (util_mkdir_p(tmp) < 0) {
		rc = st_file_fail(st, tmp, "cannot create");
		goto out;
	}
	free(tmp);
	tmp = xasprintf("%s/assets/tmp/in.%ld.XXXXXX", st->dir, (long)getpid());
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		rc = st_file_fail(st, tmp, "cannot create a file in the store's assets:");
		xfree(&tmp);
		goto out;
	}
	/* The store's mode: the team's in a shared store, else private. */
	util_perm_fix_fd(out, tmp);
	sha256_init(&c);
	for (;;) {
		r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		sha256_update(&c, buf, (size_t)r);
		bytes += r;
		if (util_write_all(out, buf, (size_t)r) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot copy %s into the store: %s%s", src, strerror(errno),
				     util_write_hint(errno));
			goto out;
		}
	}
	if (sync && fsync(out) < 0) {
		rc = st_fail(st, STORE_EIO, "cannot save %s into the store: %s", src, strerror(errno));
		goto out;
	}
	close(out);
	out = -1;
	sha256_final(&c, digest);
	sha256_hex(digest, hex);
	path = store_asset_path(st, hex, ext);
	rc = make_dir_for(st, path);
	if (rc)
		goto out;
	if (file_is(path, bytes)) {
		unlink(tmp);
	} else if (rename(tmp, path) < 0 || (sync && util_fsync_dir_of(path) < 0)) {
		rc = st_fail(st, STORE_EIO, "cannot save %s into the store: %s", src, strerror(errno));
		goto out;
	}
	xfree(&tmp);
	rc = asset_row(st, hex, bytes, facts, ext, asset_id, existed);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}
