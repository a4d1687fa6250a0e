/*
 * export-copy.c - the files and folders `lightbox export` writes: where
 * the record goes (--out: a file replaced atomically, or a stream), the
 * copy folder built beside its destination with its MANIFEST.sha256 and
 * marker, and what --force may replace.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "store-private.h"
#include "export-private.h"

/* ------------------------------------------------------------ copying assets */

/* A write to path failed with err: says so, and what to do about it. */
int ex_write_fail(struct store *st, const char *path, int err)
{
	return st_fail(st, STORE_EIO, "cannot write %s: %s%s", path, strerror(err), util_write_hint(err));
}

/* Copies src to dst (a new file), checking that its bytes still hash to
 * want (NULL: no check); *hex gets the hash. */
int ex_copy_file(struct store *st, const char *src, const char *dst, const char *want, char hex[65],
		 int64_t *bytes)
{
	char buf[65536];
	unsigned char d[32];
	struct sha256 c;
	int in, out, rc = 0;
	ssize_t r;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return st_fail(st, STORE_EIO, "the asset file %s cannot be read: %s; the store is damaged "
				   "(restore the file from a backup)", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (out < 0) {
		rc = st_fail(st, STORE_EIO, "cannot create %s: %s", dst, strerror(errno));
		close(in);
		return rc;
	}
	sha256_init(&c);
	*bytes = 0;
	for (;;) {
		r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sha256_update(&c, buf, (size_t)r);
		*bytes += r;
		if (util_write_all(out, buf, (size_t)r) < 0) {
			rc = ex_write_fail(st, dst, errno);
			break;
		}
	}
	if (rc == 0 && r < 0)
		rc = st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = ex_write_fail(st, dst, errno);
	if (rc) {
		sha256_drop(&c);
		return rc;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	if (want && strcmp(hex, want) != 0)
		return st_fail(st, STORE_EIO,
			       "the asset file %s no longer matches its SHA-256 (%s); the store is damaged: "
			       "restore the file from a backup",
			       src, want);
	return 0;
}

/* Creates dst (it must not exist) holding the n bytes of data. */
int ex_write_new_file(struct store *st, const char *dst, const void *data, size_t n)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666), rc = 0;

	if (fd < 0)
		return st_fail(st, STORE_EIO, "cannot create %s: %s", dst, strerror(errno));
	if (util_write_all(fd, data, n) < 0)
		rc = ex_write_fail(st, dst, errno);
	if (close(fd) < 0 && rc == 0)
		rc = ex_write_fail(st, dst, errno);
	return rc;
}

int ex_write_text_file(struct store *st, const char *dst, const char *text, char hex[65])
{
	size_t n = strlen(text);

	sha256_buf_hex(text, n, hex);
	return ex_write_new_file(st, dst, text, n);
}

/* A brief's folder name: its slug, made unique within the export. */
const char *ex_brief_slug(struct ex *x, const struct lb_brief *b)
{
	char *slug = util_slug(b->f.title), *try = xstrdup(slug);
	size_t i;
	int again = 1, k = 1;

	while (again) {
		again = 0;
		for (i = 0; i < x->nslugs; i++)
			if (strcmp(x->slugs[i], try) == 0) {
				free(try);
				try = ++k == 2 ? xasprintf("%s-%lld", slug, (long long)b->id)
					       : xasprintf("%s-%lld-%d", slug, (long long)b->id, k);
				again = 1;
				break;
			}
	}
	free(slug);
	x->slugs = xrealloc(x->slugs, (x->nslugs + 1) * sizeof *x->slugs);
	x->slugs[x->nslugs++] = try;
	return try;
}

