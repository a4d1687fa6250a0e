/*
 * deliver.c - lightbox deliver: the selected candidates' files handed to a
 * folder, copied, hard-linked or symbolically linked, under names from a
 * template, with the record (selection.json, as export writes it), a
 * MANIFEST.sha256 and a marker naming this store.
 *
 * Every file is checked against its SHA-256 before it is placed.  The
 * files are placed in a hidden folder beside the destination, synced,
 * then moved: a new delivery is that folder renamed into place in one
 * step; a folder delivered to before gets only the candidates it lacks,
 * each renamed in without replacing anything, and its marker, manifest
 * and record replaced by rename.  Nothing is ever overwritten or removed:
 * a name that is taken gets a suffix.  The marker lists which candidate
 * each file is (the marker goes in before the files it lists, so a run
 * cut short is completed by the next one).  No write transaction: the
 * walk reads in one read transaction, as export does.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"
#include "export-private.h"

#define DV_MARKER ".lightbox-delivery"
#define DV_RECORD "selection.json"

struct dfile {
	int64_t cand;
	char *name;
};

struct dv {
	struct store *st;
	const struct lb_deliver_options *o;
	struct lb_deliver_result *res;
	const char *tmpl;
	char *dest, *stage;
	int fresh;                 /* dest did not exist */
	struct dfile *old, *now;   /* the marker's files; this delivery's candidates */
	size_t nold, nnow, capnow;
	char **placed;             /* names this run placed in the stage, to move */
	size_t nplaced, capplaced;
	int64_t *assets;           /* the assets in this delivery, for the store */
	size_t nassets, capassets;
	char **used;               /* names taken in the delivery */
	size_t nused, capused;
	struct listing oldman;
	struct sbuf manifest;      /* this run's lines */
};

void lb_deliver_result_clear(struct lb_deliver_result *r)
{
	free(r->fallback_why);
	memset(r, 0, sizeof *r);
}

static void push_name(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = xstrdup(s);
}

static void push_asset(struct dv *d, int64_t asset)
{
	if (asset == 0)
		return;
	if (d->nassets == d->capassets) {
		d->capassets = d->capassets ? d->capassets * 2 : 64;
		d->assets = xrealloc(d->assets, d->capassets * sizeof *d->assets);
	}
	d->assets[d->nassets++] = asset;
}

static void push_file(struct dv *d, int64_t cand, const char *name)
{
	if (d->nnow == d->capnow) {
		d->capnow = d->capnow ? d->capnow * 2 : 64;
		d->now = xrealloc(d->now, d->capnow * sizeof *d->now);
	}
	d->now[d->nnow].cand = cand;
	d->now[d->nnow++].name = xstrdup(name);
}

/* ------------------------------------------------------------ names */

static const char *const fields[] = { "project", "brief", "id", "seed", "stars", "use", "ext", "n" };

static int field_index(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strlen(fields[i]) == n && strncmp(fields[i], f, n) == 0)
			return (int)i;
	return -1;
}

char *lb_deliver_name_check(const char *t)
{
	const char *p = t, *close;

	if (t == NULL || *t == '\0')
		return xstrdup("--name needs a template, such as " LB_DELIVER_NAME);
	if (*t == '/')
		return xstrdup("--name makes names inside the folder: it may not begin with '/'");
	while ((p = strchr(p, '{')) != NULL) {
		close = strchr(p, '}');
		if (close == NULL)
			return xstrdup("--name has a '{' without its '}'");
		if (field_index(p + 1, (size_t)(close - p - 1)) < 0) {
			char *f = xstrndup(p, (size_t)(close - p + 1)), *safe = util_visible_dup(f, 0);
			char *msg = xasprintf("--name has an unknown field %s; the fields are {project} "
					      "{brief} {id} {seed} {stars} {use} {ext} {n}",
					      safe);
			free(safe);
			free(f);
			return msg;
		}
		p = close + 1;
	}
	return NULL;
}

/* A value made safe inside a file name: no folder separator, control
 * character or character other systems refuse; at most 120 bytes, cut on
 * a character boundary. */
