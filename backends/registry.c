/*
 * registry.c - backend definitions: `backend NAME type=TYPE key=value...`
 * records checked one at a time (unknown type or key, bad url, missing
 * model: an error naming file:line and what to do) into a registry that
 * always holds `builtin`.  Also the facts a listing shows, and typed
 * parameter values shared with --set and briefs' params.
 */
#include "config.h"

#include "backends-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct bk_ops *const types[] = {
	&bk_builtin_ops, &bk_exec_ops, &bk_openai_ops, &bk_a1111_ops, &bk_comfyui_ops, &bk_ollama_ops,
};

/* Settings every type takes; they configure the transport and the queue. */
static const struct bk_param common[] = {
	{ "concurrency", BK_INT, 1, 64, "jobs of this backend run at once" },
	{ "timeout", BK_INT, 1, 86400, "seconds one request (or one command run) may take" },
	{ "connect-timeout", BK_INT, 1, 600, "seconds to connect" },
	{ "low-speed", BK_INT, 0, 1e9, "bytes/s under which a started reply is dropped (0: never)" },
	{ "low-speed-time", BK_INT, 1, 3600, "... for this many seconds" },
	{ "retries", BK_INT, 0, 20, "retries after a transient failure (timeout, 429, 5xx)" },
	{ "backoff", BK_NUM, 0.1, 3600, "seconds before the first retry; doubles each time" },
	{ "max-backoff", BK_NUM, 1, 86400, "the longest wait between retries" },
	{ "max-retry-after", BK_NUM, 0, 86400, "the longest wait a server may ask for (Retry-After); longer fails the job" },
	{ "max-reply", BK_INT, 1, 4096, "largest reply accepted, in MiB" },
	{ "redirects", BK_INT, 0, 20, "redirects followed" },
	{ NULL, 0, 0, 0, NULL },
};

static const char *const common_str[] = { "type", "url", "model", "key-env", "modality", "default", NULL };

struct backend_registry {
	struct backend **v;
	size_t n, cap;
};

/* ------------------------------------------------------------ typed values */

const struct bk_param *bk_param_find(const struct bk_param *list, const char *name)
{
	for (; list && list->name; list++)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

static char *range_text(const struct bk_param *p)
{
	if (p->type == BK_INT)
		return xasprintf("a whole number from %.0f to %.0f", p->min, p->max);
	if (p->type == BK_NUM)
		return xasprintf("a number from %g to %g", p->min, p->max);
	return xstrdup("text");
}

json_t *bk_param_value(const struct bk_param *p, const char *text, char **err)
{
	char *end, *want;
	long long v;
	double d;

	if (p->type == BK_INT) {
		if (util_parse_int(text, (long long)p->min, (long long)p->max, &v) == 0)
			return json_integer(v);
	} else if (p->type == BK_NUM) {
		errno = 0;
		d = strtod(text, &end);
		if (*text && *end == '\0' && errno == 0 && isfinite(d) && d >= p->min && d <= p->max)
			return json_real(d);
	} else if (util_text_is_clean(text, strlen(text)) && strlen(text) <= 4000) {
		return json_string(text);
	}
	want = range_text(p);
	{
		char *vis = util_visible_cut(text, 60);
		*err = xasprintf("%s=%s is not valid — it takes %s", p->name, vis, want);
		free(vis);
	}
	free(want);
	return NULL;
}

json_t *bk_param_json(const struct bk_param *p, const json_t *v, char **err)
{
	char buf[64];

	if (json_is_string(v))
		return bk_param_value(p, json_string_value(v), err);
	if (json_is_integer(v) && p->type != BK_STR) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return bk_param_value(p, buf, err);
	}
	if (json_is_real(v) && p->type == BK_NUM) {
		snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
		return bk_param_value(p, buf, err);
	}
	if (json_is_number(v) && p->type == BK_STR) {
		snprintf(buf, sizeof buf, "%.17g", json_number_value(v));
		return bk_param_value(p, buf, err);
	}
	*err = xasprintf("%s must be %s", p->name, p->type == BK_STR ? "text" : "a number");
	return NULL;
}

/* ------------------------------------------------------------ definitions */