int ex_copy_item(struct ex *x, struct item *it)
{
	char hex[65], *dir, *dst, ext[16];
	int64_t bytes = 0;
	int rc;

	dir = xasprintf("%s/%s", x->stage, x->slug);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		rc = st_fail(x->st, STORE_EIO, "cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	free(dir);
	if (it->c.asset_id)
		util_ext(it->c.path, ext);
	else
		snprintf(ext, sizeof ext, "txt");
	it->file = xasprintf("%s/%d-%lld.%s", x->slug, it->n, (long long)it->c.id, *ext ? ext : "bin");
	dst = xasprintf("%s/%s", x->stage, it->file);
	if (it->c.asset_id)
		rc = ex_copy_file(x->st, it->c.path, dst, it->c.sha256, hex, &bytes);
	else {
		rc = ex_write_text_file(x->st, dst, it->c.body ? it->c.body : "", hex);
		bytes = it->c.body ? (int64_t)strlen(it->c.body) : 0;
	}
	free(dst);
	if (rc)
		return rc;
	sb_addf(&x->manifest, "%s  %s\n", hex, it->file);
	x->n_files++;
	x->bytes += bytes;
	return 0;
}

/* ------------------------------------------------------------ files and folders */

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* Removes a folder this export made itself (its stage), whatever is in it. */
void ex_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Absolute form of a path whose last component may not exist yet. */
char *ex_abs_path(const char *p)
{
	char *copy = xstrdup(p), *slash, *res, buf[PATH_MAX];
	const char *base;

	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		base = copy;
		res = realpath(".", buf) ? xasprintf("%s/%s", buf, base) : xstrdup(copy);
	} else if (slash == copy) {
		res = xstrdup(copy);
	} else {
		*slash = '\0';
		base = slash + 1;
		res = realpath(copy, buf) ? xasprintf("%s/%s", strcmp(buf, "/") ? buf : "", base)
					  : xasprintf("%s/%s", copy, base);
	}
	free(copy);
	return res;
}

char *ex_parent_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	return slash == abs ? xstrdup("/") : xstrndup(abs, (size_t)(slash - abs));
}

/* The SHA-256 of a file, read a piece at a time; 0 or -1 with errno. */
int ex_hash_path(const char *path, char hex[65])
{
	char buf[65536];
	unsigned char d[32];
	struct sha256 c;
	FILE *f = fopen(path, "rb");
	size_t n;
	int bad;

	if (f == NULL)
		return -1;
	sha256_init(&c);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sha256_update(&c, buf, n);
	bad = ferror(f);
	fclose(f);
	if (bad) {
		sha256_drop(&c);
		errno = EIO;
		return -1;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

int ex_sync_dir(struct store *st, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return st_fail(st, STORE_EIO, "cannot open %s: %s", dir, strerror(errno));
	/* One syncfs for the whole copy: cheaper than an fsync per file. */
	if (syncfs(fd) < 0 || fsync(fd) < 0)
		rc = st_fail(st, STORE_EIO, "cannot save %s: %s%s", dir, strerror(errno), util_write_hint(errno));
	close(fd);
	return rc;
}

/* ------------------------------------------------------------ where the record goes */

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
	struct out *w = cookie;

	if (w->err == 0 && util_write_all(w->fd, buf, n) < 0)
		w->err = errno;
	if (w->err) {
		errno = w->err;
		return -1;
	}
	return (ssize_t)n;
}

void ex_out_init(struct out *w)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
}

void ex_out_start(struct out *w, int fd, int own, const char *name)
{
	cookie_io_functions_t io = {NULL, out_write, NULL, NULL};

	w->fd = fd;
	w->own = own;
	if (w->name == NULL)
		w->name = xstrdup(name);
	w->f = fopencookie(w, "w", io);
	if (w->f == NULL)
		fatal("out of memory");
}

/* Flushes and closes w, syncs a file, and puts a replacement in place; 0 or a
 * code that names the first error. */
int ex_out_close(struct store *st, struct out *w)
{
	int err = 0;

	if (w->f && fclose(w->f) != 0)
		err = w->err ? w->err : errno;
	w->f = NULL;
	if (err == 0)
		err = w->err;
	if (err == 0 && w->sync && fsync(w->fd) < 0)
		err = errno;
	if (w->own && w->fd >= 0 && close(w->fd) < 0 && err == 0)
		err = errno;
	w->fd = -1;
	if (err)
		return ex_write_fail(st, w->name, err);
	if (w->tmp) {
		if (rename(w->tmp, w->final) < 0)
			return st_fail(st, STORE_EIO, "cannot put the record in place at %s: %s",
				       w->final, strerror(errno));
		xfree(&w->tmp);
		util_fsync_dir_of(w->final);
	}
	return 0;
}

