/*
 * xmp.c - XMP sidecars, both ways, through Exempi (Adobe's XMP toolkit as
 * Debian ships it): never XML by hand.
 *
 * Written (deliver --xmp, xmp write): xmp:Rating (0-5, -1 for a rejected
 * candidate, as Lightroom does), xmp:Label, dc:subject from the tags,
 * dc:description from the integration notes, and the lightbox: namespace
 * for what the standard ones have no word for.  A sidecar that exists is
 * merged into: what other tools wrote in it stays.
 *
 * Read (import): xmp:Rating and dc:subject of a sidecar darktable,
 * digiKam or Lightroom wrote, as NAME.EXT.xmp or NAME.xmp.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exempi/xmp.h>
#include <exempi/xmpconsts.h>

#include "store-private.h"
#include "export-private.h"

#define LB_NS "urn:lightbox:xmp:1.0/"

static pthread_once_t ready = PTHREAD_ONCE_INIT;

static void xmp_start(void)
{
	if (!xmp_init())
		fatal("the XMP library (Exempi) cannot start");
	xmp_register_namespace(LB_NS, "lightbox", NULL);
}

/* Once per process, whichever thread (the interface's import) gets here first. */
static void xmp_ready(void)
{
	pthread_once(&ready, xmp_start);
}

/* Exempi writes its parse errors to standard error ("XML parsing failure"),
 * which in the interface is the screen: standard error points at /dev/null
 * while it parses (one parse at a time), and the error is told our way. */
static XmpPtr quiet_new(const char *buf, size_t len)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int save, null;
	XmpPtr m;

	pthread_mutex_lock(&mu);
	fflush(stderr);
	save = fcntl(2, F_DUPFD_CLOEXEC, 3);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (save >= 0 && null >= 0)
		dup2(null, 2);
	m = xmp_new(buf, len);
	if (save >= 0 && null >= 0)
		dup2(save, 2);
	if (save >= 0)
		close(save);
	if (null >= 0)
		close(null);
	pthread_mutex_unlock(&mu);
	return m;
}

int lb_xmp_rating(const struct lb_candidate *c)
{
	if (c->n_rejects > 0 && c->n_picks == 0)
		return -1;
	if (c->n_ratings == 0)
		return 0;
	return (int)lround(c->mean_stars);
}

static void set_text(XmpPtr m, const char *ns, const char *name, const char *v)
{
	xmp_delete_property(m, ns, name);
	if (v && *v)
		xmp_set_property(m, ns, name, v, 0);
}

static void set_int(XmpPtr m, const char *ns, const char *name, int64_t v)
{
	xmp_delete_property(m, ns, name);
	xmp_set_property_int64(m, ns, name, v, 0);
}

/* A keyword and a tag are the same when the keyword, with spaces and
 * commas as '-' (what import makes of them), is the tag. */
static int same_keyword(const char *kw, const char *tag)
{
	for (; *kw && *tag; kw++, tag++)
		if (*kw != *tag && !(*tag == '-' && strchr(" ,\t", *kw)))
			return 0;
	return *kw == *tag;
}

/* Puts the candidate's facts into m, replacing ours and keeping the rest. */
static void fill(XmpPtr m, const struct ex *x, const struct item *it)
{
	const struct lb_candidate *c = &it->c;
	struct sbuf desc;
	const char *flag;
	char *s;
	size_t i;

	set_int(m, NS_XAP, "Rating", lb_xmp_rating(c));
	flag = c->n_picks > 0 ? "pick" : c->n_rejects > 0 ? "reject" : "";
	set_text(m, NS_XAP, "Label", it->has_sel ? "Selected" : *flag == 'p' ? "Pick"
						  : *flag == 'r' ? "Rejected" : NULL);
	/* Keywords: the tags, added to what is there. */
	for (i = 0; i < it->ntags; i++) {
		int32_t k;
		int have = 0;
		XmpStringPtr v = xmp_string_new();
		for (k = 1; xmp_get_array_item(m, NS_DC, "subject", k, v, NULL); k++)
			if (same_keyword(xmp_string_cstr(v), it->tags[i].name))
				have = 1;
		xmp_string_free(v);
		if (!have)
			xmp_append_array_item(m, NS_DC, "subject", XMP_PROP_VALUE_IS_ARRAY,
					      it->tags[i].name, 0);
	}
	sb_init(&desc);
	if (it->integration && *it->integration)
		sb_adds(&desc, it->integration);
	for (i = 0; i < it->notes.n; i++)
		if (it->notes.v[i].kind == LB_NOTE_INTEGRATION &&
		    (it->integration == NULL || strcmp(it->notes.v[i].body, it->integration) != 0)) {
			if (desc.len)
				sb_adds(&desc, "\n\n");
			sb_adds(&desc, it->notes.v[i].body);
		}
	if (desc.len) {
		xmp_delete_property(m, NS_DC, "description");
		xmp_set_localized_text(m, NS_DC, "description", "", "x-default", desc.s, 0);
	}
	sb_free(&desc);
	/* lightbox's own words. */
	set_int(m, LB_NS, "Candidate", c->id);
	set_text(m, LB_NS, "Flag", flag);
	set_int(m, LB_NS, "Picks", c->n_picks);
	set_int(m, LB_NS, "Rejects", c->n_rejects);
	set_text(m, LB_NS, "Selected", it->has_sel ? "True" : "False");
	set_text(m, LB_NS, "IntendedUse", it->use);
	set_text(m, LB_NS, "Curator", it->sel_by ? it->sel_by : store_curator(x->st));
	xmp_delete_property(m, LB_NS, "Ratings");
	for (i = 0; i < it->ratings.n; i++) {
		const struct lb_rating *r = &it->ratings.v[i];
		s = xasprintf("%s: %d%s%s", r->curator, r->stars,
			      r->flag == LB_FLAG_PICK ? " pick" : "",
			      r->flag == LB_FLAG_REJECT ? " reject" : "");
		xmp_append_array_item(m, LB_NS, "Ratings", XMP_PROP_VALUE_IS_ARRAY, s, 0);
		free(s);
	}
	set_text(m, LB_NS, "Project", x->proj.name);
	set_text(m, LB_NS, "Brief", x->b.f.title);
	set_int(m, LB_NS, "BriefId", x->b.id);
	set_int(m, LB_NS, "Revision", c->rev);
	xmp_delete_property(m, LB_NS, "Seed");
	if (c->has_seed)
		set_int(m, LB_NS, "Seed", c->seed);
	set_text(m, LB_NS, "Backend", c->backend);
	set_text(m, LB_NS, "Model", c->model);
	set_text(m, LB_NS, "Prompt", it->prompt);
	set_text(m, LB_NS, "NegativePrompt", it->negative);
	set_text(m, LB_NS, "Parameters", c->params);
	set_text(m, LB_NS, "SHA256", c->sha256);
}

