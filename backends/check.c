/*
 * check.c - `lightbox backends --check`: one cheap request to every HTTP
 * backend at once (GET /models, /sdapi/v1/sd-models, /system_stats,
 * /api/tags), the program of every exec backend looked up, builtin
 * always fine.  Each result says what answered or what went wrong.
 *
 * What a check may cost is bounded whatever the servers send: a reply is
 * a model list or a status, so it is cut at CHECK_MAX_REPLY (or max-reply
 * when smaller) and never preallocated past that; a reply is parsed and
 * freed as soon as it is complete, so at most one parsed reply is alive
 * at a time; a reply that began but trickles is named as such.
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

/* The largest check reply read (a long model list is well under 1 MiB). */
#define CHECK_MAX_REPLY ((size_t)4 << 20)

static void check_limit(struct bk_req *q, size_t max_reply, long timeout_s)
{
	q->max = max_reply < CHECK_MAX_REPLY ? max_reply : CHECK_MAX_REPLY;
	curl_easy_setopt(q->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max);
	curl_easy_setopt(q->easy, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(q->easy, CURLOPT_CONNECTTIMEOUT, timeout_s);
}

/* What a request that ran out of time got (owned). */
static char *check_late(const struct bk_req *q, long timeout_s)
{
	if (!q->started)
		return xasprintf("%s: no answer within %ld s", q->what, timeout_s);
	return xasprintf("%s: the reply began but was not complete within %ld s (%zu bytes came) — a slow "
			 "or stuck server",
			 q->what, timeout_s, q->reply.len);
}

/* The verdict on one finished check request (owned message). */
static int check_judge(struct bk_call *c, struct bk_req *q, long timeout_s, char **msg)
{
	if (q->result == CURLE_OPERATION_TIMEDOUT) {
		*msg = check_late(q, timeout_s);
		return 0;
	}
	if (q->too_big || q->result == CURLE_FILESIZE_EXCEEDED) {
		*msg = xasprintf("%s: the reply is over %zu KiB, far more than a %s needs — is url= this "
				 "server's API?",
				 q->what, q->max >> 10, strstr(q->what, "stats") ? "status" : "model list");
		return 0;
	}
	if (bk_req_judge(c, q) == 0)
		return c->be->ops->check_reply(c, q, msg);
	*msg = xstrdup(c->error ? c->error : "failed");
	return 0;
}

/* The message of a request still going at the deadline. */
static char *check_unfinished(const struct bk_call *c, long timeout_s)
{
	size_t k;

	for (k = 0; k < c->nreqs; k++) {
		const struct bk_req *q = c->reqs[k];

		if (q->state == 1)
			return check_late(q, timeout_s);
	}
	return xasprintf("no answer within %ld s", timeout_s);
}

void backend_checks_free(struct backend_check **pv, size_t n)
{
	size_t i;

	for (i = 0; *pv && i < n; i++)
		free((*pv)[i].message);
	xfree(pv);
}

void backend_check_all(const struct backend_registry *reg, long timeout_s, struct backend_check **out, size_t *n)
{
	size_t nb = backend_registry_count(reg), i, k, pending = 0;
	struct backend_check *res = xcalloc(nb ? nb : 1, sizeof *res);
	struct bk_call **calls = xcalloc(nb ? nb : 1, sizeof *calls);
	CURLM *multi;
	double deadline = util_mono_ms() + (double)timeout_s * 1000;
	int running;

	bk_http_init();
	multi = curl_multi_init();
	for (i = 0; i < nb; i++) {
		const struct backend *be = backend_registry_at(reg, i);
		struct bk_call *c = calls[i] = bk_call_new(be);

		res[i].be = be;
		if (*be->key_env && getenv(be->key_env))
			c->key = xstrdup(getenv(be->key_env));
		if (be->ops->check == NULL) {
			res[i].ok = be->ops->check_reply(c, NULL, &res[i].message);
			continue;
		}
		be->ops->check(c);
		if (c->status != BK_RUNNING || c->nreqs == 0) {
			res[i].message = xstrdup(c->error ? c->error : "no check request");
			continue;
		}
		for (k = 0; k < c->nreqs; k++) {
			check_limit(c->reqs[k], be->max_reply, timeout_s);
			c->reqs[k]->state = 1;
			curl_multi_add_handle(multi, c->reqs[k]->easy);
			pending++;
		}
	}
	while (pending > 0 && util_mono_ms() < deadline) {
		CURLMsg *m;
		int left;

		curl_multi_perform(multi, &running);
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			struct bk_req *q = bk_req_finished(multi, m);
			struct bk_call *c;

			if (q == NULL)
				continue;
			c = q->call;
			pending--;
			for (i = 0; i < nb; i++)
				if (calls[i] == c && res[i].message == NULL)
					res[i].ok = check_judge(c, q, timeout_s, &res[i].message);
			bk_req_free(&q);
		}
		if (pending > 0)
			curl_multi_poll(multi, NULL, 0, 200, NULL);
	}
	for (i = 0; i < nb; i++) {
		struct bk_call *c = calls[i];

		if (res[i].message == NULL)
			res[i].message = check_unfinished(c, timeout_s);
		while (c->nreqs > 0) {
			struct bk_req *q = c->reqs[c->nreqs - 1];
			if (q->state == 1)
				curl_multi_remove_handle(multi, q->easy);
			bk_req_free(&q);
		}
		bk_call_free(&calls[i]);
	}
	curl_multi_cleanup(multi);
	free(calls);
	*out = res;
	*n = nb;
}