/* Closes w without finishing it: a temporary goes. */
void ex_out_free(struct out *w)
{
	if (w->f)
		fclose(w->f);
	if (w->own && w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	free(w->final);
	free(w->name);
	ex_out_init(w);
}

/* Follows path's symbolic links one at a time.  *proc is set when they lead
 * into /proc (/dev/stdout, /dev/fd/N: an open descriptor, written as a stream,
 * never replaced), with *fdn the descriptor when it is one of this process's
 * (else -1).  A link is not followed when it sits in a shared sticky folder
 * (such as /tmp) and belongs to neither us nor the folder's owner: the
 * kernel's rule for opening through links (protected_symlinks), which
 * replacing by rename would otherwise bypass.  0 or a code. */
static int follow_links(struct store *st, const char *path, int *proc, int *fdn)
{
	char *cur = ex_abs_path(path), *dir, *next, link[PATH_MAX], self[40], *safe;
	struct stat ls, ds;
	size_t sl;
	ssize_t n;
	int hops, rc = 0, end = 0;

	*proc = 0;
	*fdn = -1;
	sl = (size_t)snprintf(self, sizeof self, "/proc/%ld/fd/", (long)getpid());
	for (hops = 0; hops < 40; hops++) {
		if (strncmp(cur, "/proc/", 6) == 0) {
			*proc = 1;
			if (strncmp(cur, self, sl) != 0 ||
			    sscanf(cur + sl, "%d%n", fdn, &end) != 1 ||
			    cur[sl + (size_t)end] != '\0')
				*fdn = -1;
			break;
		}
		if (lstat(cur, &ls) < 0 || !S_ISLNK(ls.st_mode))
			break;
		dir = ex_parent_of(cur);
		if (stat(dir, &ds) == 0 && (ds.st_mode & S_ISVTX) && (ds.st_mode & S_IWOTH) &&
		    ls.st_uid != geteuid() && ls.st_uid != ds.st_uid) {
			safe = util_visible_dup(cur, 0);
			rc = st_fail(st, STORE_EINVAL,
				     "%s is a symbolic link in the shared folder %s and belongs to "
				     "someone else; lightbox does not follow it: give another name",
				     safe, dir);
			free(safe);
			free(dir);
			break;
		}
		n = readlink(cur, link, sizeof link - 1);
		if (n < 0) {
			free(dir);
			break;
		}
		link[n] = '\0';
		next = link[0] == '/' ? xstrdup(link) : xasprintf("%s/%s", dir, link);
		free(dir);
		free(cur);
		cur = ex_abs_path(next);
		free(next);
	}
	free(cur);
	return rc;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un a;
	int fd, e;

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

/* The temporary for a regular file final (new: sb NULL), with final's mode
 * and owner, or 0666 less the umask. */
static int out_replace(struct store *st, struct out *w, const char *final, const struct stat *sb)
{
	char *dir = ex_parent_of(final);
	int fd;

	w->final = xstrdup(final);
	w->tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, util_basename(final));
	fd = mkostemp(w->tmp, O_CLOEXEC);
	if (fd < 0) {
		xfree(&w->tmp);
		fd = st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
			     "cannot write in %s: %s", dir, strerror(errno));
		free(dir);
		return fd;
	}
	free(dir);
	/* Owner first: chown clears the set-id bits that chmod then restores. */
	if (sb && (sb->st_uid != geteuid() || sb->st_gid != getegid()) &&
	    fchown(fd, sb->st_uid, sb->st_gid) < 0 && fchown(fd, (uid_t)-1, sb->st_gid) < 0)
		errno = 0; /* not ours to give away: the replacement is ours */
	fchmod(fd, sb ? sb->st_mode & 07777 : 0666 & ~util_umask());
	w->sync = 1;
	ex_out_start(w, fd, 1, final);
	return 0;
}

