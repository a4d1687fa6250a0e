/*
 * import.c - bringing files that people already have into a brief.
 *
 * Two passes.  The walk gathers the files named and those in the folders
 * named (recursively, sorted, following symbolic links; a link back to a
 * folder being walked is reported as a loop, a second way into a folder
 * already walked is skipped; hidden names are left out), so that the
 * total is known for the progress report and sidecars are recognised:
 * a .json or .txt file beside a picture, sound or video with the same
 * stem is that file's parameters, not a candidate of its own.
 *
 * Then each file, outside any transaction: copied into assets/tmp and
 * hashed (SHA-256) from the same buffer, so each byte of it is read once;
 * skipped when the same bytes are already a candidate of the brief (so a
 * second run continues where the first stopped); probed by content
 * through media/ from the copy (a name that lies is caught; a header
 * claiming more than MEDIA_PIXEL_LIMIT_DEFAULT pixels refused); its
 * generation parameters recovered (media_genmeta_*, sidecars beside the
 * original); the copy moved to its content name without an fsync.  When
 * a batch is full (256 files or 256 MiB), one syncfs makes its files
 * durable, still outside any transaction; then one short write
 * transaction records the batch's asset rows and candidates (one audit
 * event), each file under a savepoint so one bad file is undone alone.
 * A file is reported added only once that transaction has committed: no
 * row ever points at bytes that are not on disk, and a store writer
 * waits at most for the few milliseconds of those inserts.
 *
 * With new_brief, files are grouped by prompt (compared with runs of
 * white space folded and trailing commas dropped) and modality; each
 * group becomes a brief whose prompt, negative prompt and parameters are
 * its first file's, or joins the project's brief with that prompt.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/media.h"
#include "store-private.h"

#define BATCH_DEFAULT 256
#define BATCH_BYTES (256LL << 20) /* bytes staged before a batch is recorded */
#define MAX_DEPTH 128
#define FIELD_MAX (256 * 1024)      /* longest prompt or parameters kept */
#define TEXT_BODY_MAX LB_TEXT_INLINE_MAX /* text files shown inline up to this */
#define RAW_MAX (1 << 20)           /* parameters text longer than this is not parameters */

static const char *const status_names[] = { "added", "same-asset", "duplicate", "sidecar", "skipped", "failed" };

const char *lb_import_status_name(int s)
{
	return s >= 0 && s < LB_IMPORT__COUNT ? status_names[s] : "?";
}

void lb_import_result_clear(struct lb_import_result *r)
{
	free(r->briefs);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ state */

struct file {
	char *path;
	int named;              /* named on the command line, not found in a folder */
	long sidecar_of;        /* index of the file it describes, or -1 */
};

struct dirseen {
	dev_t dev;
	ino_t ino;
	char *path;
	int open;               /* being walked (an ancestor of what is walked now) */
};

struct seen {
	char hex[65];
	size_t file;            /* index in files */
};

/* A file of the open batch: its bytes are at their content name (not
 * synced yet), its asset row and candidate wait for the batch's single
 * short transaction (one audit event per batch, as HACKING.md asks of
 * bulk adds); it is reported once committed. */
struct pending {
	struct lb_candidate_input in; /* strings below are owned */
	char *body, *model, *prompt, *negative, *params, *source;
	char *path, *media_type, *ext, *reason, *tool;
	char hex[65];
	int64_t bytes, asset_id;
	int width, height, has_prompt, existed;
	double duration;
	int link;               /* st_staged.link: how its asset file came to be */
	int64_t mtime_ns;
	char *origin;           /* the linked file's absolute path */
	struct lb_xmp_facts xmp; /* a photo tool's sidecar, read before the batch */
};

struct group {
	int modality;
	char *key;              /* normalised prompt, "" for none */
	int64_t brief_id;       /* 0 in a dry run */
};

struct imp {
	struct store *st;
	const struct lb_import_options *o;
	struct lb_import_result *res;
	struct file *files;
	size_t nfiles, cap;
	struct dirseen *dirs;
	size_t ndirs;
	int brief_modality;     /* of o->brief_id */
	struct group *groups;
	size_t ngroups;
	struct seen *seen;      /* sha256 of the files taken in this run, sorted */
	size_t nseen;
	struct pending *pend;   /* files of the open batch, their rows not recorded yet */
	size_t in_batch;
	int64_t batch_bytes;    /* bytes staged in the open batch */
	size_t batch_size;      /* files per transaction */
	double t0;
	size_t done;
	size_t walked;          /* names the walk reported itself (not files to import) */
	int stop;
	struct stager *ahead;   /* the threads copying ahead, or NULL (dry run, links) */
};

static void report(struct imp *im, struct lb_import_item *it)
{
	char *shown = NULL;

	if (it->shown == NULL)
		it->shown = shown = util_visible_dup(it->path, 0);
	im->res->n[it->status]++;
	if (im->o->report)
		im->o->report(im->o->ctx, it);
	free(shown);
}

/* Reports a file the walk could not take. */
static void walk_report(struct imp *im, const char *path, int status, const char *reason)
{
	struct lb_import_item it = { 0 };

	it.path = path;
	it.status = status;
	it.reason = reason;
	im->walked++;
	report(im, &it);
}

/* ------------------------------------------------------------ the walk */

static void add_file(struct imp *im, const char *path, int named)
{
	if (im->nfiles == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 256;
		im->files = xrealloc(im->files, im->cap * sizeof *im->files);
	}
	im->files[im->nfiles].path = xstrdup(path);
	im->files[im->nfiles].named = named;
	im->files[im->nfiles++].sidecar_of = -1;
}

/* Why path cannot be followed (stat failed with errno e). Owned. */
static char *stat_reason(const char *path, int e)
{
	struct stat lsb;
	char target[512];
	ssize_t n;

	if (e == ELOOP)
		return xstrdup("symbolic link loop: the link leads back to itself");
	if (e == ENOENT && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
		n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		{
			char *vis = util_visible_dup(target, 0);
			char *r = xasprintf("broken symbolic link to %s", vis);
			free(vis);
			return r;
		}
	}
	if (e == ENOENT)
		return xstrdup("cannot read: no such file or folder");
	return xasprintf("cannot read: %s", strerror(e));
}

static void walk(struct imp *im, const char *path, int named, int depth);

static void walk_dir(struct imp *im, const char *path, const struct stat *sb, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *full, *reason;
	size_t n = 0, cap = 0, i, me;

	for (i = 0; i < im->ndirs; i++)
		if (im->dirs[i].dev == sb->st_dev && im->dirs[i].ino == sb->st_ino) {
			char *vis = util_visible_dup(im->dirs[i].path, 0);
			if (im->dirs[i].open) {
				reason = xasprintf("symbolic link loop: leads back to the folder %s", vis);
				walk_report(im, path, LB_IMPORT_FAILED, reason);
			} else {
				reason = xasprintf("the same folder as %s, already walked", vis);
				walk_report(im, path, LB_IMPORT_SKIPPED, reason);
			}
			free(vis);
			free(reason);
			return;
		}
	if (depth > MAX_DEPTH) {
		walk_report(im, path, LB_IMPORT_FAILED, "folders nested too deeply (over 128 levels)");
		return;
	}
	d = opendir(path);
	if (d == NULL) {
		reason = xasprintf("cannot open the folder: %s", strerror(errno));
		walk_report(im, path, LB_IMPORT_FAILED, reason);
		free(reason);
		return;
	}
	im->dirs = xrealloc(im->dirs, (im->ndirs + 1) * sizeof *im->dirs);
	me = im->ndirs++;
	im->dirs[me].dev = sb->st_dev;
	im->dirs[me].ino = sb->st_ino;
	im->dirs[me].path = xstrdup(path);
	im->dirs[me].open = 1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, st_cmp_str);
	for (i = 0; i < n; i++) {
		full = strcmp(path, "/") == 0 ? xasprintf("/%s", names[i]) : xasprintf("%s/%s", path, names[i]);
		if (names[i][0] == '.')
			walk_report(im, full, LB_IMPORT_SKIPPED, "a hidden file or folder");
		else
			walk(im, full, 0, depth + 1);
		free(full);
		free(names[i]);
	}
	free(names);
	im->dirs[me].open = 0;
}