static void add_safe(struct sbuf *b, const char *v)
{
	size_t n = 0, start = b->len;

	if (v == NULL || *v == '\0')
		v = "none";
	for (; *v && n < 120; v++, n++) {
		unsigned char ch = (unsigned char)*v;
		if (ch < 0x20 || ch == 0x7f || strchr("/\\:*?\"<>|", ch))
			ch = '_';
		sb_add(b, (const char *)&ch, 1);
	}
	while (*v && ((unsigned char)*v & 0xc0) == 0x80 && b->len > start) {
		/* cut inside a character: drop its first bytes too */
		while (b->len > start && ((unsigned char)b->s[b->len - 1] & 0xc0) == 0x80)
			b->len--;
		if (b->len > start)
			b->len--;
		b->s[b->len] = '\0';
		break;
	}
}

/* Each folder part of a rendered name: never empty, ".", ".." or hidden. */
static char *tidy_parts(const char *name)
{
	struct sbuf b;
	const char *p = name, *slash;
	size_t len;

	sb_init(&b);
	for (;;) {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len <= 2 && strspn(p, ".") == len)) {
			if (slash == NULL || len > 0)
				sb_adds(&b, "_");
		} else {
			if (*p == '.')
				sb_adds(&b, "_");
			sb_add(&b, p, len);
		}
		if (slash == NULL)
			break;
		if (len > 0 || b.len > 0)
			sb_adds(&b, "/");
		p = slash + 1;
	}
	while (b.len && b.s[b.len - 1] == '/')
		b.s[--b.len] = '\0';
	return b.s ? b.s : xstrdup("_");
}

static char *render(struct dv *d, struct ex *x, const struct item *it, const char *ext)
{
	const char *p = d->tmpl, *close;
	struct sbuf b;
	char num[32], *name;

	sb_init(&b);
	while (*p) {
		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			unsigned char ch = (unsigned char)*p++;
			if (ch < 0x20 || ch == 0x7f)
				ch = '_';
			sb_add(&b, (const char *)&ch, 1);
			continue;
		}
		switch (field_index(p + 1, (size_t)(close - p - 1))) {
		case 0: add_safe(&b, x->proj.name); break;
		case 1: add_safe(&b, x->slug); break;
		case 2: sb_addf(&b, "%lld", (long long)it->c.id); break;
		case 3:
			if (it->c.has_seed)
				sb_addf(&b, "%lld", (long long)it->c.seed);
			else
				sb_adds(&b, "noseed");
			break;
		case 4:
			snprintf(num, sizeof num, "%d", lb_xmp_rating(&it->c) < 0 ? 0 : lb_xmp_rating(&it->c));
			sb_adds(&b, num);
			break;
		case 5: add_safe(&b, it->use); break;
		case 6: add_safe(&b, ext); break;
		default: sb_addf(&b, "%d", it->n); break;
		}
		p = close + 1;
	}
	name = tidy_parts(b.s ? b.s : "");
	sb_free(&b);
	return name;
}