/* Opens the place --out names ("-": std); 0 or a code with a message. */
int ex_out_open(struct store *st, const char *path, FILE *std, struct out *w)
{
	char *real, link[PATH_MAX];
	struct stat sb;
	ssize_t n;
	int fd, proc, fdn, rc;

	if (strcmp(path, "-") == 0) {
		if (std == NULL)
			std = stdout;
		if (fflush(std) != 0 || fileno(std) < 0)
			return st_fail(st, STORE_EIO, "cannot write standard output: %s",
				       strerror(errno));
		ex_out_start(w, fileno(std), 0, "standard output");
		return 0;
	}
	rc = follow_links(st, path, &proc, &fdn);
	if (rc)
		return rc;
	if (proc) {
		fd = fdn >= 0 ? fcntl(fdn, F_DUPFD_CLOEXEC, 3)
			      : open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return st_fail(st, STORE_EIO, "cannot write %s: %s", path, strerror(errno));
		ex_out_start(w, fd, 1, path);
		return 0;
	}
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT && (n = readlink(path, link, sizeof link - 1)) >= 0) {
			link[n] = '\0';
			real = util_visible_dup(link, 0);
			rc = st_fail(st, STORE_EINVAL,
				     "%s is a symbolic link to %s, which does not exist; lightbox "
				     "writes through a link only to something that exists: create "
				     "it, or give another name",
				     path, real);
			free(real);
			return rc;
		}
		if (errno != ENOENT)
			return st_fail(st, STORE_EIO, "cannot write %s: %s", path, strerror(errno));
		real = ex_abs_path(path);
		rc = out_replace(st, w, real, NULL);
		free(real);
		return rc;
	}
	if (S_ISDIR(sb.st_mode))
		return st_fail(st, STORE_EINVAL,
			       "%s is a folder; give a file name for the record (--copy-to makes "
			       "a folder of files)",
			       path);
	if (S_ISBLK(sb.st_mode))
		return st_fail(
			st, STORE_EINVAL,
			"%s is a disk (a block device); lightbox writes the record to a file, a "
			"terminal, a pipe or a socket, never over a disk",
			path);
	if (S_ISREG(sb.st_mode)) {
		real = realpath(path, NULL);
		if (real == NULL)
			return st_fail(st, STORE_EIO, "cannot write %s: %s", path, strerror(errno));
		if (faccessat(AT_FDCWD, real, W_OK, AT_EACCESS) < 0)
			rc = st_fail(
				st, STORE_EREADONLY,
				"%s cannot be written (%s); make it writable or give another name",
				path, strerror(errno));
		else
			rc = out_replace(st, w, real, &sb);
		free(real);
		return rc;
	}
	/* A character device, a FIFO or a socket: a stream, written where it is. */
	fd = S_ISSOCK(sb.st_mode) ? connect_unix(path)
				  : open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return st_fail(st, STORE_EIO, "cannot write %s: %s", path, strerror(errno));
	ex_out_start(w, fd, 1, path);
	return 0;
}

/* Appends the file src to w. */
int ex_out_copy(struct store *st, struct out *w, const char *src)
{
	char buf[65536];
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = st_fail(st, STORE_EIO, "cannot read %s: %s", src, strerror(errno));
			close(fd);
			return (int)r;
		}
		if (fwrite(buf, 1, (size_t)r, w->f) != (size_t)r)
			break;
	}
	close(fd);
	return 0; /* a write error is w's, told by out_close */
}

/* ------------------------------------------------------------ the copy folder */

/*
 * A copy folder holds MARKER, naming the store that made it.  --force
 * replaces a folder only when its marker names this store, and only when
 * everything in it is what its MANIFEST.sha256 lists, unchanged: a file a
 * person added, or edited, after the export makes the replacement refuse.
 * The earlier folder is then swapped out in one rename and emptied by its
 * manifest's list, never by a recursive delete.
 */
#define MARKER ".lightbox-export"

void ex_listing_free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* A name inside the folder: relative, no empty, "." or ".." part. */
static int inside(const char *name)
{
	const char *p = name, *slash;
	size_t len;

	if (*name == '\0' || *name == '/')
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (slash == NULL)
			return 1;
		p = slash + 1;
	}
}

/* Reads dir's MANIFEST.sha256 as lightbox writes it ("HEX  NAME" lines);
 * 0, or -1 when it is missing or not such a file. */
int ex_read_manifest(const char *dir, struct listing *l)
{
	char *path = xasprintf("%s/MANIFEST.sha256", dir), *text, *line, *save = NULL;
	size_t len, cap = 0;
	int rc = util_read_file(path, 64 << 20, &text, &len);

	free(path);
	memset(l, 0, sizeof *l);
	if (rc < 0)
		return -1;
	if (strlen(text) != len)
		rc = -1;
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strspn(line, "0123456789abcdef") != 64 || strncmp(line + 64, "  ", 2) != 0 ||
		    !inside(line + 66)) {
			rc = -1;
			break;
		}
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->v = xrealloc(l->v, cap * sizeof *l->v);
		}
		memcpy(l->v[l->n].hex, line, 64);
		l->v[l->n].hex[64] = '\0';
		l->v[l->n++].name = xstrdup(line + 66);
	}
	free(text);
	if (rc)
		ex_listing_free(l);
	else if (l->n)
		qsort(l->v, l->n, sizeof *l->v, by_name);
	return rc;
}

static int is_listed(const struct listing *l, const char *name)
{
	struct listed key = {(char *)name, ""};

	return l->n && bsearch(&key, l->v, l->n, sizeof *l->v, by_name) != NULL;
}

/* 1 when some listed file lies under the folder dir (relative). */
static int holds_listed(const struct listing *l, const char *dir)
{
	size_t i, n = strlen(dir);

	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i].name, dir, n) == 0 && l->v[i].name[n] == '/')
			return 1;
	return 0;
}