static void walk(struct imp *im, const char *path, int named, int depth)
{
	struct stat sb;
	char *reason;

	if (stat(path, &sb) < 0) {
		reason = stat_reason(path, errno);
		walk_report(im, path, LB_IMPORT_FAILED, reason);
		free(reason);
		return;
	}
	if (S_ISDIR(sb.st_mode))
		walk_dir(im, path, &sb, depth);
	else if (S_ISREG(sb.st_mode))
		add_file(im, path, named);
	else
		walk_report(im, path, named ? LB_IMPORT_FAILED : LB_IMPORT_SKIPPED,
			    "not a regular file (a device, pipe or socket)");
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

static int is_sidecar_ext(const char *path)
{
	char ext[16];

	util_ext(path, ext);
	return strcmp(ext, "json") == 0 || strcmp(ext, "txt") == 0 || strcmp(ext, "xmp") == 0;
}

/* Marks the .json/.txt files that are another file's parameters: the
 * names media_genmeta_from_file looks for (STEM.json, STEM.txt,
 * NAME.json, NAME.txt). */
static void find_sidecars(struct imp *im)
{
	struct file *sorted = xcalloc(im->nfiles + 1, sizeof *sorted), key, *hit;
	size_t i, k;
	char *cand[6], *stem;
	const char *base, *dot;

	for (i = 0; i < im->nfiles; i++) {
		sorted[i] = im->files[i];
		sorted[i].sidecar_of = (long)i; /* remembers the original index */
	}
	qsort(sorted, im->nfiles, sizeof *sorted, cmp_file);
	for (i = 0; i < im->nfiles; i++) {
		if (is_sidecar_ext(im->files[i].path))
			continue;
		base = util_basename(im->files[i].path);
		dot = strrchr(base, '.');
		stem = dot && dot != base ? xstrndup(im->files[i].path, (size_t)(dot - im->files[i].path))
					  : xstrdup(im->files[i].path);
		cand[0] = xasprintf("%s.json", stem);
		cand[1] = xasprintf("%s.txt", stem);
		cand[2] = xasprintf("%s.json", im->files[i].path);
		cand[3] = xasprintf("%s.txt", im->files[i].path);
		cand[4] = xasprintf("%s.xmp", stem);
		cand[5] = xasprintf("%s.xmp", im->files[i].path);
		for (k = 0; k < 6; k++) {
			key.path = cand[k];
			hit = bsearch(&key, sorted, im->nfiles, sizeof *sorted, cmp_file);
			if (hit && im->files[hit->sidecar_of].sidecar_of < 0)
				im->files[hit->sidecar_of].sidecar_of = (long)i;
			free(cand[k]);
		}
		free(stem);
	}
	free(sorted);
}

/* ------------------------------------------------------------ batches */

static void pending_clear(struct pending *p)
{
	lb_xmp_facts_clear(&p->xmp);
	free(p->body);
	free(p->model);
	free(p->prompt);
	free(p->negative);
	free(p->params);
	free(p->source);
	free(p->path);
	free(p->media_type);
	free(p->ext);
	free(p->reason);
	free(p->tool);
	free(p->origin);
	memset(p, 0, sizeof *p);
}

static void pending_report(struct imp *im, struct pending *p, int64_t cand, const char *failure)
{
	struct lb_import_item it = { 0 };

	it.path = p->path;
	it.shown = p->source;
	char *words = NULL;

	it.status = failure ? LB_IMPORT_FAILED : p->existed ? LB_IMPORT_SAME_ASSET : LB_IMPORT_ADDED;
	if (!failure && p->existed)
		words = xasprintf("%s%sthe same bytes were already stored (for another brief): one asset",
				  p->reason ? p->reason : "", p->reason ? "; " : "");
	it.reason = failure ? failure : words ? words : p->reason;
	it.media_type = p->media_type;
	it.sha256 = p->hex;
	it.bytes = p->bytes;
	it.width = p->width;
	it.height = p->height;
	it.duration = p->duration;
	it.brief_id = p->in.brief_id;
	it.candidate_id = failure ? 0 : cand;
	it.asset_id = failure ? 0 : p->asset_id;
	it.tool = p->tool;
	it.has_prompt = p->has_prompt;
	report(im, &it);
	free(words);
}

static int find_existing(struct imp *im, const char *hex, int64_t brief_id, int64_t *cand, int64_t *in_brief,
			 char **source);

/* Records the open batch: one syncfs makes its files durable (outside any
 * transaction), then one short write transaction adds their asset rows
 * and candidates (one event) and commits; then the files are reported.
 * A file that became a candidate meanwhile (another import of the same
 * files) is reported as such; one whose rows are refused is undone alone
 * and reported failed; a transaction that fails fails them all, and says
 * that running the import again adds them. */
/* A darktable, digiKam or Lightroom sidecar beside path (NAME.EXT.xmp or
 * NAME.xmp), read now, outside any transaction; a bad one is a warning. */
static void read_xmp(const char *path, struct pending *p, struct sbuf *warn)
{
	char *side = lb_xmp_sidecar(path), *why, *safe;

	if (side == NULL)
		return;
	if (lb_xmp_read(side, &p->xmp, &why) < 0) {
		safe = util_visible_dup(util_basename(side), 0);
		sb_addf(warn, "%sits XMP sidecar %s was not read: %s", warn->len ? "; " : "", safe, why);
		free(safe);
		free(why);
	}
	free(side);
}

/* The sidecar's rating becomes the importing curator's (-1: rejected), with
 * a note saying it came from XMP; its keywords become tags (spaces and
 * commas, which tags cannot hold, as '-'; a keyword no tag can be is left
 * out). */
static int apply_xmp(struct imp *im, struct pending *p, int64_t cand)
{
	char *safe, *tag, *note;
	size_t i, k;
	int64_t nid;
	int rc = st_savepoint(im->st), ok = 1;

	if (rc)
		return rc;
	if (p->xmp.has_rating && p->xmp.rating != 0) {
		ok = (p->xmp.rating < 0 ? store_flag(im->st, cand, LB_FLAG_REJECT)
					: store_rate(im->st, cand, p->xmp.rating)) == 0;
		safe = util_visible_dup(util_basename(p->xmp.path), 0);
		note = p->xmp.rating < 0
			       ? xasprintf("rejected in the XMP sidecar %s (xmp:Rating -1), imported", safe)
			       : xasprintf("rated %d in the XMP sidecar %s (xmp:Rating), imported",
					   p->xmp.rating, safe);
		if (ok)
			ok = store_note_add(im->st, LB_ON_CANDIDATE, cand, LB_NOTE_COMMENT, note, &nid) == 0;
		free(note);
		free(safe);
	}
	for (i = 0; i < p->xmp.ntags && ok; i++) {
		tag = xstrdup(p->xmp.tags[i]);
		for (k = 0; tag[k]; k++)
			if (tag[k] == ' ' || tag[k] == ',' || tag[k] == '\t')
				tag[k] = '-';
		if (strlen(tag) <= 64 && util_utf8_valid(tag, strlen(tag))) {
			int r = store_tag_add(im->st, cand, tag);
			ok = r == 0 || r == STORE_EINVAL; /* a name no tag can be: left out */
		}
		free(tag);
	}
	if (!ok) {
		st_savepoint_end(im->st, 0);
		return st_fail(im->st, STORE_EIO, "saving what the XMP sidecar of %s says: %s", p->source,
			       store_errmsg(im->st));
	}
	return st_savepoint_end(im->st, 1);
}

static int batch_commit(struct imp *im)
{
	size_t n = im->in_batch, i, k, m = 0;
	struct lb_candidate_input *in;
	struct lb_asset_facts f;
	int64_t *ids, cand, in_brief;
	size_t *at;
	char **why, *src;
	int rc, *dup;

	if (n == 0)
		return 0;
	im->in_batch = 0;
	im->batch_bytes = 0;
	in = xcalloc(n + 1, sizeof *in);
	ids = xcalloc(n + 1, sizeof *ids);
	at = xcalloc(n + 1, sizeof *at);
	why = xcalloc(n + 1, sizeof *why);
	dup = xcalloc(n + 1, sizeof *dup);
	/* Bytes on disk before the rows that point at them. */
	rc = st_assets_sync(im->st);
	if (rc == 0)
		rc = store_batch_begin(im->st, "import");
	for (i = 0; i < n && rc == 0; i++) {
		struct pending *p = &im->pend[i];
		rc = st_savepoint(im->st);
		if (rc)
			break;
		rc = find_existing(im, p->hex, p->in.brief_id, &cand, &in_brief, &src);
		if (rc == 0 && cand) {
			why[i] = xasprintf("already candidate %lld of brief %lld (from %s), added while this "
					   "import ran", (long long)cand, (long long)in_brief,
					   src && *src ? src : "elsewhere");
			dup[i] = 1;
			ids[i] = cand;
		}
		free(src);
		if (rc == 0 && !dup[i]) {
			memset(&f, 0, sizeof f);
			f.media_type = p->media_type;
			f.ext = p->ext;
			f.width = p->width;
			f.height = p->height;
			f.duration = p->duration;
			if (st_asset_row(im->st, p->hex, p->bytes, &f, p->ext, &p->asset_id, &p->existed) != 0) {
				why[i] = xstrdup(store_errmsg(im->st));
				rc = st_savepoint_end(im->st, 0);
				continue;
			}
			if (p->link && st_asset_link_record(im->st, p->asset_id, p->link, p->origin, p->mtime_ns) != 0) {
				why[i] = xstrdup(store_errmsg(im->st));
				rc = st_savepoint_end(im->st, 0);
				continue;
			}
			p->in.asset_id = p->asset_id;
			at[m] = i;
			in[m++] = p->in;
		}
		if (rc == 0)
			rc = st_savepoint_end(im->st, 1);
	}
	if (rc == 0 && m) {
		int64_t *got = xcalloc(m + 1, sizeof *got);
		rc = st_savepoint(im->st);
		if (rc == 0 && store_candidate_add_many(im->st, in, m, got) != 0) {
			/* One of them is refused: add them one by one to find it. */
			rc = st_savepoint_end(im->st, 0);
			for (k = 0; k < m && rc == 0; k++) {
				rc = st_savepoint(im->st);
				if (rc == 0 && store_candidate_add(im->st, &in[k], &got[k]) != 0) {
					why[at[k]] = xstrdup(store_errmsg(im->st));
					got[k] = 0;
					rc = st_savepoint_end(im->st, 0);
				} else if (rc == 0) {
					rc = st_savepoint_end(im->st, 1);
				}
			}
		} else if (rc == 0) {
			rc = st_savepoint_end(im->st, 1);
		}
		for (k = 0; k < m; k++)
			ids[at[k]] = got[k];
		free(got);
	}
	for (i = 0; i < n && rc == 0; i++)
		if (ids[i] && !dup[i] && im->pend[i].xmp.path)
			rc = apply_xmp(im, &im->pend[i], ids[i]);
	if (im->st->depth > 0) {
		if (rc)
			store_batch_end(im->st, 0);
		else
			rc = store_batch_end(im->st, 1);
	}
	if (rc)
		st_fail(im->st, rc, "%s; the last %zu files were not saved: run the same import again to add them",
			store_errmsg(im->st), n);
	for (i = 0; i < n; i++) {
		if (rc == 0 && dup[i]) {
			struct lb_import_item it = { 0 };
			it.path = im->pend[i].path;
			it.shown = im->pend[i].source;
			it.status = LB_IMPORT_DUPLICATE;
			it.reason = why[i];
			it.sha256 = im->pend[i].hex;
			it.bytes = im->pend[i].bytes;
			it.candidate_id = ids[i];
			it.brief_id = im->pend[i].in.brief_id;
			report(im, &it);
		} else {
			pending_report(im, &im->pend[i], ids[i], rc ? store_errmsg(im->st) : why[i]);
		}
		pending_clear(&im->pend[i]);
		free(why[i]);
	}
	free(in);
	free(ids);
	free(at);
	free(why);
	free(dup);
	return rc;
}

/* ------------------------------------------------------------ briefs from prompts */

/* The prompt as a grouping key: white space folded, trailing commas and
 * spaces dropped.  Owned. */
static char *prompt_key(const char *p)
{
	struct sbuf b;
	int space = 0;

	sb_init(&b);
	for (; p && *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = 1;
			continue;
		}
		if (space && b.len)
			sb_addc(&b, ' ');
		space = 0;
		sb_addc(&b, *p);
	}
	while (b.len && (b.s[b.len - 1] == ',' || b.s[b.len - 1] == ' '))
		b.s[--b.len] = '\0';
	return sb_steal(&b);
}

