/*
 * http.c - one HTTP request of a job, as a libcurl easy handle ready for
 * the runner's multi handle: the definition's timeouts, reply limit,
 * redirect limit and key (as a bearer token or Basic credentials, never
 * in a header list, never sent to another host), the reply kept in
 * memory up to max-reply, its Content-Type and Retry-After noted, a slow
 * drip dropped; then judging what came back into "hand it to the type",
 * "retry later" or "fail with this message".
 *
 * LIGHTBOX_HTTP_TRACE=FILE appends curl's header trace to FILE with the
 * Authorization header blanked.
 */
#include "config.h"

#include "backends-private.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		fatal("libcurl failed to initialise");
}

void bk_http_init(void)
{
	pthread_once(&once, global_init);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct bk_req *r = ud;
	size_t len = size * n;

	if (r->spill) {
		if (bk_sink_add(&r->sink, data, len) < 0) {
			r->too_big = r->sink.over;
			return 0;
		}
		return len;
	}
	if (r->reply.len + len > r->max) {
		r->too_big = 1;
		return 0;
	}
	sb_add(&r->reply, data, len);
	return len;
}

static int header_is(const char *line, size_t n, const char *name, const char **value, size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	*value = line;
	*vlen = n;
	return 1;
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
	struct bk_req *r = ud;
	size_t len = size * n, vlen, i;
	const char *v;
	char buf[64];

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		r->ctype[0] = '\0';
		r->retry_after = -1;
		r->started = 0;
	} else if (header_is(line, len, "content-type", &v, &vlen)) {
		for (i = 0; i < vlen && i + 1 < sizeof r->ctype; i++)
			r->ctype[i] = (char)tolower((unsigned char)v[i]);
		r->ctype[i] = '\0';
	} else if (header_is(line, len, "content-length", &v, &vlen) && vlen < sizeof buf) {
		/* One allocation for the whole body (within the limit). */
		unsigned long long want;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
		want = strtoull(buf, NULL, 10);
		if (want > 0 && want <= r->max && want + 1 > r->reply.cap && !r->spill) {
			if (r->reply.cap == 0) {
				r->reply.s = xmalloc((size_t)want + 1);
				r->reply.s[0] = '\0';
			} else {
				r->reply.s = xrealloc(r->reply.s, (size_t)want + 1);
			}
			r->reply.cap = (size_t)want + 1;
		}
	} else if (header_is(line, len, "retry-after", &v, &vlen) && vlen < sizeof buf) {
		long secs;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
		if (bk_retry_after_parse(buf, util_now(), &secs) == 0)
			r->retry_after = secs;
	} else if (len <= 2) {
		/* End of a header block: the body (if any) starts now. */
		r->started = 1;
		r->drip_t0 = util_mono_ms();
		r->drip_b0 = (curl_off_t)r->reply.len;
	}
	return len;
}