static void backend_free(struct backend **pb)
{
	struct backend *be = *pb;

	if (be == NULL)
		return;
	if (be->ops && be->ops->release)
		be->ops->release(be);
	free(be->name);
	free(be->url);
	free(be->model);
	free(be->key_env);
	free(be->file);
	free(be->dir);
	free(be->pnames);
	json_decref(be->settings);
	free(be);
	*pb = NULL;
}

static struct backend *backend_alloc(const char *name, const struct bk_ops *ops)
{
	struct backend *be = xcalloc(1, sizeof *be);
	size_t i, n = 0;

	be->name = xstrdup(name);
	be->ops = ops;
	be->url = xstrdup("");
	be->model = xstrdup("");
	be->key_env = xstrdup("");
	be->file = xstrdup("");
	be->dir = xstrdup(".");
	be->settings = json_object();
	be->modalities = ops->default_make;
	be->concurrency = ops->default_concurrency;
	be->timeout = ops->default_timeout;
	be->connect_timeout = 10;
	be->low_speed = 1024;
	be->low_speed_time = 30;
	be->retries = 3;
	be->backoff = 2;
	be->max_backoff = 300;
	be->max_retry_after = 600;
	be->max_reply = (size_t)256 << 20;
	be->redirects = 3;
	while (ops->params && ops->params[n].name)
		n++;
	be->pnames = xcalloc(n + 1, sizeof *be->pnames);
	for (i = 0; i < n; i++)
		be->pnames[i] = ops->params[i].name;
	return be;
}

struct backend_registry *backend_registry_new(void)
{
	struct backend_registry *reg = xcalloc(1, sizeof *reg);
	char *err = NULL;

	if (backend_registry_add(reg, "builtin", 0, NULL, NULL, NULL, 0, &err) < 0)
		fatal("the builtin backend does not configure: %s", err);
	return reg;
}

void backend_registry_free(struct backend_registry **preg)
{
	struct backend_registry *reg = *preg;
	size_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->n; i++)
		backend_free(&reg->v[i]);
	free(reg->v);
	free(reg);
	*preg = NULL;
}

static int name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static char *known_keys(const struct bk_ops *ops)
{
	struct sbuf b;
	size_t i;

	sb_init(&b);
	for (i = 0; common_str[i]; i++)
		sb_addf(&b, "%s%s", b.len ? ", " : "", common_str[i]);
	for (i = 0; common[i].name; i++)
		sb_addf(&b, ", %s", common[i].name);
	for (i = 0; ops->settings && ops->settings[i]; i++)
		sb_addf(&b, ", %s", ops->settings[i]);
	for (i = 0; ops->params && ops->params[i].name; i++)
		sb_addf(&b, ", %s", ops->params[i].name);
	return sb_steal(&b);
}

/* url: http(s)://host[:port][/path], no credentials, query or fragment. */
static int url_check(const char *url, char **why)
{
	CURLU *h;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL, *frag = NULL;
	CURLUcode uc;
	int ok = 0;

	bk_http_init();
	if (!util_text_is_clean(url, strlen(url)) || strchr(url, ' ') || strchr(url, '\t')) {
		*why = xstrdup("it holds spaces or control characters");
		return -1;
	}
	h = curl_url();
	if (h == NULL)
		fatal("out of memory");
	uc = curl_url_set(h, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		*why = xasprintf("it is not a URL (%s)", curl_url_strerror(uc));
		goto out;
	}
	curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(h, CURLUPART_HOST, &host, 0);
	curl_url_get(h, CURLUPART_USER, &user, 0);
	curl_url_get(h, CURLUPART_PASSWORD, &pass, 0);
	curl_url_get(h, CURLUPART_QUERY, &query, 0);
	curl_url_get(h, CURLUPART_FRAGMENT, &frag, 0);
	if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		*why = xstrdup("only http:// and https:// URLs are supported");
	else if (!host || !*host)
		*why = xstrdup("it names no host");
	else if (user || pass)
		*why = xstrdup("it holds credentials; put the key in an environment variable named by key-env");
	else if (query || frag)
		*why = xstrdup("it has a query or fragment; give only the API's base, e.g. http://host:7860");
	else
		ok = 1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(h);
	return ok ? 0 : -1;
}