static int in_list(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int taken1(struct dv *d, const char *name)
{
	struct stat sb;
	char *path;
	int there;

	if (strcmp(name, DV_MARKER) == 0 || strcmp(name, DV_RECORD) == 0 ||
	    strcmp(name, "MANIFEST.sha256") == 0 || in_list(d->used, d->nused, name))
		return 1;
	if (d->fresh)
		return 0;
	path = xasprintf("%s/%s", d->dest, name);
	there = lstat(path, &sb) == 0 || errno != ENOENT;
	free(path);
	return there;
}

static int taken(struct dv *d, const char *name)
{
	char *x;
	int t = taken1(d, name);

	if (!t && d->o->xmp) {
		x = xasprintf("%s.xmp", name);
		t = taken1(d, x);
		free(x);
	}
	return t;
}

/* name, or NAME-2.EXT, NAME-3.EXT... whichever is free. */
static char *unique(struct dv *d, char *name)
{
	const char *base = strrchr(name, '/'), *dot;
	char *try;
	int k;

	if (!taken(d, name))
		return name;
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		dot = base + strlen(base);
	for (k = 2;; k++) {
		try = xasprintf("%.*s-%d%s", (int)(dot - name), name, k, dot);
		if (!taken(d, try))
			break;
		free(try);
	}
	free(name);
	return try;
}

/* Creates the folders of name (relative) under root. */
static int make_parents(struct store *st, const char *root, const char *name)
{
	char *path = xasprintf("%s/%s", root, name), *slash = strrchr(path, '/');
	int rc = 0;

	*slash = '\0';
	if (strlen(path) > strlen(root) && util_mkdir_p(path) < 0)
		rc = st_fail(st, STORE_EIO, "cannot create the folder %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* ------------------------------------------------------------ placing one candidate */

static int check_hash(struct dv *d, const struct item *it, char hex[65], int64_t *bytes)
{
	struct stat sb;

	if (ex_hash_path(it->c.path, hex) < 0)
		return st_fail(d->st, STORE_EIO,
			       "the asset file %s of candidate %lld cannot be read: %s; the store is "
			       "damaged (restore the file from a backup)",
			       it->c.path, (long long)it->c.id, strerror(errno));
	if (strcmp(hex, it->c.sha256) != 0)
		return st_fail(d->st, STORE_EIO,
			       "the asset file %s of candidate %lld no longer matches its SHA-256 (%s); "
			       "the store is damaged: restore the file from a backup",
			       it->c.path, (long long)it->c.id, it->c.sha256);
	*bytes = stat(it->c.path, &sb) == 0 ? (int64_t)sb.st_size : 0;
	return 0;
}

static int place_file(struct dv *d, const struct item *it, const char *dst, char hex[65], int64_t *bytes)
{
	struct lb_deliver_result *r = d->res;
	int rc, e;

	if (it->c.purged)
		return st_fail(d->st, STORE_EINVAL,
			       "candidate %lld is selected but its file was freed by lightbox purge; "
			       "unselect it, or deliver the other briefs with --brief",
			       (long long)it->c.id);
	if (it->c.asset_id == 0) {
		r->n_copied++;
		*bytes = it->c.body ? (int64_t)strlen(it->c.body) : 0;
		return ex_write_text_file(d->st, dst, it->c.body ? it->c.body : "", hex);
	}
	switch (d->o->mode) {
	case LB_DELIVER_LINK:
		rc = check_hash(d, it, hex, bytes);
		if (rc)
			return rc;
		if (link(it->c.path, dst) == 0) {
			r->n_linked++;
			return 0;
		}
		e = errno;
		if (e != EXDEV && e != EPERM && e != EMLINK && e != ENOTSUP && e != EOPNOTSUPP)
			return st_fail(d->st, STORE_EIO, "cannot link %s to %s: %s", dst, it->c.path,
				       strerror(e));
		if (r->fallback_why == NULL)
			r->fallback_why = xstrdup(e == EXDEV ? "the folder is on another file system "
							       "than the store"
							     : strerror(e));
		r->n_fallback++;
		r->n_copied++;
		return ex_copy_file(d->st, it->c.path, dst, it->c.sha256, hex, bytes);
	case LB_DELIVER_SYMLINK:
		rc = check_hash(d, it, hex, bytes);
		if (rc)
			return rc;
		if (symlink(it->c.path, dst) < 0)
			return st_fail(d->st, STORE_EIO, "cannot make the symbolic link %s: %s", dst,
				       strerror(errno));
		r->n_symlinked++;
		return 0;
	default:
		r->n_copied++;
		return ex_copy_file(d->st, it->c.path, dst, it->c.sha256, hex, bytes);
	}
}

static void add_placed(struct dv *d, const char *name, const char *hex)
{
	sb_addf(&d->manifest, "%s  %s\n", hex, name);
	push_name(&d->placed, &d->nplaced, &d->capplaced, name);
	push_name(&d->used, &d->nused, &d->capused, name);
}

/* Writes the sidecar NAME.xmp of a file into the stage and lists it. */
static int stage_xmp(struct dv *d, struct ex *x, const struct item *it, const char *name)
{
	char hex[65], *xname = xasprintf("%s.xmp", name), *dst;
	int rc = make_parents(d->st, d->stage, xname);

	dst = xasprintf("%s/%s", d->stage, xname);
	if (rc == 0)
		rc = ex_xmp_write(x, it, dst, 0, hex);
	if (rc == 0) {
		add_placed(d, xname, hex);
		d->res->n_xmp++;
	}
	free(dst);
	free(xname);
	return rc;
}

/* --xmp on a file delivered before without one: its sidecar is new. */
static int add_missing_xmp(struct dv *d, struct ex *x, const struct item *it, const char *name)
{
	char *xname = xasprintf("%s.xmp", name);
	int there = taken1(d, xname);

	free(xname);
	return there ? 0 : stage_xmp(d, x, it, name);
}

static int dv_place(struct ex *x, struct item *it)
{
	struct dv *d = x->ctx;
	char ext[16], hex[65], *name, *dst;
	struct stat sb;
	int64_t bytes = 0;
	size_t i;
	int rc;

	for (i = 0; i < d->nold; i++) {
		if (d->old[i].cand != it->c.id)
			continue;
		dst = xasprintf("%s/%s", d->dest, d->old[i].name);
		rc = lstat(dst, &sb);
		free(dst);
		if (rc == 0) {
			it->file = xstrdup(d->old[i].name);
			push_file(d, it->c.id, d->old[i].name);
			push_asset(d, it->c.asset_id);
			d->res->n_already++;
			x->n_files++;
			return d->o->xmp ? add_missing_xmp(d, x, it, d->old[i].name) : 0;
		}
		break; /* removed since: delivered again */
	}
	if (it->c.asset_id)
		util_ext(it->c.path, ext);
	else
		snprintf(ext, sizeof ext, "txt");
	name = unique(d, render(d, x, it, *ext ? ext : "bin"));
	rc = make_parents(d->st, d->stage, name);
	dst = xasprintf("%s/%s", d->stage, name);
	if (rc == 0)
		rc = place_file(d, it, dst, hex, &bytes);
	if (rc == 0) {
		add_placed(d, name, hex);
		push_file(d, it->c.id, name);
		push_asset(d, it->c.asset_id);
		it->file = xstrdup(name);
		d->res->n_new++;
		d->res->bytes += bytes;
		x->n_files++;
		x->bytes += bytes;
	}
	if (rc == 0 && d->o->xmp)
		rc = stage_xmp(d, x, it, name);
	free(dst);
	free(name);
	return rc;
}

/* ------------------------------------------------------------ the folder */

/* Reads dest's marker: the store it names must be this one; its "file ID
 * NAME" lines are the delivery's own files. */
static int read_dv_marker(struct dv *d, const char *id)
{
	char *path = xasprintf("%s/%s", d->dest, DV_MARKER), *text, *line, *save = NULL, theirs[33];
	size_t len, cap = 0;
	long long cand;
	int n, rc;

	rc = util_read_file(path, 256 << 20, &text, &len);
	free(path);
	if (rc < 0)
		return st_fail(d->st, STORE_EIO, "cannot read %s/%s: %s", d->o->to, DV_MARKER,
			       strerror(errno));
	line = strstr(text, "\nstore ");
	if (line == NULL || strspn(line + 7, "0123456789abcdef") != 32) {
		free(text);
		return st_fail(d->st, STORE_EINVAL,
			       "%s/%s names no lightbox store; deliver to a new folder", d->o->to,
			       DV_MARKER);
	}
	memcpy(theirs, line + 7, 32);
	theirs[32] = '\0';
	if (strcmp(theirs, id) != 0) {
		free(text);
		return st_fail(d->st, STORE_EINVAL,
			       "%s holds a delivery of another lightbox store; deliver to a new folder",
			       d->o->to);
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "file %lld %n", &cand, &n) != 1 || line[n] == '\0')
			continue;
		if (d->nold == cap) {
			cap = cap ? cap * 2 : 64;
			d->old = xrealloc(d->old, cap * sizeof *d->old);
		}
		d->old[d->nold].cand = cand;
		d->old[d->nold++].name = xstrdup(line + n);
		push_name(&d->used, &d->nused, &d->capused, line + n);
	}
	free(text);
	return 0;
}

/* May the delivery go to dest?  A folder there must be an earlier delivery
 * of this store, or hold no MANIFEST.sha256 or record of someone else. */
static int check_dest(struct dv *d)
{
	struct stat sb;
	char id[33], *p;
	size_t i;
	int rc;

	if (lstat(d->dest, &sb) < 0) {
		if (errno != ENOENT)
			return st_fail(d->st, STORE_EIO, "cannot use %s: %s", d->o->to, strerror(errno));
		d->fresh = 1;
		return 0;
	}
	if (S_ISLNK(sb.st_mode))
		return st_fail(d->st, STORE_EINVAL,
			       "%s is a symbolic link; give the folder itself", d->o->to);
	if (!S_ISDIR(sb.st_mode))
		return st_fail(d->st, STORE_EINVAL,
			       "%s exists and is not a folder; choose a folder to deliver to", d->o->to);
	rc = store_id(d->st, id);
	if (rc)
		return rc;
	p = xasprintf("%s/%s", d->dest, DV_MARKER);
	if (lstat(p, &sb) == 0) {
		free(p);
		rc = read_dv_marker(d, id);
		if (rc == 0 && ex_read_manifest(d->dest, &d->oldman) < 0)
			memset(&d->oldman, 0, sizeof d->oldman); /* gone or damaged: rebuilt */
		for (i = 0; i < d->oldman.n; i++)
			if (!in_list(d->used, d->nused, d->oldman.v[i].name))
				push_name(&d->used, &d->nused, &d->capused, d->oldman.v[i].name);
		return rc;
	}
	free(p);
	for (i = 0; i < 2; i++) {
		const char *mine = i ? DV_RECORD : "MANIFEST.sha256";
		p = xasprintf("%s/%s", d->dest, mine);
		rc = lstat(p, &sb) == 0;
		free(p);
		if (rc)
			return st_fail(d->st, STORE_EINVAL,
				       "%s holds a %s that lightbox deliver did not write; deliver to "
				       "another folder, or move it away",
				       d->o->to, mine);
	}
	return 0;
}

static int write_marker(struct dv *d, const char *path)
{
	struct sbuf b;
	char id[33];
	size_t i, k;
	int rc = store_id(d->st, id);

	if (rc)
		return rc;
	sb_init(&b);
	sb_addf(&b,
		"This folder is a delivery made by lightbox; lightbox deliver adds to it the\n"
		"candidates it lacks and never removes or overwrites anything in it.  Each\n"
		"'file' line names the candidate a file of the delivery is.\n"
		"store %s\n",
		id);
	for (i = 0; i < d->nnow; i++)
		sb_addf(&b, "file %lld %s\n", (long long)d->now[i].cand, d->now[i].name);
	/* Files of earlier runs whose candidates left the delivery stay its own. */
	for (i = 0; i < d->nold; i++) {
		for (k = 0; k < d->nnow && d->now[k].cand != d->old[i].cand; k++)
			;
		if (k == d->nnow)
			sb_addf(&b, "file %lld %s\n", (long long)d->old[i].cand, d->old[i].name);
	}
	rc = ex_write_new_file(d->st, path, b.s ? b.s : "", b.len);
	sb_free(&b);
	return rc;
}

/* The manifest: the earlier run's lines for files still there, this run's,
 * the record. */
static int write_manifest(struct dv *d, const char *path)
{
	struct sbuf b;
	struct stat sb;
	char *p;
	size_t i;
	int rc;

	sb_init(&b);
	for (i = 0; i < d->oldman.n; i++) {
		if (strcmp(d->oldman.v[i].name, DV_RECORD) == 0 ||
		    in_list(d->placed, d->nplaced, d->oldman.v[i].name))
			continue;
		p = xasprintf("%s/%s", d->dest, d->oldman.v[i].name);
		if (lstat(p, &sb) == 0)
			sb_addf(&b, "%s  %s\n", d->oldman.v[i].hex, d->oldman.v[i].name);
		free(p);
	}
	sb_add(&b, d->manifest.s ? d->manifest.s : "", d->manifest.len);
	rc = ex_write_new_file(d->st, path, b.s ? b.s : "", b.len);
	sb_free(&b);
	return rc;
}

/* Moves this run's files from the stage into the earlier delivery, never
 * over anything; on failure puts back what it moved. */
static int move_in(struct dv *d)
{
	char *from, *to;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < d->nplaced && rc == 0; i++) {
		rc = make_parents(d->st, d->dest, d->placed[i]);
		if (rc)
			break;
		from = xasprintf("%s/%s", d->stage, d->placed[i]);
		to = xasprintf("%s/%s", d->dest, d->placed[i]);
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
			rc = st_fail(d->st, STORE_EIO,
				     errno == EEXIST ? "%s appeared while delivering; nothing was "
						       "replaced: run deliver again"
						     : "cannot move a delivered file to %s: %s",
				     to, strerror(errno));
		free(from);
		free(to);
	}
	if (rc)
		for (k = 0; k + 1 < i; k++) {
			from = xasprintf("%s/%s", d->stage, d->placed[k]);
			to = xasprintf("%s/%s", d->dest, d->placed[k]);
			rename(to, from);
			free(from);
			free(to);
		}
	return rc;
}