int ex_xmp_write(struct ex *x, const struct item *it, const char *path, int merge, char hex[65])
{
	XmpPtr m = NULL;
	XmpStringPtr out;
	char *old = NULL;
	const char *text;
	size_t len;
	int rc;

	xmp_ready();
	if (merge && util_read_file(path, 16 << 20, &old, &len) == 0) {
		m = quiet_new(old, len);
		free(old);
		if (m == NULL)
			return st_fail(x->st, STORE_EINVAL,
				       "%s is not an XMP sidecar Exempi can read (error %d); move it "
				       "away and run again",
				       path, xmp_get_error());
	}
	if (m == NULL)
		m = xmp_new_empty();
	fill(m, x, it);
	out = xmp_string_new();
	if (!xmp_serialize(m, out, XMP_SERIAL_OMITPACKETWRAPPER, 0)) {
		xmp_string_free(out);
		xmp_free(m);
		return st_fail(x->st, STORE_EIO, "cannot write the XMP of candidate %lld (Exempi error %d)",
			       (long long)it->c.id, xmp_get_error());
	}
	text = xmp_string_cstr(out);
	sha256_buf_hex(text, strlen(text), hex);
	if (merge) {
		rc = util_write_atomic(path, text, strlen(text)) < 0 ? ex_write_fail(x->st, path, errno) : 0;
	} else {
		rc = ex_write_new_file(x->st, path, text, strlen(text));
	}
	xmp_string_free(out);
	xmp_free(m);
	return rc;
}

void lb_xmp_facts_clear(struct lb_xmp_facts *f)
{
	size_t i;

	for (i = 0; i < f->ntags; i++)
		free(f->tags[i]);
	free(f->tags);
	free(f->path);
	memset(f, 0, sizeof *f);
}

int lb_xmp_read(const char *path, struct lb_xmp_facts *f, char **why)
{
	XmpPtr m;
	XmpStringPtr v;
	char *text;
	size_t len, cap = 0;
	int32_t rating, k;

	memset(f, 0, sizeof *f);
	*why = NULL;
	if (util_read_file(path, 16 << 20, &text, &len) < 0) {
		*why = xasprintf("cannot read it: %s", strerror(errno));
		return -1;
	}
	xmp_ready();
	m = quiet_new(text, len);
	free(text);
	if (m == NULL) {
		*why = xasprintf("it is not XMP (Exempi error %d)", xmp_get_error());
		return -1;
	}
	if (xmp_get_property_int32(m, NS_XAP, "Rating", &rating, NULL)) {
		f->has_rating = 1;
		f->rating = rating < -1 ? -1 : rating > 5 ? 5 : rating;
	}
	v = xmp_string_new();
	for (k = 1; xmp_get_array_item(m, NS_DC, "subject", k, v, NULL); k++) {
		const char *t = xmp_string_cstr(v);
		if (*t == '\0')
			continue;
		if (f->ntags == cap) {
			cap = cap ? cap * 2 : 8;
			f->tags = xrealloc(f->tags, cap * sizeof *f->tags);
		}
		f->tags[f->ntags++] = xstrdup(t);
	}
	xmp_string_free(v);
	xmp_free(m);
	f->path = xstrdup(path);
	return 0;
}

char *lb_xmp_sidecar(const char *file)
{
	char *p = xasprintf("%s.xmp", file), *dot;
	const char *base = util_basename(file);
	struct stat sb;

	if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
		return p;
	free(p);
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return NULL;
	p = xasprintf("%.*s.xmp", (int)(dot - file), file);
	if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
		return p;
	free(p);
	p = xasprintf("%.*s.XMP", (int)(dot - file), file);
	if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
		return p;
	free(p);
	return NULL;
}