/* A title from a prompt key: at most about 60 bytes, cut at a word. */
static char *title_from(const char *key, int modality)
{
	size_t n = strlen(key), cut;
	char *vis, *t;

	if (n == 0)
		return xasprintf("Imported without a prompt (%s)", lb_modality_name(modality));
	vis = util_visible_dup(key, 0);
	n = strlen(vis);
	if (n <= 64)
		return vis;
	cut = 60;
	while (cut > 0 && ((unsigned char)vis[cut] & 0xc0) == 0x80)
		cut--;
	for (n = cut; n > 30 && vis[n] != ' '; n--)
		;
	if (n > 30)
		cut = n;
	while (cut > 0 && (vis[cut - 1] == ' ' || vis[cut - 1] == ','))
		cut--;
	t = xasprintf("%.*s…", (int)cut, vis);
	free(vis);
	return t;
}

static int load_groups(struct imp *im)
{
	struct lb_brief_list bl;
	size_t i;
	int rc = store_brief_list(im->st, im->o->project_id, 0, &bl);

	if (rc)
		return rc;
	im->groups = xcalloc(bl.n + 1, sizeof *im->groups);
	for (i = 0; i < bl.n; i++) {
		char *key = prompt_key(bl.v[i].f.prompt), *title;
		/* A brief without prompt is the import's only when it has the
		 * title the import gives such a brief. */
		if (*key == '\0') {
			title = title_from("", bl.v[i].f.modality);
			if (strcmp(title, bl.v[i].f.title) != 0) {
				free(title);
				free(key);
				continue;
			}
			free(title);
		}
		im->groups[im->ngroups].modality = bl.v[i].f.modality;
		im->groups[im->ngroups].key = key;
		im->groups[im->ngroups++].brief_id = bl.v[i].id;
	}
	lb_brief_list_free(&bl);
	return 0;
}