static int replace_in(struct dv *d, const char *name)
{
	char *from = xasprintf("%s/%s", d->stage, name), *to = xasprintf("%s/%s", d->dest, name);
	int rc = 0;

	if (rename(from, to) < 0)
		rc = st_fail(d->st, STORE_EIO, "cannot put %s in place: %s", to, strerror(errno));
	free(from);
	free(to);
	return rc;
}

/* The stage's files go in; a new delivery is the stage renamed. */
static int install(struct dv *d)
{
	int rc;

	if (d->fresh) {
		if (renameat2(AT_FDCWD, d->stage, AT_FDCWD, d->dest, RENAME_NOREPLACE) < 0 &&
		    ((errno != EINVAL && errno != ENOSYS) || rename(d->stage, d->dest) < 0))
			return st_fail(d->st, STORE_EIO,
				       errno == EEXIST || errno == ENOTEMPTY
					       ? "%s appeared while delivering; run deliver again"
					       : "cannot put the delivery in place at %s: %s",
				       d->o->to, strerror(errno));
		xfree(&d->stage);
		util_fsync_dir_of(d->dest);
		return 0;
	}
	/* The marker first: a run cut short after it is completed by the next. */
	rc = replace_in(d, DV_MARKER);
	if (rc == 0)
		rc = move_in(d);
	if (rc == 0)
		rc = replace_in(d, "MANIFEST.sha256");
	if (rc == 0)
		rc = replace_in(d, DV_RECORD);
	if (rc == 0)
		rc = ex_sync_dir(d->st, d->dest);
	return rc;
}