/* Drops a reply that has begun but trickles in under low-speed bytes/s
 * for low-speed-time seconds (curl's own limit would also fire while a
 * blocking server is still generating, before it sends anything). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct bk_req *r = ud;
	double now;

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (r->low_speed <= 0 || !r->started)
		return 0;
	now = util_mono_ms();
	if (now - r->drip_t0 >= (double)r->low_speed_time * 1000) {
		if (dlnow - r->drip_b0 < (curl_off_t)r->low_speed * r->low_speed_time &&
		    (dltotal == 0 || dlnow < dltotal)) {
			r->too_slow = 1;
			return 1;
		}
		r->drip_t0 = now;
		r->drip_b0 = dlnow;
	}
	return 0;
}

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static int on_debug(CURL *h, curl_infotype type, char *data, size_t n, void *ud)
{
	FILE *f;
	const char *path = getenv("LIGHTBOX_HTTP_TRACE");
	size_t pos = 0;

	(void)h;
	(void)ud;
	if (!path || (type != CURLINFO_TEXT && type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT))
		return 0;
	pthread_mutex_lock(&trace_lock);
	f = fopen(path, "a");
	while (f && pos < n) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - data - pos) + 1 : n - pos;
		const char *mark = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : "* ";

		if (len >= 14 && (strncasecmp(data + pos, "authorization:", 14) == 0 ||
				  strncasecmp(data + pos, "proxy-authorization:", 20) == 0))
			fprintf(f, "%s%.*s [redacted]\n", mark, data[pos] == 'P' || data[pos] == 'p' ? 20 : 14,
				data + pos);
		else
			fprintf(f, "%s%.*s", mark, (int)len, data + pos);
		pos += len;
	}
	if (f)
		fclose(f);
	pthread_mutex_unlock(&trace_lock);
	return 0;
}

static struct bk_req *req_alloc(struct bk_call *c, const char *url, const char *what, int kind, int index)
{
	const struct backend *be = c->be;
	struct bk_req *r = xcalloc(1, sizeof *r);
	CURL *h;

	bk_http_init();
	r->call = c;
	r->kind = kind;
	r->index = index;
	r->retry_after = -1;
	r->max = be->max_reply;
	r->low_speed = be->low_speed;
	r->low_speed_time = be->low_speed_time;
	r->url = xstrdup(url);
	r->what = xstrdup(what);
	sb_init(&r->reply);
	h = r->easy = curl_easy_init();
	if (h == NULL)
		fatal("out of memory (curl_easy_init)");
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, be->connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, be->timeout);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)be->max_reply);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, be->redirects > 0 ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)be->redirects);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (getenv("LIGHTBOX_HTTP_TRACE")) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	if (c->nreqs == c->capreqs) {
		c->capreqs = c->capreqs ? c->capreqs * 2 : 4;
		c->reqs = xrealloc(c->reqs, c->capreqs * sizeof *c->reqs);
	}
	c->reqs[c->nreqs++] = r;
	return r;
}

struct bk_req *bk_req_new(struct bk_call *c, const char *method, const char *path, int kind, int index)
{
	const struct backend *be = c->be;
	char *url = xasprintf("%s%s", be->url, path), *what;
	const char *q = strchr(path, '?');
	struct bk_req *r;

	if (*be->key_env && (c->key == NULL || *c->key == '\0')) {
		bk_fail(c, "the key variable $%s is not set — export it in the environment lightbox runs in "
			   "(keys are never read from the config file or the store)",
			be->key_env);
		free(url);
		return NULL;
	}
	what = xasprintf("%s %.*s", method, q ? (int)(q - path) : (int)strlen(path), path);
	r = req_alloc(c, url, what, kind, index);
	free(url);
	free(what);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(r->easy, CURLOPT_POST, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, method);
	if (c->key && *c->key && be->ops->auth == BK_AUTH_BEARER) {
		curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(r->easy, CURLOPT_XOAUTH2_BEARER, c->key);
	} else if (c->key && *c->key && be->ops->auth == BK_AUTH_BASIC) {
		curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(r->easy, CURLOPT_USERPWD, c->key);
	}
	if (kind >= 100) {
		/* Polls and downloads of a finished job: short requests. */
		curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, be->timeout < 60 ? be->timeout : 60L);
	}
	return r;
}

struct bk_req *bk_req_new_url(struct bk_call *c, const char *url, int kind, int index)
{
	struct bk_req *r = req_alloc(c, url, "GET image URL", kind, index);

	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, c->be->timeout);
	return r;
}

void bk_req_json(struct bk_req *r, json_t *body)
{
	free(r->body);
	r->body = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (r->body == NULL)
		fatal("out of memory (json_dumps)");
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
	r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
}

curl_mime *bk_req_mime(struct bk_req *r)
{
	if (r->mime == NULL) {
		r->mime = curl_mime_init(r->easy);
		curl_easy_setopt(r->easy, CURLOPT_MIMEPOST, r->mime);
	}
	return r->mime;
}

static void spilled_head(struct bk_req *r);

struct bk_req *bk_req_finished(CURLM *multi, CURLMsg *m)
{
	struct bk_req *q = NULL;

