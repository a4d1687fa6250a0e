/*
 * check.c - `lightbox backends --check`: one cheap request to every HTTP
 * backend at once (GET /models, /sdapi/v1/sd-models, /system_stats,
 * /api/tags), the program of every exec backend looked up, builtin
 * always fine.  Each result says what answered or what went wrong.
 */
#include "config.h"

#include "backends-private.h"

#include <stdlib.h>
#include <string.h>

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
			curl_easy_setopt(c->reqs[k]->easy, CURLOPT_TIMEOUT, timeout_s);
			curl_easy_setopt(c->reqs[k]->easy, CURLOPT_CONNECTTIMEOUT, timeout_s);
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
				if (calls[i] == c && res[i].message == NULL) {
					if (bk_req_judge(c, q) == 0)
						res[i].ok = c->be->ops->check_reply(c, q, &res[i].message);
					else
						res[i].message = xstrdup(c->error ? c->error : "failed");
				}
			bk_req_free(&q);
		}
		if (pending > 0)
			curl_multi_poll(multi, NULL, 0, 200, NULL);
	}
	for (i = 0; i < nb; i++) {
		struct bk_call *c = calls[i];

		while (c->nreqs > 0) {
			struct bk_req *q = c->reqs[c->nreqs - 1];
			if (q->state == 1)
				curl_multi_remove_handle(multi, q->easy);
			bk_req_free(&q);
		}
		if (res[i].message == NULL)
			res[i].message = xasprintf("no answer within %ld s", timeout_s);
		bk_call_free(&calls[i]);
	}
	curl_multi_cleanup(multi);
	free(calls);
	*out = res;
	*n = nb;
}