static int parse_modalities(const char *s, unsigned *mask)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int m, rc = 0;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		m = lb_modality_parse(tok);
		if (m < 0) {
			rc = -1;
			break;
		}
		*mask |= 1u << m;
	}
	free(copy);
	return rc == 0 && *mask ? 0 : -1;
}

static int yes_no(const char *s, int *v)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*v = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

static void set_common(struct backend *be, const char *key, const json_t *v)
{
	long long i = json_is_integer(v) ? json_integer_value(v) : 0;
	double d = json_number_value(v);

	if (strcmp(key, "concurrency") == 0)
		be->concurrency = (int)i;
	else if (strcmp(key, "timeout") == 0)
		be->timeout = (long)i;
	else if (strcmp(key, "connect-timeout") == 0)
		be->connect_timeout = (long)i;
	else if (strcmp(key, "low-speed") == 0)
		be->low_speed = (long)i;
	else if (strcmp(key, "low-speed-time") == 0)
		be->low_speed_time = (long)i;
	else if (strcmp(key, "retries") == 0)
		be->retries = (int)i;
	else if (strcmp(key, "backoff") == 0)
		be->backoff = d;
	else if (strcmp(key, "max-backoff") == 0)
		be->max_backoff = d;
	else if (strcmp(key, "max-retry-after") == 0)
		be->max_retry_after = d;
	else if (strcmp(key, "max-reply") == 0)
		be->max_reply = (size_t)i << 20;
	else if (strcmp(key, "redirects") == 0)
		be->redirects = (int)i;
}

/* Applies one key=value; 0 or -1 with *why (owned). */
static int apply(struct backend *be, const char *key, const char *value, char **why)
{
	const struct bk_param *p;
	json_t *v;

	if (strcmp(key, "type") == 0)
		return 0;
	if (strcmp(key, "url") == 0) {
		char *u = xstrdup(value);
		size_t n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
		if (url_check(u, why) < 0) {
			char *w = *why;
			char *vis = util_visible_cut(value, 100);
			*why = xasprintf("url=%s: %s", vis, w);
			free(vis);
			free(w);
			free(u);
			return -1;
		}
		free(be->url);
		be->url = u;
		return 0;
	}
	if (strcmp(key, "model") == 0 || strcmp(key, "key-env") == 0) {
		if (!util_text_is_clean(value, strlen(value)) || strlen(value) > 200 ||
		    (key[0] == 'k' && strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
					  != strlen(value))) {
			char *vis = util_visible_cut(value, 60);
			*why = xasprintf("%s=%s is not valid — %s", key, vis,
					 key[0] == 'k' ? "name an environment variable, e.g. key-env=OPENAI_API_KEY"
						       : "a model is plain text");
			free(vis);
			return -1;
		}
		if (key[0] == 'k') {
			free(be->key_env);
			be->key_env = xstrdup(value);
		} else {
			free(be->model);
			be->model = xstrdup(value);
		}
		return 0;
	}
	if (strcmp(key, "modality") == 0) {
		unsigned mask;
		if (parse_modalities(value, &mask) < 0) {
			*why = xstrdup("modality takes image, text, audio or video (or a comma list)");
			return -1;
		}
		if (mask & ~be->ops->can_make) {
			char *can = backend_modality_list(be->ops->can_make);
			*why = xasprintf("type %s makes only %s", be->ops->type, can);
			free(can);
			return -1;
		}
		be->modalities = mask;
		be->modality_set = 1;
		return 0;
	}
	if (strcmp(key, "default") == 0) {
		if (yes_no(value, &be->is_default) < 0) {
			*why = xstrdup("default takes yes or no");
			return -1;
		}
		return 0;
	}
	if ((p = bk_param_find(common, key)) != NULL) {
		v = bk_param_value(p, value, why);
		if (v == NULL)
			return -1;
		set_common(be, key, v);
		json_decref(v);
		return 0;
	}
	if ((p = bk_param_find(be->ops->params, key)) != NULL) {
		v = bk_param_value(p, value, why);
		if (v == NULL)
			return -1;
		json_object_set_new(be->settings, key, v);
		return 0;
	}
	if (in_list(be->ops->settings, key)) {
		if (!util_text_is_clean(value, strlen(value))) {
			*why = xasprintf("%s holds control characters", key);
			return -1;
		}
		json_object_set_new(be->settings, key, json_string(value));
		return 0;
	}
	{
		char *known = known_keys(be->ops), *vis = util_visible_cut(key, 60);
		*why = xasprintf("unknown setting '%s' for type %s — known: %s", vis, be->ops->type, known);
		free(vis);
		free(known);
	}
	return -1;
}