/* The first thing under root/rel that the listing does not account for (a
 * path relative to root, owned), or NULL: every file is listed (or is the
 * manifest or the marker) and every folder holds listed files. */
static char *unlisted(const char *root, const char *rel, const struct listing *l)
{
	char *path = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root), *sub, *found = NULL;
	DIR *d = opendir(path);
	struct dirent *e;
	struct stat sb;

	free(path);
	if (d == NULL)
		return xstrdup(rel ? rel : ".");
	while (found == NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			found = sub;
		else if (S_ISDIR(sb.st_mode)) {
			found = holds_listed(l, sub) ? unlisted(root, sub, l) : xstrdup(sub);
			free(sub);
		} else if (!S_ISREG(sb.st_mode))
			found = sub;
		else if ((rel == NULL &&
			  (strcmp(sub, "MANIFEST.sha256") == 0 || strcmp(sub, MARKER) == 0)) ||
			 is_listed(l, sub))
			free(sub);
		else
			found = sub;
	}
	closedir(d);
	return found;
}

int ex_read_marker_at(const char *path, char id[33])
{
	char *text, *p;
	size_t len;
	int rc = util_read_file(path, 16 << 20, &text, &len);

	if (rc < 0)
		return -1;
	p = strstr(text, "\nstore ");
	rc = p && strspn(p + 7, "0123456789abcdef") == 32 ? 0 : -1;
	if (rc == 0) {
		memcpy(id, p + 7, 32);
		id[32] = '\0';
	}
	free(text);
	return rc;
}

/* The id in dir's marker; 0, or -1 when there is none. */
static int read_marker(const char *dir, char id[33])
{
	char *path = xasprintf("%s/%s", dir, MARKER);
	int rc = ex_read_marker_at(path, id);

	free(path);
	return rc;
}

/* Refuses to replace copy_to for why; todo says what to do instead. */
static int refuse_force(struct store *st, const char *copy_to, const char *why, const char *todo)
{
	return st_fail(st, STORE_EINVAL, "%s %s; not replacing it even with --force: %s", copy_to,
		       why, todo);
}

/* Refuses to replace copy_to for name in it, which what describes. */
static int refuse_for(struct store *st, const char *copy_to, const char *name, const char *what)
{
	char *safe = util_visible_dup(name, 0), *why = xasprintf("holds %s, %s", safe, what);
	int rc = refuse_force(st, copy_to, why, "move it out of the folder, or choose a new folder");

	free(why);
	free(safe);
	return rc;
}

/* May the export go to dest (absolute; o->copy_to as given)?  When it is an
 * earlier export to replace, *old gets its listing. */
int ex_check_copy_to(struct store *st, const struct lb_export_options *o, const char *dest,
			 struct listing *old, int *replace)
{
	struct stat sb;
	char id[33], theirs[33], hex[65], *extra, *path;
	size_t i;
	int rc = 0;