static void dv_free(struct dv *d)
{
	size_t i;

	for (i = 0; i < d->nold; i++)
		free(d->old[i].name);
	for (i = 0; i < d->nnow; i++)
		free(d->now[i].name);
	for (i = 0; i < d->nplaced; i++)
		free(d->placed[i]);
	for (i = 0; i < d->nused; i++)
		free(d->used[i]);
	free(d->old);
	free(d->now);
	free(d->placed);
	free(d->used);
	free(d->assets);
	ex_listing_free(&d->oldman);
	sb_free(&d->manifest);
	free(d->dest);
}

int store_deliver(struct store *st, const struct lb_deliver_options *o, struct lb_deliver_result *res)
{
	struct lb_export_options eo;
	struct dv d;
	struct ex x;
	struct out rec;
	char *parent = NULL, *path = NULL, *why, hex[65];
	int rc, fd, lockfd = -1;

	memset(res, 0, sizeof *res);
	memset(&d, 0, sizeof d);
	memset(&x, 0, sizeof x);
	memset(&eo, 0, sizeof eo);
	ex_out_init(&rec);
	sb_init(&d.manifest);
	sb_init(&x.manifest);
	d.st = st;
	d.o = o;
	d.res = res;
	d.tmpl = o->name ? o->name : LB_DELIVER_NAME;
	why = lb_deliver_name_check(d.tmpl);
	if (why) {
		rc = st_fail(st, STORE_EINVAL, "%s", why);
		free(why);
		return rc;
	}
	if (o->to == NULL || *o->to == '\0')
		return st_fail(st, STORE_EINVAL, "say which folder to deliver to (--to DIR)");
	eo.project_id = o->project_id;
	eo.brief_id = o->brief_id;
	eo.query = o->query;
	eo.all = o->query != NULL;
	eo.format = LB_EXPORT_JSON;
	x.st = st;
	x.o = &eo;
	x.fmt = ex_format(LB_EXPORT_JSON);
	x.first = 1;
	x.place = dv_place;
	x.ctx = &d;
	util_iso8601(util_now(), x.now);
	rc = ex_open_project(&x);
	if (rc)
		goto out;
	d.dest = ex_abs_path(o->to);
	parent = ex_parent_of(d.dest);
	rc = check_dest(&d);
	if (rc)
		goto out;
	if (!d.fresh) {
		/* One delivery into a folder at a time. */
		lockfd = open(d.dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
			rc = st_fail(st, STORE_EBUSY,
				     "another lightbox deliver is writing to %s; wait for it and run "
				     "again",
				     o->to);
			goto out;
		}
	} else if (util_mkdir_p(parent) < 0) {
		rc = st_fail(st, STORE_EIO, "cannot create %s: %s", parent, strerror(errno));
		goto out;
	}
	d.stage = xasprintf("%s/.%s.tmp.XXXXXX", parent, util_basename(d.dest));
	if (mkdtemp(d.stage) == NULL) {
		rc = st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
			     "cannot create a folder in %s: %s", parent, strerror(errno));
		xfree(&d.stage);
		goto out;
	}
	chmod(d.stage, 0777 & ~util_umask());
	x.stage = d.stage;
	path = xasprintf("%s/%s", d.stage, DV_RECORD);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = st_fail(st, STORE_EIO, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	ex_out_start(&rec, fd, 1, path);
	rec.sync = 1;
	x.f = rec.f;
	rc = ex_walk_snapshot(&x);
	x.f = NULL;
	if (rc == 0)
		rc = ex_out_close(st, &rec);
	if (rc)
		goto out;
	res->n_candidates = x.n_cands;
	if (ex_hash_path(path, hex) < 0) {
		rc = st_fail(st, STORE_EIO, "cannot read back %s: %s", path, strerror(errno));
		goto out;
	}
	sb_addf(&d.manifest, "%s  %s\n", hex, DV_RECORD);
	free(path);
	path = xasprintf("%s/MANIFEST.sha256", d.stage);
	rc = write_manifest(&d, path);
	free(path);
	path = xasprintf("%s/%s", d.stage, DV_MARKER);
	if (rc == 0)
		rc = write_marker(&d, path);
	if (rc == 0)
		rc = ex_sync_dir(st, d.stage);
	if (rc == 0)
		rc = install(&d);
	/* The store learns what went where (purge keeps those files). */
	if (rc == 0 && d.nassets)
		rc = st_delivered_add(st, d.assets, d.nassets, d.dest, o->mode);
out:
	if (rc && d.stage) {
		/* Messages name the folder asked for, not the hidden one. */
		const char *msg = store_errmsg(st), *p = strstr(msg, d.stage);
		if (p) {
			char *m = xasprintf("%.*s%s%s", (int)(p - msg), msg, o->to, p + strlen(d.stage));
			st_fail(st, rc, "%s", m);
			free(m);
		}
	}
	ex_out_free(&rec);
	if (d.stage) {
		ex_rm_rf(d.stage);
		free(d.stage);
	}
	if (lockfd >= 0)
		close(lockfd);
	free(path);
	free(parent);
	ex_clear(&x);
	dv_free(&d);
	return rc;
}

