/*
 * job-output.c - a job's outputs on their way into the store.  The
 * runner makes them durable first (asset files, fsynced, without rows),
 * then writes the job's manifest (cache/jobs/ID.json), then records the
 * rows in one short transaction, retried while the store is busy, and
 * removes the manifest.  A runner killed in between leaves the manifest;
 * the next runner records from it, without calling the backend again.
 *
 * The manifest is a file, not a table, because it must be written while
 * another process holds the write lock: that is the case it is for.
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

void lb_job_output_clear(struct lb_job_output *o)
{
	free(o->body);
	free(o->model);
	free(o->prompt);
	free(o->negative);
	free(o->params);
	memset(o, 0, sizeof *o);
}

void lb_job_outputs_free(struct lb_job_output **v, size_t n)
{
	size_t i;

	for (i = 0; *v && i < n; i++)
		lb_job_output_clear(&(*v)[i]);
	xfree(v);
}

static void set_file_facts(struct lb_job_output *o, const struct lb_asset_facts *f, const char *hex,
			   int64_t bytes)
{
	snprintf(o->sha256, sizeof o->sha256, "%s", hex);
	snprintf(o->media_type, sizeof o->media_type, "%s",
		 f && f->media_type ? f->media_type : "application/octet-stream");
	snprintf(o->ext, sizeof o->ext, "%s", st_asset_ext(f)); /* as the file is named */
	o->bytes = bytes;
	o->width = f ? f->width : 0;
	o->height = f ? f->height : 0;
	o->duration = f ? f->duration : 0;
}

int store_job_output_data(struct store *st, const void *data, size_t n, const struct lb_asset_facts *f,
			  struct lb_job_output *o)
{
	char hex[65];
	int rc = st_asset_write(st, data, n, f, hex);

	if (rc == 0)
		set_file_facts(o, f, hex, (int64_t)n);
	return rc;
}

int store_job_output_file(struct store *st, const char *path, const struct lb_asset_facts *f,
			  struct lb_job_output *o)
{
	struct st_staged sg;
	const char *ext = st_asset_ext(f);
	int rc = st_asset_stage(st, path, 1, &sg);

	if (rc)
		return rc;
	rc = st_asset_place(st, &sg, ext, 1);
	if (rc == 0)
		set_file_facts(o, f, sg.hex, sg.bytes);
	st_asset_unstage(&sg);
	return rc;
}

/* ------------------------------------------------------------ manifests */

static char *manifest_dir(struct store *st)
{
	return xasprintf("%s/jobs", st->cache);
}

static char *manifest_path(struct store *st, int64_t job)
{
	return xasprintf("%s/jobs/%lld.json", st->cache, (long long)job);
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

int store_job_manifest_write(struct store *st, int64_t job, const char *runner, const struct lb_job_output *v,
			     size_t n)
{
	json_t *root = json_object(), *outs = json_array();
	char *dir = manifest_dir(st), *path = manifest_path(st, job), *text;
	size_t i;
	int rc = 0;

	json_object_set_new(root, "job", json_integer(job));
	set_str(root, "runner", runner);
	for (i = 0; i < n; i++) {
		const struct lb_job_output *o = &v[i];
		json_t *e = json_object();

		if (*o->sha256) {
			set_str(e, "sha256", o->sha256);
			set_str(e, "ext", o->ext);
			set_str(e, "media_type", o->media_type);
			json_object_set_new(e, "bytes", json_integer(o->bytes));
			json_object_set_new(e, "width", json_integer(o->width));
			json_object_set_new(e, "height", json_integer(o->height));
			json_object_set_new(e, "duration", json_real(o->duration));
		}
		set_str(e, "body", o->body);
		set_str(e, "model", o->model);
		if (o->has_seed)
			json_object_set_new(e, "seed", json_integer(o->seed));
		set_str(e, "prompt", o->prompt);
		set_str(e, "negative", o->negative);
		set_str(e, "params", o->params);
		json_array_append_new(outs, e);
	}
	json_object_set_new(root, "outputs", outs);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text == NULL)
		fatal("out of memory (manifest)");
	if (util_mkdir_p(dir) < 0 || util_write_atomic(path, text, strlen(text)) < 0)
		rc = st_fail(st, errno == EACCES || errno == EROFS ? STORE_EREADONLY : STORE_EIO,
			     "cannot save the manifest %s of job %lld: %s%s", path, (long long)job, strerror(errno),
			     errno == ENOSPC ? "; free disk space" : "");
	free(text);
	free(dir);
	free(path);
	return rc;
}

static char *get_str(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);

	return json_is_string(x) ? xstrdup(json_string_value(x)) : NULL;
}