	if (m->msg != CURLMSG_DONE)
		return NULL;
	curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
	q->result = m->data.result;
	curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &q->status);
	curl_multi_remove_handle(multi, m->easy_handle);
	q->state = 2;
	if (q->spill)
		spilled_head(q);
	return q;
}

void bk_req_spill(struct bk_req *r)
{
	if (r->spill)
		return;
	r->spill = 1;
	bk_sink_init(&r->sink, NULL, r->max);
	r->sink.call = r->call;
}

/* A spilled reply's first 64 KiB into r->reply, or its whole body when it
 * stayed short. */
static void spilled_head(struct bk_req *r)
{
	struct bk_sink *s = &r->sink;
	char *buf;
	ssize_t n;
	int fd;

	sb_reset(&r->reply);
	if (bk_sink_close(s) < 0 || s->path == NULL) {
		sb_free(&r->reply);
		r->reply = s->mem;
		sb_init(&s->mem);
		if (r->reply.s == NULL)
			sb_init(&r->reply);
		return;
	}
	buf = xmalloc(65536);
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, 65536);
	if (n > 0)
		sb_add(&r->reply, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
	free(buf);
}

struct bk_sink *bk_req_sink(struct bk_req *r, const json_t *v)
{
	return bk_jscan_sink(r->js, v);
}

void bk_req_delay(struct bk_req *r, double ms)
{
	r->not_before = util_mono_ms() + ms;
}

void bk_req_detach(struct bk_req *r)
{
	struct bk_call *c = r->call;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nreqs; i++)
		if (c->reqs[i] == r) {
			memmove(&c->reqs[i], &c->reqs[i + 1], (c->nreqs - i - 1) * sizeof *c->reqs);
			c->nreqs--;
			break;
		}
	r->call = NULL;
}

long bk_req_now(struct bk_call *c, const char *method, const char *path, json_t *body, long timeout,
		char **reply)
{
	struct bk_req *r;
	long code = 0;

	if (reply)
		*reply = NULL;
	r = bk_req_new(c, method, path, 0, 0);
	if (r == NULL) {
		json_decref(body);
		return 0;
	}
	if (body)
		bk_req_json(r, body);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT, timeout);
	if (curl_easy_perform(r->easy) == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (reply && r->reply.len)
		*reply = xstrndup(r->reply.s, r->reply.len);
	bk_req_free(&r);
	return code;
}

void bk_req_free(struct bk_req **pr)
{
	struct bk_req *r = *pr;

	if (r == NULL)
		return;
	bk_req_detach(r);
	if (r->easy)
		curl_easy_cleanup(r->easy);
	if (r->mime)
		curl_mime_free(r->mime);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	free(r->url);
	free(r->what);
	sb_free(&r->reply);
	if (r->spill)
		bk_sink_free(&r->sink);
	if (r->js) {
		bk_jscan_free(r->js);
		free(r->js);
	}
	free(r);
	*pr = NULL;
}

