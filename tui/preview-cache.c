/*
 * preview-cache.c - the last rendered previews, kept in memory within a
 * byte budget (least recently used go first), and worker threads that
 * render what is asked for in the background, most urgent first: the
 * candidate on screen, then its neighbours (prefetch), so that moving
 * finds its preview ready.
 *
 * Renders are immutable and reference-counted: the screen may hold one
 * that the cache has already let go.  One lock guards the table, the
 * queue and every reference count; rendering itself runs unlocked.  A
 * finished render writes a byte to the interface's wake pipe so that
 * its poll() returns and the frame is redrawn.
 */
#include "config.h"

#include "preview.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_THREADS = 4 };

struct entry {
	struct pv_render *r; /* the cache's reference */
	struct entry *prev, *next;
};

struct job {
	struct pv_req q;
	char *key;
	int prio;
	uint64_t seq;
	struct job *next;
};

struct pv_cache {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct entry *head, *tail; /* most recently used first */
	size_t n, bytes, budget;
	struct job *queue;         /* by prio, then age */
	uint64_t seq;
	char *running[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	int nthreads, want_threads, stop, news, wake_fd;
	size_t hits, misses, rendered;
};

static struct entry *find(struct pv_cache *c, const char *key)
{
	struct entry *e;

	for (e = c->head; e; e = e->next)
		if (strcmp(e->r->key, key) == 0)
			return e;
	return NULL;
}

static void unlink_entry(struct pv_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void push_front(struct pv_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void drop_ref(struct pv_render *r)
{
	if (--r->refs == 0)
		pv_render_free(r);
}

static void evict(struct pv_cache *c)
{
	struct entry *e;

	while (c->bytes > c->budget && c->tail && c->tail != c->head) {
		e = c->tail;
		unlink_entry(c, e);
		c->bytes -= e->r->mem;
		c->n--;
		drop_ref(e->r);
		free(e);
	}
}

/* Takes over one reference of r. */
static void insert(struct pv_cache *c, struct pv_render *r)
{
	struct entry *e = find(c, r->key);

	if (e) {
		drop_ref(r); /* rendered twice (the bench's synchronous path): keep the first */
		return;
	}
	e = xcalloc(1, sizeof *e);
	e->r = r;
	push_front(c, e);
	c->bytes += r->mem;
	c->n++;
	evict(c);
}

static int is_running(struct pv_cache *c, const char *key)
{
	int i;

	for (i = 0; i < c->nthreads; i++)
		if (c->running[i] && strcmp(c->running[i], key) == 0)
			return 1;
	return 0;
}

static void job_free(struct job *j)
{
	pv_req_clear(&j->q);
	free(j->key);
	free(j);
}

static void enqueue(struct pv_cache *c, struct job *j)
{
	struct job **pp = &c->queue;

	while (*pp && ((*pp)->prio < j->prio || ((*pp)->prio == j->prio && (*pp)->seq < j->seq)))
		pp = &(*pp)->next;
	j->next = *pp;
	*pp = j;
}

struct worker_arg {
	struct pv_cache *c;
	int slot;
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct pv_cache *c = wa->c;
	int slot = wa->slot;
	struct pv_render *r;
	struct job *j;

	free(wa);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->stop && c->queue == NULL)
			pthread_cond_wait(&c->work, &c->lock);
		if (c->stop)
			break;
		j = c->queue;
		c->queue = j->next;
		if (find(c, j->key)) {
			job_free(j);
			continue;
		}
		c->running[slot] = j->key;
		pthread_mutex_unlock(&c->lock);
		r = pv_render_run(&j->q);
		pthread_mutex_lock(&c->lock);
		c->running[slot] = NULL;
		c->rendered++;
		insert(c, r);
		c->news = 1;
		pthread_cond_broadcast(&c->done);
		job_free(j);
		if (c->wake_fd >= 0)
			util_wake(c->wake_fd, 'p'); /* WAKE_PREVIEW */
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* With the lock held: starts the workers, the first time there is work
 * (a text-only brief never starts a thread). */
static void start_workers(struct pv_cache *c)
{
	struct worker_arg *wa;
	int i;

	if (c->nthreads || c->want_threads == 0)
		return;
	/* Signals (resize, ^C) are the interface's: workers, and the threads
	 * chafa starts from them, never take one mid-read. */
	for (i = 0; i < c->want_threads; i++) {
		wa = xmalloc(sizeof *wa);
		wa->c = c;
		wa->slot = i;
		if (util_thread_start(&c->threads[i], worker, wa) != 0) {
			free(wa);
			break;
		}
		c->nthreads++;
	}
	c->want_threads = 0;
}

struct pv_cache *pv_cache_new(size_t budget, int nthreads, int wake_fd)
{
	struct pv_cache *c = xcalloc(1, sizeof *c);

	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->done, NULL);
	c->budget = budget;
	c->wake_fd = wake_fd;
	c->want_threads = nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
	return c;
}

void pv_cache_free(struct pv_cache **cp)
{
	struct pv_cache *c = *cp;
	struct entry *e, *next;
	struct job *j;
	int i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_broadcast(&c->work);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->nthreads; i++)
		pthread_join(c->threads[i], NULL);
	while ((j = c->queue)) {
		c->queue = j->next;
		job_free(j);
	}
	for (e = c->head; e; e = next) {
		next = e->next;
		drop_ref(e->r);
		free(e);
	}
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c);
	*cp = NULL;
}