/* The brief for a file of this modality and prompt: found, or made. */
static int group_brief(struct imp *im, int modality, const struct media_genmeta *gm, int64_t *brief_id)
{
	char *key = prompt_key(gm && gm->prompt ? gm->prompt : "");
	struct lb_brief_fields f = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < im->ngroups; i++)
		if (im->groups[i].modality == modality && strcmp(im->groups[i].key, key) == 0) {
			*brief_id = im->groups[i].brief_id;
			free(key);
			return 0;
		}
	*brief_id = 0;
	if (!im->o->dry_run) {
		/* Briefs are made in their own transaction, so that a batch
		 * rolled back never leaves a group pointing at nothing. */
		rc = batch_commit(im);
		if (rc) {
			free(key);
			return rc;
		}
		f.title = title_from(key, modality);
		f.modality = modality;
		f.prompt = xstrdup(*key && gm->prompt ? gm->prompt : "");
		f.negative = xstrdup(*key && gm->negative_prompt ? gm->negative_prompt : "");
		f.params = xstrdup(*key && gm->params_json && strlen(gm->params_json) <= FIELD_MAX
					   ? gm->params_json
					   : "{}");
		rc = store_brief_add(im->st, im->o->project_id, &f, brief_id);
		lb_brief_fields_clear(&f);
		if (rc) {
			free(key);
			return rc;
		}
		im->res->briefs = xrealloc(im->res->briefs, (im->res->n_briefs + 1) * sizeof *im->res->briefs);
		im->res->briefs[im->res->n_briefs++] = *brief_id;
	}
	im->res->n_briefs_planned++;
	im->groups = xrealloc(im->groups, (im->ngroups + 1) * sizeof *im->groups);
	im->groups[im->ngroups].modality = modality;
	im->groups[im->ngroups].key = key;
	im->groups[im->ngroups++].brief_id = *brief_id;
	return 0;
}

/* ------------------------------------------------------------ one file */

static int modality_of_kind(enum media_kind k)
{
	switch (k) {
	case MEDIA_TEXT: return LB_TEXT;
	case MEDIA_AUDIO: return LB_AUDIO;
	case MEDIA_VIDEO: return LB_VIDEO;
	default: return LB_IMAGE;
	}
}

/* What a file's name promises: a kind, or MEDIA_UNKNOWN when the name
 * says nothing certain (no extension, or a container that holds either
 * sound or pictures). */
static enum media_kind kind_of_name(const char *path, const char **what)
{
	static const struct {
		const char *ext, *what;
		enum media_kind kind;
	} names[] = {
		{ "png", "a PNG image", MEDIA_IMAGE }, { "jpg", "a JPEG image", MEDIA_IMAGE },
		{ "jpeg", "a JPEG image", MEDIA_IMAGE }, { "webp", "a WebP image", MEDIA_IMAGE },
		{ "gif", "a GIF image", MEDIA_IMAGE }, { "txt", "text", MEDIA_TEXT },
		{ "md", "Markdown text", MEDIA_TEXT }, { "json", "JSON text", MEDIA_TEXT },
		{ "wav", "WAV audio", MEDIA_AUDIO }, { "mp3", "MP3 audio", MEDIA_AUDIO },
		{ "flac", "FLAC audio", MEDIA_AUDIO }, { "mov", "a QuickTime video", MEDIA_VIDEO },
	};
	char ext[16];
	size_t i;