	*replace = 0;
	if (lstat(dest, &sb) < 0)
		return errno == ENOENT ? 0
				       : st_fail(st, STORE_EIO, "cannot use %s: %s", o->copy_to,
						 strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return st_fail(st, STORE_EINVAL,
			       "%s is a symbolic link; give the folder itself, or a new folder",
			       o->copy_to);
	if (!S_ISDIR(sb.st_mode))
		return st_fail(st, STORE_EINVAL,
			       "%s exists and is not a folder; choose another place to copy to",
			       o->copy_to);
	if (!o->force)
		return st_fail(st, STORE_EINVAL,
			       "%s already exists; choose a new folder, or add --force to replace "
			       "an earlier export there",
			       o->copy_to);
	rc = store_id(st, id);
	if (rc)
		return rc;
	if (read_marker(dest, theirs) < 0)
		return refuse_force(st, o->copy_to,
				    "was not made by lightbox export (it has no " MARKER " file)",
				    "choose a new folder");
	if (strcmp(id, theirs) != 0)
		return refuse_force(st, o->copy_to, "holds an export of another lightbox store",
				    "choose a new folder");
	if (ex_read_manifest(dest, old) < 0)
		return refuse_force(st, o->copy_to, "has no MANIFEST.sha256 as lightbox writes it",
				    "choose a new folder");
	extra = unlisted(dest, NULL, old);
	if (extra) {
		rc = refuse_for(st, o->copy_to, extra,
				"which the earlier export did not make (its MANIFEST.sha256 does "
				"not list it)");
		free(extra);
	}
	for (i = 0; i < old->n && rc == 0; i++) {
		path = xasprintf("%s/%s", dest, old->v[i].name);
		if (ex_hash_path(path, hex) < 0) {
			/* A listed file that is gone loses nothing. */
			if (errno != ENOENT)
				rc = st_fail(st, STORE_EIO, "cannot read %s: %s", path,
					     strerror(errno));
		} else if (strcmp(hex, old->v[i].hex) != 0) {
			rc = refuse_for(
				st, o->copy_to, old->v[i].name,
				"changed since it was exported (its SHA-256 is not the one in "
				"MANIFEST.sha256)");
		}
		free(path);
	}
	if (rc)
		ex_listing_free(old);
	else
		*replace = 1;
	return rc;
}

/* Empties old, an earlier export moved aside, of what its listing names and
 * then of the folders left empty; 0 when old is gone, -1 when something
 * unlisted that appeared meanwhile keeps it. */
static int remove_listed(const char *old, const struct listing *l)
{
	char *path, *slash;
	size_t i;

	for (i = 0; i < l->n; i++) {
		path = xasprintf("%s/%s", old, l->v[i].name);
		unlink(path);
		free(path);
	}
	path = xasprintf("%s/MANIFEST.sha256", old);
	unlink(path);
	free(path);
	path = xasprintf("%s/%s", old, MARKER);
	unlink(path);
	free(path);
	for (i = 0; i < l->n; i++) {
		path = xasprintf("%s/%s", old, l->v[i].name);
		while ((slash = strrchr(path, '/')) != NULL && strlen(path) > strlen(old) + 1) {
			*slash = '\0';
			if (strlen(path) > strlen(old))
				rmdir(path);
		}
		free(path);
	}
	return rmdir(old);
}

/* Puts the finished stage at dest.  An earlier export there (replace) is
 * swapped out in one rename where the file system can, then emptied by its
 * listing; *kept names where it stays when something unlisted kept it. */
int ex_install_folder(struct store *st, char **stage, const char *dest, const char *parent,
			  int replace, const struct listing *l, char **kept)
{
	char *old = NULL, *k;
	int rc = 0, made;

	if (!replace) {
		if (renameat2(AT_FDCWD, *stage, AT_FDCWD, dest, RENAME_NOREPLACE) < 0 &&
		    ((errno != EINVAL && errno != ENOSYS) || rename(*stage, dest) < 0))
			return st_fail(st, STORE_EIO, "cannot put the export in place at %s: %s",
				       dest, strerror(errno));
		xfree(stage);
		util_fsync_dir_of(dest);
		return 0;
	}
	if (renameat2(AT_FDCWD, *stage, AT_FDCWD, dest, RENAME_EXCHANGE) == 0) {
		old = *stage; /* the stage's name now holds the earlier export */
		*stage = NULL;
	} else {
		old = xasprintf("%s/.%s.old.XXXXXX", parent, util_basename(dest));
		if (mkdtemp(old) == NULL || rename(dest, old) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot move the earlier export %s aside: %s",
				     dest, strerror(errno));
			rmdir(old);
			free(old);
			return rc;
		}
		if (rename(*stage, dest) < 0) {
			rc = st_fail(st, STORE_EIO, "cannot put the export in place at %s: %s",
				     dest, strerror(errno));
			rename(old, dest);
			free(old);
			return rc;
		}
		xfree(stage);
	}
	util_fsync_dir_of(dest);
	if (remove_listed(old, l) == 0) {
		free(old);
		return 0;
	}
	/* Kept under a name beside dest that a person sees, not a hidden one. */
	k = xasprintf("%s.kept.XXXXXX", dest);
	made = mkdtemp(k) != NULL;
	if (made && rename(old, k) == 0) {
		*kept = k;
		free(old);
	} else {
		if (made)
			rmdir(k);
		free(k);
		*kept = old;
	}
	return 0;
}

int ex_write_marker(struct store *st, const char *stage)
{
	char id[33], *path, *text;
	int rc = store_id(st, id);

	if (rc)
		return rc;
	path = xasprintf("%s/%s", stage, MARKER);
	text = xasprintf(
		"This folder is an export made by lightbox; lightbox export --copy-to --force\n"
		"replaces it, deleting only the files its MANIFEST.sha256 lists, when it\n"
		"holds nothing else and they are unchanged.\n"
		"store %s\n",
		id);
	rc = ex_write_new_file(st, path, text, strlen(text));
	free(text);
	free(path);
	return rc;
}