static char *dir_of(const char *file)
{
	const char *slash = file ? strrchr(file, '/') : NULL;

	if (slash == NULL)
		return xstrdup(".");
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}

static char *where(const char *file, int line)
{
	if (file && *file)
		return xasprintf("%s:%d: ", file, line);
	return xstrdup("");
}

int backend_registry_add(struct backend_registry *reg, const char *name, size_t nkv, const char *const *keys,
			 const char *const *values, const char *file, int line, char **err)
{
	const struct bk_ops *ops = NULL;
	const char *type = NULL;
	struct backend *be = NULL;
	char *why = NULL, *at = where(file, line), *vis = util_visible_cut(name ? name : "", 64);
	size_t i, j, replace = (size_t)-1;

	if (!name_ok(name ? name : "")) {
		*err = xasprintf("%sbackend name \"%s\" — use letters, digits, '.', '-' and '_'", at, vis);
		goto fail;
	}
	for (i = 0; i < nkv; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0) {
				*err = xasprintf("%sbackend %s: %s is given twice — keep one", at, name, keys[i]);
				goto fail;
			}
		if (strcmp(keys[i], "type") == 0)
			type = values[i];
	}
	if (type == NULL && strcmp(name, "builtin") == 0)
		type = "builtin";
	if (type == NULL) {
		*err = xasprintf("%sbackend %s: no type — add type=builtin, exec, openai, a1111, comfyui or ollama",
				 at, name);
		goto fail;
	}
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i]->type, type) == 0)
			ops = types[i];
	if (ops == NULL) {
		char *tv = util_visible_cut(type, 40);
		*err = xasprintf("%sbackend %s: unknown type '%s' — use builtin, exec, openai, a1111, comfyui or "
				 "ollama",
				 at, name, tv);
		free(tv);
		goto fail;
	}
	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->v[i]->name, name) == 0)
			replace = i;
	if (replace != (size_t)-1 && !(strcmp(name, "builtin") == 0 && *reg->v[replace]->file == '\0')) {
		*err = xasprintf("%sbackend %s is already defined at %s:%d — give this one another name", at, name,
				 reg->v[replace]->file, reg->v[replace]->line);
		goto fail;
	}
	if (strcmp(name, "builtin") == 0 && ops != &bk_builtin_ops) {
		*err = xasprintf("%sbackend builtin: the name belongs to the built-in backend — choose another name",
				 at);
		goto fail;
	}
	be = backend_alloc(name, ops);
	free(be->file);
	be->file = xstrdup(file ? file : "");
	be->line = line;
	free(be->dir);
	be->dir = dir_of(file);
	for (i = 0; i < nkv; i++) {
		if (apply(be, keys[i], values[i], &why) < 0) {
			*err = xasprintf("%sbackend %s: %s", at, name, why);
			goto fail;
		}
	}
	if (ops->needs_url && *be->url == '\0') {
		*err = xasprintf("%sbackend %s: type %s needs url= — e.g. url=%s", at, name, ops->type,
				 ops == &bk_a1111_ops	  ? "http://127.0.0.1:7860"
				 : ops == &bk_comfyui_ops ? "http://127.0.0.1:8188"
				 : ops == &bk_ollama_ops  ? "http://127.0.0.1:11434"
							  : "https://api.openai.com/v1");
		goto fail;
	}
	if (ops->needs_model && *be->model == '\0') {
		*err = xasprintf("%sbackend %s: type %s needs model= — e.g. model=%s", at, name, ops->type,
				 ops == &bk_ollama_ops ? "llama3.2" : "gpt-image-1");
		goto fail;
	}
	if (ops->configure && ops->configure(be, &why) < 0) {
		*err = xasprintf("%sbackend %s: %s", at, name, why);
		goto fail;
	}
	if (be->is_default) {
		for (i = 0; i < reg->n; i++)
			if (reg->v[i]->is_default && i != replace) {
				*err = xasprintf("%sbackend %s: default=yes is already given to %s at %s:%d — keep one",
						 at, name, reg->v[i]->name, reg->v[i]->file, reg->v[i]->line);
				goto fail;
			}
	}
	if (replace != (size_t)-1) {
		backend_free(&reg->v[replace]);
		reg->v[replace] = be;
	} else {
		if (reg->n == reg->cap) {
			reg->cap = reg->cap ? reg->cap * 2 : 8;
			reg->v = xrealloc(reg->v, reg->cap * sizeof *reg->v);
		}
		reg->v[reg->n++] = be;
	}
	free(at);
	free(vis);
	return 0;