	util_ext(path, ext);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(ext, names[i].ext) == 0) {
			*what = names[i].what;
			return names[i].kind;
		}
	*what = NULL;
	return MEDIA_UNKNOWN;
}

static const char *kind_words(enum media_kind k)
{
	switch (k) {
	case MEDIA_IMAGE: return "an image";
	case MEDIA_TEXT: return "text";
	case MEDIA_AUDIO: return "audio";
	case MEDIA_VIDEO: return "a video";
	default: return "something else";
	}
}

/* "n" before a word that starts with a vowel ("an image"). */
static const char *vowel(const char *word)
{
	return strchr("aeiou", word[0]) ? "n" : "";
}

/* Hashes a file without copying it (a dry run, which writes nothing);
 * 0, or -1 with errno. */
static int hash_file(const char *path, char hex[65], int64_t *bytes)
{
	char buf[65536];
	unsigned char d[32];
	struct sha256 c;
	struct stat sb;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), saved;

	if (fd < 0)
		return -1;
	/* Swapped for a pipe or a device since the walk: do not block on it. */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	sha256_init(&c);
	*bytes = 0;
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		sha256_update(&c, buf, (size_t)r);
		*bytes += r;
	}
	close(fd);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

/* Whether some process has the file open for writing: a read lease is
 * refused (EAGAIN) exactly then.  Leases are only for the file's owner;
 * for another's file (or where leases are off) this says 0, and the
 * size and mtime check while copying still refuses a file that grows. */
static int open_for_writing(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), busy = 0;

	if (fd < 0)
		return 0;
	/* No F_SETOWN: a lease broken in this instant signals nobody. */
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		busy = errno == EAGAIN;
	else
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return busy;
}

/* The candidate already holding these bytes in the brief (or, brief 0,
 * in the project of new_brief): *cand 0 when none; *source its source. */