static int transient_status(long s)
{
	return s == 408 || s == 425 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static const char *reason(long s)
{
	switch (s) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

int bk_req_judge(struct bk_call *c, struct bk_req *r)
{
	const struct backend *be = c->be;
	char *msg;

	if (r->too_big || r->result == CURLE_FILESIZE_EXCEEDED) {
		if (!r->optional)
			bk_fail(c, "%s: the reply is larger than max-reply (%zu MiB) — raise max-reply if that is "
				   "expected", r->what, be->max_reply >> 20);
		return -1;
	}
	if (r->spill && r->sink.err) {
		if (!r->optional)
			bk_fail(c, "%s: cannot keep the reply in the store's cache: %s%s", r->what, strerror(r->sink.err),
				util_write_hint(r->sink.err));
		return -1;
	}
	if (r->too_slow) {
		if (!r->optional)
			bk_retry(c, -1, "%s: the reply trickled in too slowly (under %ld bytes/s for %ld s)", r->what,
				 r->low_speed, r->low_speed_time);
		return -1;
	}
	if (r->result != CURLE_OK) {
		const char *detail = *r->errbuf ? r->errbuf : curl_easy_strerror(r->result);

		if (r->optional)
			return -1;
		switch (r->result) {
		case CURLE_COULDNT_CONNECT:
			bk_retry(c, -1, "cannot connect to %s — is the server running?", be->url);
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
			bk_retry(c, -1, "cannot find the host of %s (%s)", be->url, detail);
			break;
		case CURLE_OPERATION_TIMEDOUT:
			bk_retry(c, -1, "%s: no complete reply within the time allowed (%s; timeout=%ld s)", r->what,
				 detail, be->timeout);
			break;
		case CURLE_TOO_MANY_REDIRECTS:
			bk_fail(c, "%s: more than %d redirects — the server redirects in a loop; check url=", r->what,
				be->redirects);
			break;
		case CURLE_UNSUPPORTED_PROTOCOL:
			bk_fail(c, "%s: redirected to a URL that is not http or https (refused)", r->what);
			break;
		case CURLE_GOT_NOTHING:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_PARTIAL_FILE:
			bk_retry(c, -1, "%s: the connection broke before the reply was complete (%s)", r->what, detail);
			break;
		default:
			bk_fail(c, "%s: %s", r->what, detail);
			break;
		}
		return -1;
	}
	if (r->status >= 200 && r->status < 300)
		return 0;
	if (r->optional)
		return -1;
	msg = bk_body_error(r->ctype, r->reply.s, r->reply.len);
	if (r->status >= 300 && r->status < 400) {
		bk_fail(c, "%s: the server answered with a redirect (HTTP %ld) that was not followed", r->what,
			r->status);
	} else if (transient_status(r->status)) {
		bk_retry(c, r->retry_after, "%s: HTTP %ld%s%s%s%s%s", r->what, r->status, reason(r->status) ? " " : "",
			 reason(r->status) ? reason(r->status) : "", msg ? ": " : "", msg ? msg : "",
			 r->status == 429 && r->retry_after >= 0 ? " (the server asked to wait)" : "");
	} else {
		char *hint = NULL;

		if (r->status == 401 || r->status == 403)
			hint = *be->key_env ? xasprintf(" — check the key in $%s", be->key_env)
					    : xstrdup(" — the server wants a key: name its variable with key-env=");
		bk_fail(c, "%s: HTTP %ld%s%s%s%s%s", r->what, r->status, reason(r->status) ? " " : "",
			reason(r->status) ? reason(r->status) : "", msg ? ": " : "", msg ? msg : "", hint ? hint : "");
		free(hint);
	}
	free(msg);
	return -1;
}

json_t *bk_req_parse_json(struct bk_call *c, struct bk_req *r)
{
	json_error_t je;
	json_t *j;
	char *m;

	if (strstr(r->ctype, "json") == NULL) {
		bk_fail(c, "%s: expected JSON but the server sent %s", r->what,
			*r->ctype ? r->ctype : "no Content-Type");
		return NULL;
	}
	if (r->spill && r->sink.path) {
		r->js = xcalloc(1, sizeof *r->js);
		bk_jscan_init(r->js, c->workdir, r->max, LB_TEXT_INLINE_MAX);
		if (bk_jscan_file(r->js, r->sink.path) < 0) {
			bk_fail(c, "%s: the reply is not usable JSON (%s)", r->what, r->js->error);
			return NULL;
		}
		/* The raw reply is not needed any more: its strings are out. */
		unlink(r->sink.path);
		xfree(&r->sink.path);
		j = json_loadb(r->js->out.s ? r->js->out.s : "", r->js->out.len, 0, &je);
	} else {
		j = json_loadb(r->reply.s, r->reply.len, 0, &je);
	}
	if (j == NULL) {
		bk_fail(c, "%s: the reply is not valid JSON (%s at byte %d)", r->what, je.text, je.position);
		return NULL;
	}
	m = bk_json_error(j);
	if (m) {
		bk_fail(c, "%s: the server replied %ld but reported an error: %s", r->what, r->status, m);
		free(m);
		json_decref(j);
		return NULL;
	}
	return j;
}