fail:
	free(why);
	free(at);
	free(vis);
	backend_free(&be);
	return -1;
}

size_t backend_registry_count(const struct backend_registry *reg)
{
	return reg->n;
}

const struct backend *backend_registry_at(const struct backend_registry *reg, size_t i)
{
	if (i >= reg->n)
		fatal("backend_registry_at: %zu out of range", i);
	return reg->v[i];
}

const struct backend *backend_registry_find(const struct backend_registry *reg, const char *name)
{
	size_t i;

	for (i = 0; name && i < reg->n; i++)
		if (strcmp(reg->v[i]->name, name) == 0)
			return reg->v[i];
	return NULL;
}

const struct backend *backend_registry_default(const struct backend_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (reg->v[i]->is_default)
			return reg->v[i];
	return backend_registry_find(reg, "builtin");
}

/* ------------------------------------------------------------ facts */

const char *backend_name(const struct backend *be)
{
	return be->name;
}

const char *backend_type(const struct backend *be)
{
	return be->ops->type;
}

const char *backend_url(const struct backend *be)
{
	return be->url;
}

const char *backend_model(const struct backend *be)
{
	return be->model;
}

const char *backend_key_env(const struct backend *be)
{
	return be->key_env;
}

unsigned backend_modalities(const struct backend *be)
{
	return be->modalities;
}

unsigned backend_caps(const struct backend *be)
{
	return be->ops->caps;
}

int backend_can_vary(const struct backend *be, int modality)
{
	if (modality < 0 || !(be->modalities & (1u << modality)))
		return 0;
	return be->ops->can_vary ? be->ops->can_vary(be, modality) : 0;
}

int backend_concurrency(const struct backend *be)
{
	return be->concurrency;
}

const char *backend_file(const struct backend *be)
{
	return be->file;
}

int backend_line(const struct backend *be)
{
	return be->line;
}

char *backend_key_status(const struct backend *be)
{
	const char *v;

	if (*be->key_env == '\0')
		return xstrdup("no key");
	v = getenv(be->key_env);
	return xasprintf("key from $%s (%s)", be->key_env, v && *v ? "set" : "unset");
}

char *backend_modality_list(unsigned mask)
{
	struct sbuf b;
	int m;

	sb_init(&b);
	for (m = LB_IMAGE; m <= LB_VIDEO; m++)
		if (mask & (1u << m))
			sb_addf(&b, "%s%s", b.len ? "," : "", lb_modality_name(m));
	return sb_steal(&b);
}

const char *const *backend_param_names(const struct backend *be)
{
	return be->pnames;
}

const char *backend_param_help(const struct backend *be, const char *name)
{
	const struct bk_param *p = bk_param_find(be->ops->params, name);

	return p ? p->help : NULL;
}

const char *backend_setting(const struct backend *be, const char *name)
{
	const json_t *v = json_object_get(be->settings, name);
	static __thread char buf[64];

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%g", json_real_value(v));
		return buf;
	}
	return NULL;
}

const char *bk_setting(const struct backend *be, const char *key, const char *def)
{
	const json_t *v = json_object_get(be->settings, key);

	return json_is_string(v) ? json_string_value(v) : def;
}