static int find_existing(struct imp *im, const char *hex, int64_t brief_id, int64_t *cand, int64_t *in_brief,
			 char **source)
{
	db_stmt *s;
	int rc;

	*cand = 0;
	*source = NULL;
	if (brief_id)
		s = st_prep(im->st, "SELECT c.id, c.brief_id, c.source FROM candidate c JOIN asset a"
				    " ON a.id = c.asset_id WHERE a.sha256 = ?1 AND c.brief_id = ?2"
				    " ORDER BY c.id LIMIT 1");
	else
		s = st_prep(im->st, "SELECT c.id, c.brief_id, c.source FROM candidate c JOIN asset a"
				    " ON a.id = c.asset_id JOIN brief b ON b.id = c.brief_id"
				    " WHERE a.sha256 = ?1 AND b.project_id = ?2 ORDER BY c.id LIMIT 1");
	if (s == NULL)
		return STORE_EIO;
	st_bind_text(s, 1, hex);
	db_bind_int64(s, 2, brief_id ? brief_id : im->o->project_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*cand = db_column_int64(s, 0);
		*in_brief = db_column_int64(s, 1);
		*source = st_col_text(s, 2);
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : st_sqlfail(im->st, rc, "looking for the file");
}

/* The file of this run that had these bytes, or -1. */
static long seen_find(const struct imp *im, const char *hex)
{
	size_t lo = 0, hi = im->nseen, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(im->seen[mid].hex, hex);
		if (c == 0)
			return (long)im->seen[mid].file;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void seen_add(struct imp *im, const char *hex, size_t file)
{
	size_t lo = 0, hi = im->nseen, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(im->seen[mid].hex, hex) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	im->seen = xrealloc(im->seen, (im->nseen + 1) * sizeof *im->seen);
	memmove(im->seen + lo + 1, im->seen + lo, (im->nseen - lo) * sizeof *im->seen);
	memcpy(im->seen[lo].hex, hex, 65);
	im->seen[lo].file = file;
	im->nseen++;
}

/* The candidate's parameters: what the metadata held, with the model
 * hash and the tool that made the file.  Owned JSON text. */
static char *cand_params(const struct media_genmeta *gm)
{
	json_t *j = json_loads(gm && gm->params_json ? gm->params_json : "{}", 0, NULL);
	char *s;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	if (gm && gm->model_hash && !json_object_get(j, "model_hash"))
		json_object_set_new(j, "model_hash", json_string(gm->model_hash));
	if (gm && gm->tool && !json_object_get(j, "generator"))
		json_object_set_new(j, "generator", json_string(gm->tool));
	if (gm && gm->tool_version && !json_object_get(j, "generator_version"))
		json_object_set_new(j, "generator_version", json_string(gm->tool_version));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s ? s : xstrdup("{}");
}

static int valid_text(const char *s)
{
	return s && util_utf8_valid(s, strlen(s));
}

/* ------------------------------------------------------------ copies made ahead */

/* Two threads copy and hash the files ahead of the one in hand (the copy
 * the kernel's, the hash of the copy: each byte hashed once, by one of
 * them), so that on two cores one file's hashing overlaps the next one's,
 * and the import's own thread only probes, places and records.  They take
 * the files in order, and the import takes file i's copy when it comes to
 * it.  Neither touches the store's handle nor holds a transaction. */
#define STAGERS 2
#define AHEAD 32                 /* files copied ahead at most */
#define AHEAD_BYTES (128LL << 20) /* bytes waiting at most (one file always) */

struct ahead {
	size_t file;
	int state;              /* 0 free, 1 being copied, 2 ready */
	int busy;               /* still being written (skip_open): not copied */
	int code;               /* a store error code, and why */
	char *why;
	struct st_staged sg;
};

struct stager {
	const struct imp *im;   /* its files, read only while the threads run */
	const char *root;       /* the store's folder */
	pthread_t th[STAGERS];
	int nth;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* a slot was freed or filled; stop */
	struct ahead slot[AHEAD];
	size_t next;            /* the next file to copy */
	size_t claimed, taken;  /* slots claimed by the threads, taken by the import */
	int64_t bytes;          /* bytes ready and not taken */
	volatile int stop;
};

static int open_for_writing(const char *path);

static void *stager_main(void *arg)
{
	struct stager *sr = arg;
	const struct imp *im = sr->im;
	struct ahead *a;
	const char *path;

	pthread_mutex_lock(&sr->mu);
	for (;;) {
		while (sr->next < im->nfiles && im->files[sr->next].sidecar_of >= 0)
			sr->next++;
		if (sr->stop || sr->next >= im->nfiles)
			break;
		if (sr->claimed - sr->taken >= AHEAD || (sr->claimed > sr->taken && sr->bytes >= AHEAD_BYTES)) {
			pthread_cond_wait(&sr->cv, &sr->mu);
			continue;
		}
		a = &sr->slot[sr->claimed++ % AHEAD];
		a->file = sr->next++;
		a->state = 1;
		path = im->files[a->file].path;
		pthread_mutex_unlock(&sr->mu);
		a->busy = im->o->skip_open && open_for_writing(path);
		if (!a->busy)
			a->code = st_asset_copy(sr->root, path, &sr->stop, &a->sg, &a->why);
		pthread_mutex_lock(&sr->mu);
		a->state = 2;
		sr->bytes += a->sg.bytes;
		pthread_cond_broadcast(&sr->cv);
	}
	pthread_mutex_unlock(&sr->mu);
	return NULL;
}

static void stager_start(struct imp *im)
{
	struct stager *sr = xcalloc(1, sizeof *sr);

	sr->im = im;
	sr->root = store_dir(im->st);
	pthread_mutex_init(&sr->mu, NULL);
	pthread_cond_init(&sr->cv, NULL);
	while (sr->nth < STAGERS && util_thread_start(&sr->th[sr->nth], stager_main, sr) == 0)
		sr->nth++;
	if (sr->nth == 0) {
		/* no thread: the import copies each file itself */
		pthread_cond_destroy(&sr->cv);
		pthread_mutex_destroy(&sr->mu);
		free(sr);
		return;
	}
	im->ahead = sr;
}

/* File i's copy (in order: the threads took the same files). */
static void stager_take(struct stager *sr, size_t i, struct ahead *out)
{
	struct ahead *a;

	pthread_mutex_lock(&sr->mu);
	a = &sr->slot[sr->taken % AHEAD];
	while (a->state != 2)
		pthread_cond_wait(&sr->cv, &sr->mu);
	if (a->file != i)
		fatal("import: file %zu copied in the place of file %zu", a->file, i);
	*out = *a;
	memset(a, 0, sizeof *a);
	sr->taken++;
	sr->bytes -= out->sg.bytes;
	pthread_cond_broadcast(&sr->cv);
	pthread_mutex_unlock(&sr->mu);
}

/* Stops the threads (a copy in hand stops within 8 MiB) and removes the
 * copies nobody took. */
static void stager_end(struct imp *im)
{
	struct stager *sr = im->ahead;
	int k;

	if (sr == NULL)
		return;
	pthread_mutex_lock(&sr->mu);
	sr->stop = 1;
	pthread_cond_broadcast(&sr->cv);
	pthread_mutex_unlock(&sr->mu);
	for (k = 0; k < sr->nth; k++)
		pthread_join(sr->th[k], NULL);
	for (k = 0; k < AHEAD; k++) {
		st_asset_unstage(&sr->slot[k].sg);
		free(sr->slot[k].why);
	}
	pthread_cond_destroy(&sr->cv);
	pthread_mutex_destroy(&sr->mu);
	free(sr);
	im->ahead = NULL;
}

/* Why staging path failed, from the store's message, which names the
 * file: the report names it already.  Owned. */
static char *stage_reason(struct imp *im, const char *path)
{
	const char *m = store_errmsg(im->st);
	size_t pl = strlen(path);

	if (strncmp(m, "cannot read ", 12) == 0 && strncmp(m + 12, path, pl) == 0 && m[12 + pl] == ':')
		return xasprintf("cannot read%s", m + 12 + pl);
	if (strncmp(m, path, pl) == 0 && m[pl] == ' ')
		return xasprintf("the file%s", m + pl);
	return xstrdup(m);
}

/* Imports file i.  Returns a store error code only when the store failed
 * (the import stops); a file's own trouble is reported and gives 0. */
static int import_one(struct imp *im, size_t i)
{
	const struct file *fl = &im->files[i];
	struct lb_import_item it = { 0 };
	struct media_info info;
	struct media_genmeta *gm = NULL;
	struct sbuf warn;
	struct st_staged sg = { 0 };
	char hex[65], *err = NULL, *reason = NULL, *src = NULL, *body = NULL, *params = NULL;
	const char *named_as, *rd = fl->path;
	enum media_kind name_kind;
	int64_t bytes = 0, cand = 0, in_brief = 0, brief = im->o->brief_id, asset = 0;
	struct pending *p;
	int rc = 0, modality;
	size_t len;

	sb_init(&warn);
	it.path = fl->path;
	it.shown = src = util_visible_dup(fl->path, 0);
	it.status = LB_IMPORT_FAILED;
	if (im->ahead) {
		/* Copied and hashed ahead, by the copying threads. */
		struct ahead a;

		stager_take(im->ahead, i, &a);
		sg = a.sg;
		if (a.code)
			st_fail(im->st, a.code, "%s", a.why);
		free(a.why);
		if (a.busy) {
			it.status = LB_IMPORT_SKIPPED;
			reason = xstrdup("still being written: taken once its writer closes it");
			goto done;
		}
		if (a.code) {
			reason = stage_reason(im, fl->path);
			goto done;
		}
		memcpy(hex, sg.hex, sizeof hex);
		bytes = sg.bytes;
		rd = sg.tmp;
	} else if (im->o->skip_open && open_for_writing(fl->path)) {
		it.status = LB_IMPORT_SKIPPED;
		reason = xstrdup("still being written: taken once its writer closes it");
		goto done;
	} else if (im->o->dry_run) {
		/* A dry run writes nothing: it hashes the file, and the probes
		 * below read its head again. */
		if (hash_file(fl->path, hex, &bytes) < 0) {
			reason = xasprintf("cannot read: %s", strerror(errno));
			goto done;
		}
	} else {
		/* Linked (or copied) and hashed; everything after reads the
		 * store's file. */
		char *note = NULL;
		int staged = im->o->link ? st_asset_stage_link(im->st, fl->path, &sg, &note)
					 : st_asset_stage(im->st, fl->path, 0, &sg);
		if (note) {
			sb_addf(&warn, "%s", note);
			free(note);
		}
		if (staged != 0) {
			reason = stage_reason(im, fl->path);
			goto done;
		}
		memcpy(hex, sg.hex, sizeof hex);
		bytes = sg.bytes;
		rd = sg.tmp;
	}
	it.sha256 = hex;
	it.bytes = bytes;
	im->res->bytes += bytes;
	if (bytes == 0) {
		reason = xstrdup("empty file (0 bytes)");
		goto done;
	}
	/* Already in?  (With new_brief, anywhere in the project.) */
	if (seen_find(im, hex) >= 0) {
		char *first = util_visible_dup(im->files[seen_find(im, hex)].path, 0);
		it.status = LB_IMPORT_DUPLICATE;
		reason = xasprintf("the same bytes as %s, earlier in this import", first);
		free(first);
		goto done;
	}
	rc = find_existing(im, hex, im->o->new_brief ? 0 : brief, &cand, &in_brief, &err);
	if (rc)
		goto done;
	if (cand) {
		it.status = LB_IMPORT_DUPLICATE;
		it.candidate_id = cand;
		it.brief_id = in_brief;
		reason = xasprintf("already candidate %lld of brief %lld (from %s)", (long long)cand,
				   (long long)in_brief, err && *err ? err : "elsewhere");
		xfree(&err);
		goto done;
	}
	xfree(&err);
	/* What it is, by its bytes. */
	if (media_probe_file(rd, &info, &err) < 0) {
		reason = err;
		err = NULL;
		goto done;
	}
	it.media_type = info.mime;
	it.width = info.width;
	it.height = info.height;
	it.duration = info.duration;
	name_kind = kind_of_name(fl->path, &named_as);
	if (info.kind == MEDIA_UNKNOWN) {
		if (!fl->named)
			it.status = LB_IMPORT_SKIPPED;
		reason = xstrdup(named_as ? "not what its name says: no image, text, audio or video lightbox knows"
					  : "not an image, text, audio or video file lightbox knows");
		goto done;
	}
	if (name_kind != MEDIA_UNKNOWN && name_kind != info.kind) {
		reason = xasprintf("named like %s but holds %s (%s)", named_as, kind_words(info.kind), info.mime);
		goto done;
	}
	if (named_as && info.kind == MEDIA_IMAGE) {
		char ext[16];
		util_ext(fl->path, ext);
		if (strcmp(ext, info.ext) != 0 && !(strcmp(ext, "jpeg") == 0 && strcmp(info.ext, "jpg") == 0))
			sb_addf(&warn, "named .%s but holds %s: stored as .%s", ext, info.mime, info.ext);
	}
	if (info.kind == MEDIA_IMAGE &&
	    (long long)info.width * (long long)info.height > MEDIA_PIXEL_LIMIT_DEFAULT) {
		reason = xasprintf("the header claims %dx%d pixels, over lightbox's limit of %lld megapixels "
				   "(a damaged or hostile file)",
				   info.width, info.height, MEDIA_PIXEL_LIMIT_DEFAULT / 1000000);
		goto done;
	}
	modality = modality_of_kind(info.kind);
	if (!im->o->new_brief && !fl->named && modality != im->brief_modality) {
		it.status = LB_IMPORT_SKIPPED;
		reason = xasprintf("a%s %s file in a folder, and this is a%s %s brief (name the file itself to "
				   "import it anyway)",
				   vowel(lb_modality_name(modality)), lb_modality_name(modality),
				   vowel(lb_modality_name(im->brief_modality)), lb_modality_name(im->brief_modality));
		goto done;
	}
	if (!im->o->new_brief && fl->named && modality != im->brief_modality)
		sb_addf(&warn, "%sa%s %s file in a%s %s brief, taken because it was named", warn.len ? "; " : "",
			vowel(lb_modality_name(modality)), lb_modality_name(modality),
			vowel(lb_modality_name(im->brief_modality)), lb_modality_name(im->brief_modality));
	/* Its generation parameters. */
	if (media_genmeta_from_copy(rd, fl->path, info.kind == MEDIA_TEXT ? MEDIA_GENMETA_NO_SIDECAR : 0, &gm,
				    &err) < 0) {
		reason = err;
		err = NULL;
		goto done;
	}
	if (gm->raw && strlen(gm->raw) > RAW_MAX && gm->raw[0] != '{' && gm->raw[0] != '[') {
		sb_addf(&warn, "%sits metadata text is %.1f MB, far too long for generation parameters: "
			"nothing recovered from it", warn.len ? "; " : "", strlen(gm->raw) / 1048576.0);
		media_genmeta_free(&gm);
		media_genmeta_from_mem("", 0, &gm);
	}
	it.tool = gm->tool;
	if (gm->prompt && (strlen(gm->prompt) > FIELD_MAX || !valid_text(gm->prompt))) {
		sb_addf(&warn, "%s%s", warn.len ? "; " : "",
			strlen(gm->prompt) > FIELD_MAX ? "the prompt in its metadata is over 256 KiB: not kept"
						       : "the prompt in its metadata is not UTF-8: not kept");
		xfree(&gm->prompt);
	}
	if (gm->negative_prompt && (strlen(gm->negative_prompt) > FIELD_MAX || !valid_text(gm->negative_prompt)))
		xfree(&gm->negative_prompt);
	if (gm->model && (strlen(gm->model) > 4096 || !valid_text(gm->model)))
		xfree(&gm->model);
	params = cand_params(gm);
	if (strlen(params) > FIELD_MAX) {
		sb_addf(&warn, "%sits parameters are over 256 KiB: not kept", warn.len ? "; " : "");
		free(params);
		params = xstrdup("{}");
	}
	it.has_prompt = media_genmeta_found(gm);
	if (info.kind == MEDIA_TEXT) {
		if (util_read_file(rd, TEXT_BODY_MAX, &body, &len) < 0) {
			if (errno != EFBIG) {
				reason = xasprintf("cannot read: %s", strerror(errno));
				goto done;
			}
			sb_addf(&warn, "%stext over 8 MiB: stored, not shown inline", warn.len ? "; " : "");
		} else if (!util_utf8_valid(body, len) || memchr(body, '\0', len)) {
			reason = xstrdup("text that is not UTF-8 (convert it, e.g. with iconv, and import it again)");
			goto done;
		}
	}
	/* Where it goes. */
	if (im->o->new_brief) {
		rc = group_brief(im, modality, gm, &brief);
		if (rc)
			goto done;
	}
	it.brief_id = brief;
	if (im->o->dry_run) {
		it.status = LB_IMPORT_ADDED;
		seen_add(im, hex, i);
		goto done;
	}
	if (im->pend == NULL)
		im->pend = xcalloc(im->batch_size, sizeof *im->pend);
	/* At its content name, synced with its batch. */
	if (st_asset_place(im->st, &sg, info.ext, 0) != 0) {
		reason = xstrdup(store_errmsg(im->st));
		goto done;
	}
	seen_add(im, hex, i);
	p = &im->pend[im->in_batch++];
	memset(p, 0, sizeof *p);
	p->body = body;
	p->model = xstrdup(gm->model);
	p->prompt = xstrdup(gm->prompt);
	p->negative = xstrdup(gm->negative_prompt);
	p->params = params;
	p->source = src;
	p->path = xstrdup(fl->path);
	p->media_type = xstrdup(info.mime);
	p->ext = xstrdup(info.ext);
	read_xmp(fl->path, p, &warn);
	p->reason = warn.len ? xstrdup(warn.s) : NULL;
	p->tool = xstrdup(gm->tool);
	memcpy(p->hex, hex, 65);
	p->bytes = bytes;
	p->asset_id = asset;
	p->width = info.width;
	p->height = info.height;
	p->duration = info.duration;
	p->has_prompt = it.has_prompt;
	p->link = sg.link;
	p->mtime_ns = sg.mtime_ns;
	p->origin = sg.link ? realpath(fl->path, NULL) : NULL;
	if (sg.link && p->origin == NULL)
		p->origin = xstrdup(fl->path);
	p->in.brief_id = brief;
	p->in.asset_id = asset;
	p->in.body = p->body;
	p->in.backend = "import";
	p->in.model = p->model;
	p->in.has_seed = gm->has_seed;
	p->in.seed = gm->seed;
	p->in.prompt = p->prompt;
	p->in.negative = p->negative;
	p->in.params = p->params;
	p->in.source = p->source;
	body = params = src = NULL;
	im->batch_bytes += bytes;
	media_genmeta_free(&gm);
	sb_free(&warn);
	return 0;
done:
	st_asset_unstage(&sg);
	if (rc && reason == NULL)
		reason = xstrdup(store_errmsg(im->st));
	if (reason == NULL && warn.len)
		reason = xstrdup(warn.s);
	it.reason = reason;
	report(im, &it);
	media_genmeta_free(&gm);
	free(err);
	free(reason);
	free(src);
	free(body);
	free(params);
	sb_free(&warn);
	return rc;
}

/* ------------------------------------------------------------ the import */

static int check_target(struct imp *im)
{
	const struct lb_import_options *o = im->o;
	struct lb_brief b;
	struct lb_project p;
	int rc;

	if (o->new_brief) {
		if (o->brief_id)
			return st_fail(im->st, STORE_EINVAL, "give a brief or ask for new briefs, not both");
		rc = store_project_get(im->st, o->project_id, &p);
		if (rc == 0 && p.archived)
			rc = st_fail(im->st, STORE_EINVAL, "project %s is archived; unarchive it first", p.slug);
		lb_project_clear(&p);
		return rc ? rc : load_groups(im);
	}
	rc = store_brief_get(im->st, o->brief_id, &b);
	if (rc)
		return rc;
	im->brief_modality = b.f.modality;
	if (b.archived)
		rc = st_fail(im->st, STORE_EINVAL, "brief %lld is archived; unarchive it first", (long long)b.id);
	lb_brief_clear(&b);
	return rc;
}

static void free_imp(struct imp *im)
{
	size_t i;

	for (i = 0; i < im->nfiles; i++)
		free(im->files[i].path);
	free(im->files);
	for (i = 0; i < im->ndirs; i++)
		free(im->dirs[i].path);
	free(im->dirs);
	for (i = 0; i < im->ngroups; i++)
		free(im->groups[i].key);
	free(im->groups);
	for (i = 0; i < im->in_batch; i++)
		pending_clear(&im->pend[i]);
	free(im->pend);
	free(im->seen);
}

int store_import(struct store *st, const char *const *paths, size_t n_paths, const struct lb_import_options *o,
		 struct lb_import_result *res)
{
	struct imp im;
	struct lb_import_progress pr;
	struct lb_import_item it;
	size_t i, k;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&im, 0, sizeof im);
	im.st = st;
	im.o = o;
	im.res = res;
	im.t0 = util_mono_ms();
	im.batch_size = o->batch > 0 ? (size_t)o->batch : BATCH_DEFAULT;
	if (st->depth > 0)
		return st_fail(st, STORE_EINVAL, "an import cannot run inside a batch");
	/* Files are copied before any transaction: a store that cannot be
	 * written is refused once, not file by file. */
	if (st->readonly && !o->dry_run)
		return st_sqlfail(st, DB_READONLY, "importing");
	rc = check_target(&im);
	if (rc) {
		free_imp(&im);
		return rc;
	}
	for (i = 0; i < n_paths; i++)
		walk(&im, paths[i], !o->found, 0);
	find_sidecars(&im);
	/* Everything named or found: what the walk left out or could not
	 * follow (pipes, devices, loops, hidden names) counts in the whole,
	 * so that the parts add up to it. */
	res->total = im.nfiles + im.walked;
	if (!o->dry_run && !o->link)
		stager_start(&im);
	for (i = 0; i < im.nfiles && rc == 0 && !im.stop; i++) {
		if (im.files[i].sidecar_of >= 0) {
			char *why = util_visible_dup(util_basename(im.files[im.files[i].sidecar_of].path), 0);
			char ext[16];
			char *reason = xasprintf("the %s of %s, not a candidate",
						 strcmp(util_ext(im.files[i].path, ext), "xmp") == 0
							 ? "XMP sidecar (rating, keywords)"
							 : "parameters",
						 why);
			memset(&it, 0, sizeof it);
			it.path = im.files[i].path;
			it.status = LB_IMPORT_SIDECAR;
			it.reason = reason;
			report(&im, &it);
			free(reason);
			free(why);
		} else {
			rc = import_one(&im, i);
			if (rc == 0 && (im.in_batch >= im.batch_size || im.batch_bytes >= BATCH_BYTES))
				rc = batch_commit(&im);
		}
		if (o->progress) {
			char *cur = util_visible_dup(im.files[i].path, 0);
			memset(&pr, 0, sizeof pr);
			pr.done = i + 1;
			pr.total = im.nfiles;
			pr.bytes = res->bytes;
			for (k = 0; k < LB_IMPORT__COUNT; k++)
				pr.n[k] = res->n[k];
			/* Files staged in the open batch count as what they will be. */
			pr.n[LB_IMPORT_ADDED] += im.in_batch;
			pr.current = cur;
			pr.elapsed_ms = util_mono_ms() - im.t0;
			if (o->progress(o->ctx, &pr) != 0) {
				im.stop = 1;
				res->interrupted = 1;
			}
			free(cur);
		}
	}
	stager_end(&im);
	if (rc == 0) {
		rc = batch_commit(&im);
	} else if (im.in_batch) {
		/* The store failed: the open batch goes, and says so. */
		char *why = xasprintf("not saved: %s", store_errmsg(st));
		for (i = 0; i < im.in_batch; i++)
			pending_report(&im, &im.pend[i], 0, why);
		st_fail(st, rc, "%s", why + strlen("not saved: "));
		free(why);
	}
	free_imp(&im);
	return rc;
}
