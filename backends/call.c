/*
 * call.c - a job in progress: its effective parameters and seeds, how it
 * ends (finished, failed, to be retried) with messages scrubbed of the
 * key, its outputs checked by their bytes, and its private work folder.
 */
#include "config.h"

#include "backends-private.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ randomness */

uint64_t bk_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t bk_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double bk_rand01(uint64_t *state)
{
	return (double)(bk_rand_next(state) >> 11) / 9007199254740992.0;
}

static uint64_t sys_random(void)
{
	uint64_t v = 0;
	static uint64_t fallback;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
		fallback ^= (uint64_t)util_mono_ms() * 1000003u ^ (uint64_t)getpid();
		v = bk_rand_next(&fallback);
	}
	return v;
}

int64_t bk_random_seed(void)
{
	return (int64_t)(sys_random() & 0xffffffffu);
}

double bk_random01(void)
{
	return (double)(sys_random() >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------ the call */

struct bk_call *bk_call_new(const struct backend *be)
{
	struct bk_call *c = xcalloc(1, sizeof *c);

	c->be = be;
	c->params = json_object();
	c->count = 1;
	c->retry_after = -1;
	c->started_ms = util_mono_ms();
	c->prompt = xstrdup("");
	c->negative = xstrdup("");
	c->constraints = xstrdup("");
	return c;
}

void bk_output_clear(struct bk_output *o)
{
	free(o->data);
	free(o->file);
	free(o->text);
	free(o->model);
	json_decref(o->params);
	memset(o, 0, sizeof *o);
}

void bk_call_free(struct bk_call **pc)
{
	struct bk_call *c = *pc;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nreqs; i++) {
		c->reqs[i]->call = NULL;
		bk_req_free(&c->reqs[i]);
	}
	free(c->reqs);
	for (i = 0; i < c->nout; i++)
		bk_output_clear(&c->out[i]);
	free(c->out);
	if (c->workdir) {
		bk_rmtree(c->workdir);
		free(c->workdir);
	}
	lb_job_clear(&c->job);
	if (c->has_parent)
		lb_candidate_clear(&c->parent);
	json_decref(c->params);
	free(c->prompt);
	free(c->negative);
	free(c->constraints);
	free(c->error);
	free(c->store_dir);
	if (c->key) {
		memset(c->key, 0, strlen(c->key));
		free(c->key);
	}
	free(c);
	*pc = NULL;
}

int64_t bk_seed(const struct bk_call *c, int i)
{
	if (c->seed_mode == BACKEND_SEED_FIXED)
		return c->seed;
	return (int64_t)(((uint64_t)c->seed + (uint64_t)i) & 0xffffffffu);
}

const char *bk_str(const struct bk_call *c, const char *name, const char *def)
{
	const json_t *v = json_object_get(c->params, name);

	if (json_is_string(v))
		return json_string_value(v);
	return bk_setting(c->be, name, def);
}

long long bk_int(const struct bk_call *c, const char *name, long long def)
{
	const json_t *v = json_object_get(c->params, name);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

double bk_num(const struct bk_call *c, const char *name, double def)
{
	const json_t *v = json_object_get(c->params, name);

	return json_is_number(v) ? json_number_value(v) : def;
}

int bk_has(const struct bk_call *c, const char *name)
{
	return json_object_get(c->params, name) != NULL;
}

char *bk_text_prompt(const struct bk_call *c)
{
	struct sbuf b;

	sb_init(&b);
	sb_adds(&b, c->prompt);
	if (*c->constraints)
		sb_addf(&b, "\n\nConstraints: %s", c->constraints);
	if (*c->negative)
		sb_addf(&b, "\n\nAvoid: %s", c->negative);
	return sb_steal(&b);
}

/* Replaces every occurrence of the key in msg; control characters become
 * spaces and the message is clipped. */
static char *scrub(const struct bk_call *c, char *msg)
{
	struct sbuf b;
	size_t klen = c->key ? strlen(c->key) : 0, i;
	char *p;

	if (klen >= 4) {
		sb_init(&b);
		p = msg;
		for (;;) {
			char *hit = strstr(p, c->key);
			if (hit == NULL) {
				sb_adds(&b, p);
				break;
			}
			sb_add(&b, p, (size_t)(hit - p));
			sb_adds(&b, "[redacted]");
			p = hit + klen;
		}
		free(msg);
		msg = sb_steal(&b);
	}
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = ' ';
	if (i > 600) {
		/* Clip on a UTF-8 boundary. */
		size_t cut = 597;
		while (cut > 0 && ((unsigned char)msg[cut] & 0xC0) == 0x80)
			cut--;
		strcpy(msg + cut, "...");
	}
	return msg;
}

static void end(struct bk_call *c, int status, long retry_after, const char *fmt, va_list ap)
{
	if (c->status != BK_RUNNING)
		return;
	c->status = status;
	c->retry_after = retry_after;
	c->error = scrub(c, xvasprintf(fmt, ap));
}

void bk_fail(struct bk_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end(c, BK_FAILED, -1, fmt, ap);
	va_end(ap);
}

void bk_retry(struct bk_call *c, long retry_after, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end(c, BK_RETRY, retry_after, fmt, ap);
	va_end(ap);
}

void bk_finish(struct bk_call *c)
{
	if (c->status == BK_RUNNING)
		c->status = BK_FINISHED;
}

void bk_progress(struct bk_call *c, double p)
{
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	c->progress = p;
}

const char *bk_call_workdir(struct bk_call *c)
{
	char *tmpl, *base;

	if (c->workdir)
		return c->workdir;
	base = xasprintf("%s/cache/jobs", c->store_dir ? c->store_dir : ".");
	if (util_mkdir_p(base) < 0) {
		char *why = errno == EACCES ? util_perm_blocker(base) : NULL;

		bk_fail(c, "cannot create %s: %s", base, why ? why : strerror(errno));
		free(why);
		free(base);
		return NULL;
	}
	tmpl = xasprintf("%s/job-%lld-XXXXXX", base, (long long)c->job.id);
	free(base);
	if (mkdtemp(tmpl) == NULL) {
		bk_fail(c, "cannot create a work folder in the store's cache: %s", strerror(errno));
		free(tmpl);
		return NULL;
	}
	/* A job of one member may be recovered by another's runner. */
	util_perm_fix_dir(tmpl);
	c->workdir = tmpl;
	return c->workdir;
}

/* ------------------------------------------------------------ outputs */

static struct bk_output *out_new(struct bk_call *c, int has_seed, int64_t seed, const char *model,
				 json_t *params)
{
	struct bk_output *o;

	if (c->nout == c->capout) {
		c->capout = c->capout ? c->capout * 2 : 4;
		c->out = xrealloc(c->out, c->capout * sizeof *c->out);
	}
	o = &c->out[c->nout++];
	memset(o, 0, sizeof *o);
	o->has_seed = has_seed;
	o->seed = seed;
	o->model = model && *model ? xstrdup(model) : NULL;
	o->params = params ? params : json_object();
	return o;
}

static void set_facts(struct bk_output *o, const struct bk_sniff *s)
{
	snprintf(o->media_type, sizeof o->media_type, "%s", s->media_type);
	snprintf(o->ext, sizeof o->ext, "%s", s->ext);
	o->width = s->width;
	o->height = s->height;
	o->duration = s->duration;
}

int bk_out_media(struct bk_call *c, unsigned char *data, size_t len, int kind, int has_seed, int64_t seed,
		 const char *model, json_t *params)
{
	struct bk_sniff s;
	struct bk_output *o;
	char *err = NULL;

	if (len == 0) {
		bk_fail(c, "the server sent an empty %s", kind == LB_IMAGE ? "image" : "file");
		goto fail;
	}
	if (bk_sniff(data, len, &s, &err) < 0) {
		bk_fail(c, "the server's %s is not usable: %s", kind == LB_IMAGE ? "image" : "file", err);
		goto fail;
	}
	if (s.kind != kind && !(kind == LB_AUDIO && s.kind == LB_VIDEO && strcmp(s.ext, "mp4") == 0) &&
	    !(kind == LB_VIDEO && s.kind == LB_IMAGE && (strcmp(s.ext, "gif") == 0 || strcmp(s.ext, "webp") == 0))) {
		bk_fail(c, "the server sent %s where %s %s was expected",
			s.kind < 0 ? "bytes of an unknown kind" : s.media_type, kind == LB_IMAGE ? "an" : "an",
			lb_modality_name(kind));
		goto fail;
	}
	o = out_new(c, has_seed, seed, model, params);
	o->data = data;
	o->len = len;
	set_facts(o, &s);
	return 0;
fail:
	free(err);
	free(data);
	json_decref(params);
	return -1;
}

int bk_out_image(struct bk_call *c, unsigned char *data, size_t len, int has_seed, int64_t seed,
		 const char *model, json_t *params)
{
	return bk_out_media(c, data, len, LB_IMAGE, has_seed, seed, model, params);
}

int bk_out_audio(struct bk_call *c, unsigned char *data, size_t len, int has_seed, int64_t seed,
		 const char *model, json_t *params)
{
	return bk_out_media(c, data, len, LB_AUDIO, has_seed, seed, model, params);
}

int bk_out_b64_image(struct bk_call *c, const char *b64, size_t n, int has_seed, int64_t seed,
		     const char *model, json_t *params)
{
	unsigned char *data;
	size_t len;
	char *err = NULL;

	if (bk_b64_decode(b64, n, &data, &len, &err) < 0) {
		bk_fail(c, "the server's image is not usable: %s", err);
		free(err);
		json_decref(params);
		return -1;
	}
	return bk_out_image(c, data, len, has_seed, seed, model, params);
}

int bk_out_text(struct bk_call *c, const char *text, int has_seed, int64_t seed, const char *model,
		json_t *params)
{
	struct bk_output *o;
	size_t n = text ? strlen(text) : 0, a = 0;

	while (a < n && (text[a] == ' ' || text[a] == '\n' || text[a] == '\r' || text[a] == '\t'))
		a++;
	while (n > a && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == '\t'))
		n--;
	if (n == a) {
		bk_fail(c, "the model returned no text");
		json_decref(params);
		return -1;
	}
	if (!util_utf8_valid(text + a, n - a)) {
		bk_fail(c, "the model's text is not valid UTF-8");
		json_decref(params);
		return -1;
	}
	o = out_new(c, has_seed, seed, model, params);
	o->text = xstrndup(text + a, n - a);
	snprintf(o->media_type, sizeof o->media_type, "text/plain");
	snprintf(o->ext, sizeof o->ext, "txt");
	return 0;
}

/* A long text in a file becomes an asset: checked a piece at a time. */
static int out_text_file(struct bk_call *c, const char *path, const char *what, int has_seed, int64_t seed,
			 const char *model, json_t *params)
{
	struct bk_output *o;
	char *err = NULL;

	if (bk_text_file_check(path, &err) < 0) {
		bk_fail(c, "%s: %s", what, err);
		free(err);
		json_decref(params);
		return -1;
	}
	o = out_new(c, has_seed, seed, model, params);
	o->file = xstrdup(path);
	snprintf(o->media_type, sizeof o->media_type, "text/plain");
	snprintf(o->ext, sizeof o->ext, "txt");
	return 0;
}

int bk_out_text_sink(struct bk_call *c, struct bk_sink *s, const char *what, int has_seed, int64_t seed,
		     const char *model, json_t *params)
{
	int rc;

	if (s->over) {
		bk_fail(c, "%s is longer than max-reply (%zu MiB) and was cut, so it is not kept — raise max-reply "
			   "if that is expected", what, s->max >> 20);
		json_decref(params);
		return -1;
	}
	if (bk_sink_close(s) < 0) {
		bk_fail(c, "cannot keep %s in %s: %s%s", what, s->dir ? s->dir : "?", strerror(s->err),
			util_write_hint(s->err));
		json_decref(params);
		return -1;
	}
	if (s->path == NULL) {
		if (memchr(s->mem.s ? s->mem.s : "", '\0', s->mem.len)) {
			bk_fail(c, "%s holds a NUL byte: it is not text", what);
			json_decref(params);
			return -1;
		}
		sb_addc(&s->mem, '\0');
		return bk_out_text(c, s->mem.s, has_seed, seed, model, params);
	}
	rc = out_text_file(c, s->path, what, has_seed, seed, model, params);
	if (rc == 0)
		xfree(&s->path); /* the output has the file now; the call's folder goes with the call */
	return rc;
}

int bk_out_file(struct bk_call *c, const char *path, int has_seed, int64_t seed, json_t *params)
{
	unsigned char *data = NULL;
	struct bk_output *o;
	struct bk_sniff s;
	struct stat sb;
	char *err = NULL;
	const char *name = util_basename(path);
	size_t len = 0, max = c->be->max_reply;
	int fd;
	ssize_t r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		bk_fail(c, "cannot read the command's output %s: %s", name, fd < 0 ? strerror(errno) : "not a file");
		goto fail;
	}
	if ((size_t)sb.st_size > max) {
		bk_fail(c, "the command's output %s is %lld bytes, over max-reply (%zu MiB)", name,
			(long long)sb.st_size, max >> 20);
		goto fail;
	}
	if (c->modality == LB_TEXT && (size_t)sb.st_size > LB_TEXT_INLINE_MAX) {
		char *what = xasprintf("the command's output %s", name);
		int rc;

		close(fd);
		rc = out_text_file(c, path, what, has_seed, seed, NULL, params);
		free(what);
		return rc;
	}
	/* Pictures and text are read whole (their ends are checked); sound
	 * and video are streamed into the store, their head is enough here. */
	data = xmalloc((size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size && (r = read(fd, data + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	fd = -1;
	if (len == 0) {
		bk_fail(c, "the command wrote an empty file %s", name);
		goto fail;
	}
	if (bk_sniff(data, len, &s, &err) < 0) {
		bk_fail(c, "the command's output %s is not usable: %s", name, err);
		goto fail;
	}
	if (c->modality == LB_TEXT) {
		if (s.kind != LB_TEXT) {
			bk_fail(c, "the command's output %s is not UTF-8 text", name);
			goto fail;
		}
		data[len] = '\0';
		free(err);
		fd = bk_out_text(c, (char *)data, has_seed, seed, NULL, params);
		free(data);
		return fd;
	}
	if (s.kind != c->modality && !(c->modality == LB_AUDIO && s.kind == LB_VIDEO)) {
		bk_fail(c, "the command wrote %s, which is %s, where %s %s was expected", name,
			s.kind < 0 ? "of an unknown kind" : s.media_type, c->modality == LB_IMAGE ? "an" : "an",
			lb_modality_name(c->modality));
		goto fail;
	}
	o = out_new(c, has_seed, seed, NULL, params);
	params = NULL;
	if (len > ((size_t)16 << 20)) {
		o->file = xstrdup(path);
		free(data);
	} else {
		o->data = data;
		o->len = len;
	}
	data = NULL;
	set_facts(o, &s);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(err);
	free(data);
	json_decref(params);
	return -1;
}

/* ------------------------------------------------------------ files */

int bk_read_limited(const char *path, size_t max, unsigned char **out, size_t *len, char **err)
{
	char *data = NULL;

	if (util_read_file(path, max, &data, len) < 0) {
		*err = xasprintf("cannot read %s: %s", path, errno == EFBIG ? "too large" : strerror(errno));
		return -1;
	}
	*out = (unsigned char *)data;
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void bk_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