/* ------------------------------------------------------------ xmp write */

/* Where the sidecar of a candidate goes without a delivery folder: beside
 * the file it was imported from (a relative name as seen from here), when
 * that still holds its bytes. */
static char *beside_source(const struct item *it)
{
	char hex[65], *side;
	struct stat sb;

	if (it->c.asset_id == 0 || it->c.source == NULL || it->c.source[0] == '\0' ||
	    stat(it->c.source, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size != it->c.bytes ||
	    ex_hash_path(it->c.source, hex) < 0 || strcmp(hex, it->c.sha256) != 0)
		return NULL;
	side = lb_xmp_sidecar(it->c.source);
	return side ? side : xasprintf("%s.xmp", it->c.source);
}

/* Sets name's line of the listing to hex, adding it when missing. */
static void listing_set(struct listing *l, const char *name, const char *hex)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			break;
	if (i == l->n) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++].name = xstrdup(name);
	}
	memcpy(l->v[i].hex, hex, 65);
}

int store_xmp_write(struct store *st, int64_t brief_id, const char *dir, struct lb_xmp_write_result *res)
{
	struct lb_export_options eo;
	struct lb_deliver_options dopt;
	struct dv d;
	struct ex x;
	struct item it;
	struct sbuf man;
	char id[33], hex[65], *target, *rel, *mpath;
	int64_t *ids = NULL;
	size_t n = 0, i, k;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&d, 0, sizeof d);
	memset(&x, 0, sizeof x);
	memset(&eo, 0, sizeof eo);
	memset(&dopt, 0, sizeof dopt);
	sb_init(&d.manifest);
	eo.brief_id = brief_id;
	eo.all = 1;
	x.st = st;
	x.o = &eo;
	d.st = st;
	d.o = &dopt;
	dopt.to = dir;
	rc = store_brief_get(st, brief_id, &x.b);
	if (rc == 0)
		rc = store_project_get(st, x.b.project_id, &x.proj);
	if (rc == 0 && dir) {
		struct stat sb;
		char *mk;
		d.dest = ex_abs_path(dir);
		mk = xasprintf("%s/%s", d.dest, DV_MARKER);
		if (stat(mk, &sb) < 0)
			rc = st_fail(st, STORE_EINVAL,
				     "%s is not a delivery made by lightbox deliver (it has no %s); "
				     "deliver with --xmp, or leave --to away",
				     dir, DV_MARKER);
		free(mk);
		if (rc == 0)
			rc = store_id(st, id);
		if (rc == 0)
			rc = read_dv_marker(&d, id);
		if (rc == 0 && ex_read_manifest(d.dest, &d.oldman) < 0)
			memset(&d.oldman, 0, sizeof d.oldman);
	}
	if (rc == 0)
		rc = ex_brief_candidates(&x, brief_id, &ids, &n);
	for (i = 0; i < n && rc == 0; i++) {
		target = rel = NULL;
		if (dir) {
			for (k = 0; k < d.nold && d.old[k].cand != ids[i]; k++)
				;
			if (k == d.nold) {
				res->n_skipped++;
				continue;
			}
			rel = xasprintf("%s.xmp", d.old[k].name);
			target = xasprintf("%s/%s", d.dest, rel);
		}
		rc = ex_gather(&x, ids[i], (int)i + 1, &it);
		if (rc == 0 && target == NULL)
			target = beside_source(&it);
		if (rc == 0 && target == NULL)
			res->n_skipped++;
		else if (rc == 0 && (rc = ex_xmp_write(&x, &it, target, 1, hex)) == STORE_EINVAL) {
			/* Someone else's sidecar we cannot read: left as it is. */
			if (res->n_bad++ == 0)
				res->bad = xstrdup(store_errmsg(st));
			rc = 0;
			xfree(&target);
		}
		if (rc == 0 && target) {
			res->n_written++;
			if (rel)
				listing_set(&d.oldman, rel, hex);
		}
		ex_item_clear(&it);
		free(target);
		free(rel);
	}
	if (rc == 0 && dir && res->n_written) {
		sb_init(&man);
		for (i = 0; i < d.oldman.n; i++)
			sb_addf(&man, "%s  %s\n", d.oldman.v[i].hex, d.oldman.v[i].name);
		mpath = xasprintf("%s/MANIFEST.sha256", d.dest);
		if (util_write_atomic(mpath, man.s ? man.s : "", man.len) < 0)
			rc = ex_write_fail(st, mpath, errno);
		free(mpath);
		sb_free(&man);
	}
	free(ids);
	lb_brief_clear(&x.b);
	lb_project_clear(&x.proj);
	lb_revision_clear(&x.rev);
	dv_free(&d);
	return rc;
}