int store_job_manifest_read(struct store *st, int64_t job, char **runner, struct lb_job_output **v, size_t *n)
{
	char *path = manifest_path(st, job), *text = NULL, *s;
	json_t *root, *outs, *e;
	json_error_t jerr;
	size_t len, i;

	*runner = NULL;
	*v = NULL;
	*n = 0;
	if (util_read_file(path, (size_t)64 << 20, &text, &len) < 0) {
		int e2 = errno;
		int rc = st_fail(st, e2 == ENOENT ? STORE_ENOTFOUND : STORE_EIO, "cannot read %s: %s", path,
				 strerror(e2));
		free(path);
		return rc;
	}
	root = json_loadb(text, len, 0, &jerr);
	free(text);
	outs = json_object_get(root, "outputs");
	if (!json_is_array(outs)) {
		int rc = st_fail(st, STORE_EINVAL, "the manifest %s is damaged; remove it and retry the job", path);

		json_decref(root);
		free(path);
		return rc;
	}
	free(path);
	*runner = get_str(root, "runner");
	*v = xcalloc(json_array_size(outs) + 1, sizeof **v);
	json_array_foreach(outs, i, e) {
		struct lb_job_output *o = &(*v)[i];
		json_t *seed = json_object_get(e, "seed");

		if ((s = get_str(e, "sha256")) != NULL) {
			snprintf(o->sha256, sizeof o->sha256, "%s", s);
			free(s);
			s = get_str(e, "ext");
			snprintf(o->ext, sizeof o->ext, "%s", s ? s : "");
			free(s);
			s = get_str(e, "media_type");
			snprintf(o->media_type, sizeof o->media_type, "%s", s ? s : "");
			free(s);
			o->bytes = json_integer_value(json_object_get(e, "bytes"));
			o->width = (int)json_integer_value(json_object_get(e, "width"));
			o->height = (int)json_integer_value(json_object_get(e, "height"));
			o->duration = json_number_value(json_object_get(e, "duration"));
		}
		o->body = get_str(e, "body");
		o->model = get_str(e, "model");
		o->has_seed = json_is_integer(seed);
		o->seed = json_integer_value(seed);
		o->prompt = get_str(e, "prompt");
		o->negative = get_str(e, "negative");
		o->params = get_str(e, "params");
	}
	*n = json_array_size(outs);
	json_decref(root);
	return 0;
}

void store_job_manifest_remove(struct store *st, int64_t job)
{
	char *path = manifest_path(st, job);

	unlink(path);
	free(path);
}

int store_job_manifests(struct store *st, int64_t **ids, size_t *n)
{
	char *dir = manifest_dir(st);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL) {
		int rc = errno == ENOENT ? 0 : st_fail(st, STORE_EIO, "cannot read %s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	free(dir);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long long id = strtoll(de->d_name, &end, 10);

		if (id <= 0 || strcmp(end, ".json") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof **ids, st_cmp_i64);
	return 0;
}

/* ------------------------------------------------------------ recording */

static int file_there(struct store *st, const struct lb_job_output *o)
{
	char *path = store_asset_path(st, o->sha256, *o->ext ? o->ext : "bin");
	struct stat sb;
	int rc = 0;

	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size != o->bytes)
		rc = st_fail(st, STORE_EINVAL, "the output file %s of the job is missing or damaged", path);
	free(path);
	return rc;
}

int store_job_record(struct store *st, int64_t id, const char *runner, const struct lb_job_output *v, size_t n,
		     int64_t *ids)
{
	struct lb_candidate_input *in;
	char *state = NULL, *holder = NULL, *backend = NULL, *source = NULL;
	int64_t brief = 0, rev = 0, parent = 0;
	db_stmt *s;
	size_t i;
	int rc = st_begin(st);

	if (rc)
		return rc;
	s = st_prep(st, "SELECT state, runner, brief_id, revision_id, parent_id, backend, kind FROM job WHERE id = ?");
	if (s == NULL)
		return st_end(st, STORE_EIO);
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		state = st_col_text(s, 0);
		holder = st_col_text_or_null(s, 1);
		brief = db_column_int64(s, 2);
		rev = db_column_int64(s, 3);
		parent = db_column_int64(s, 4);
		backend = st_col_text(s, 5);
		source = xasprintf("job #%lld (%s)", (long long)id, (const char *)db_column_text(s, 6));
	}
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		rc = st_sqlfail(st, rc, "reading the job");
	else if (state == NULL)
		rc = st_fail(st, STORE_ENOTFOUND, "no job with id %lld", (long long)id);
	else if (strcmp(state, "cancelled") == 0)
		rc = st_fail(st, STORE_ECONFLICT, "job %lld was cancelled; its results are dropped", (long long)id);
	else if (strcmp(state, "running") != 0 || (runner && (holder == NULL || strcmp(runner, holder) != 0)))
		rc = st_fail(st, STORE_ECONFLICT, "job %lld is %s%s; this runner no longer holds it", (long long)id,
			     state, holder ? " elsewhere" : "");
	else
		rc = 0;
	in = xcalloc(n ? n : 1, sizeof *in);
	for (i = 0; i < n && rc == 0; i++) {
		const struct lb_job_output *o = &v[i];

		if (*o->sha256) {
			struct lb_asset_facts f = { o->media_type, *o->ext ? o->ext : NULL, o->width, o->height,
						    o->duration };

			int existed;

			rc = file_there(st, o);
			if (rc == 0)
				rc = st_asset_row(st, o->sha256, o->bytes, &f, st_asset_ext(&f), &in[i].asset_id,
						  &existed);
		}
		in[i].brief_id = brief;
		in[i].revision_id = rev;
		in[i].body = o->body;
		in[i].backend = backend;
		in[i].model = o->model;
		in[i].has_seed = o->has_seed;
		in[i].seed = o->seed;
		in[i].prompt = o->prompt;
		in[i].negative = o->negative;
		in[i].params = o->params;
		in[i].parent_id = parent;
		in[i].job_id = id;
		in[i].source = source;
	}
	if (rc == 0 && n > 0)
		rc = store_candidate_add_many(st, in, n, ids);
	if (rc == 0) {
		s = st_prep(st, "UPDATE job SET state = 'done', runner = NULL, progress = 1, finished = ?,"
				" error = '' WHERE id = ?");
		if (s == NULL)
			rc = STORE_EIO;
		else {
			db_bind_int64(s, 1, util_now());
			db_bind_int64(s, 2, id);
			rc = st_step_done(st, s, "finishing the job");
		}
	}
	free(in);
	free(state);
	free(holder);
	free(backend);
	free(source);
	return st_end(st, rc);
}