/* With the lock held: the render for key with a new reference, or NULL. */
static struct pv_render *get_locked(struct pv_cache *c, const char *key)
{
	struct entry *e = find(c, key);

	if (e == NULL)
		return NULL;
	if (e != c->head) {
		unlink_entry(c, e);
		push_front(c, e);
	}
	e->r->refs++;
	return e->r;
}

struct pv_render *pv_cache_get(struct pv_cache *c, const char *key)
{
	struct pv_render *r;

	pthread_mutex_lock(&c->lock);
	r = get_locked(c, key);
	if (r)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return r;
}

void pv_cache_want(struct pv_cache *c, const struct pv_req *q, int prio)
{
	char *key = pv_req_key(q);
	struct job *j, **pp;

	pthread_mutex_lock(&c->lock);
	if (find(c, key) || is_running(c, key)) {
		pthread_mutex_unlock(&c->lock);
		free(key);
		return;
	}
	for (pp = &c->queue; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			break;
	if (*pp) {
		j = *pp;
		if (prio < j->prio) {
			*pp = j->next;
			j->prio = prio;
			enqueue(c, j);
		}
		free(key);
	} else {
		j = xcalloc(1, sizeof *j);
		pv_req_copy(&j->q, q);
		j->key = key;
		j->prio = prio;
		j->seq = c->seq++;
		enqueue(c, j);
		start_workers(c);
		pthread_cond_signal(&c->work);
	}
	pthread_mutex_unlock(&c->lock);
}

void pv_cache_drop(struct pv_cache *c, int min_prio)
{
	struct job **pp, *j;

	pthread_mutex_lock(&c->lock);
	for (pp = &c->queue; *pp;) {
		j = *pp;
		if (j->prio >= min_prio) {
			*pp = j->next;
			job_free(j);
		} else {
			pp = &j->next;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static int is_queued(struct pv_cache *c, const char *key)
{
	struct job *j;

	for (j = c->queue; j; j = j->next)
		if (strcmp(j->key, key) == 0)
			return 1;
	return 0;
}

struct pv_render *pv_cache_wait(struct pv_cache *c, const char *key, int ms)
{
	struct pv_render *r;
	struct timespec until;
	long long ns;

	clock_gettime(CLOCK_REALTIME, &until);
	ns = until.tv_nsec + (long long)ms * 1000000LL;
	until.tv_sec += ns / 1000000000LL;
	until.tv_nsec = ns % 1000000000LL;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		r = get_locked(c, key);
		if (r || (!is_running(c, key) && !is_queued(c, key)) || (c->nthreads == 0 && c->want_threads == 0))
			break;
		if (pthread_cond_timedwait(&c->done, &c->lock, &until) == ETIMEDOUT) {
			r = get_locked(c, key);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

struct pv_render *pv_cache_render(struct pv_cache *c, const struct pv_req *q)
{
	char *key = pv_req_key(q);
	struct pv_render *r = pv_cache_get(c, key), *made;

	free(key);
	if (r)
		return r;
	made = pv_render_run(q);
	pthread_mutex_lock(&c->lock);
	made->refs++; /* ours */
	c->rendered++;
	insert(c, made);
	pthread_mutex_unlock(&c->lock);
	return made;
}

int pv_cache_news(struct pv_cache *c)
{
	int n;

	pthread_mutex_lock(&c->lock);
	n = c->news;
	c->news = 0;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void pv_render_ref(struct pv_cache *c, struct pv_render *r)
{
	pthread_mutex_lock(&c->lock);
	r->refs++;
	pthread_mutex_unlock(&c->lock);
}

void pv_render_unref(struct pv_cache *c, struct pv_render **rp)
{
	if (*rp == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	drop_ref(*rp);
	pthread_mutex_unlock(&c->lock);
	*rp = NULL;
}

void pv_cache_stats(struct pv_cache *c, size_t *n, size_t *bytes, size_t *hits, size_t *misses)
{
	pthread_mutex_lock(&c->lock);
	*n = c->n;
	*bytes = c->bytes;
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}

void pv_cache_work(struct pv_cache *c, size_t *queued, size_t *rendered)
{
	struct job *j;

	pthread_mutex_lock(&c->lock);
	*queued = 0;
	for (j = c->queue; j; j = j->next)
		++*queued;
	*rendered = c->rendered;
	pthread_mutex_unlock(&c->lock);
}

void pv_cache_clear(struct pv_cache *c)
{
	struct entry *e, *next;

	pthread_mutex_lock(&c->lock);
	for (e = c->head; e; e = next) {
		next = e->next;
		drop_ref(e->r);
		free(e);
	}
	c->head = c->tail = NULL;
	c->n = 0;
	c->bytes = 0;
	pthread_mutex_unlock(&c->lock);
}
