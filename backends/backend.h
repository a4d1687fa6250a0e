/*
 * backend.h - generation backends and the job runner.
 *
 * A backend is a named, configured generator (`backend NAME type=TYPE
 * url=... model=... key-env=...` in the config file): builtin (offline,
 * procedural, always present), exec (a local command run from an argv
 * template, never through a shell), and the HTTP protocols openai, a1111,
 * comfyui and ollama.  The registry holds the definitions; backend_submit
 * turns a request into a queued job row; the runner (a thread with its own
 * store connection, driving libcurl's multi interface) turns queued jobs
 * into candidates and wakes its owner through a file descriptor.
 *
 * API keys are read only from the environment variable a definition names
 * (key-env); they never reach the store, a message or the screen.
 */
#ifndef LB_BACKEND_H
#define LB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ------------------------------------------------------------ backends */

/* What a backend can do, beyond the modalities it makes. */
enum backend_cap {
	BACKEND_CAP_SEED = 1 << 0,       /* honours a seed (for some modality) */
	BACKEND_CAP_COUNT = 1 << 1,      /* makes several candidates in one job */
	BACKEND_CAP_INIT_IMAGE = 1 << 2, /* variations of an image candidate */
	BACKEND_CAP_PROGRESS = 1 << 3,   /* reports progress while it works */
	BACKEND_CAP_OFFLINE = 1 << 4,    /* needs no network */
};

struct backend;          /* one validated definition (owned by the registry) */
struct backend_registry; /* the definitions, always including "builtin" */

/* A registry holding only `builtin` (the default).  Owned. */
struct backend_registry *backend_registry_new(void);
void backend_registry_free(struct backend_registry **reg);

/* Adds one definition: `backend NAME k1=v1 k2=v2 ...` read at file:line
 * (file may be NULL for definitions that come from elsewhere).  The keys
 * and values are copied.  A bad definition (unknown type or key, bad url,
 * missing model, a name already defined) adds nothing and returns -1 with
 * *err (owned) saying "FILE:LINE: what is wrong — what to do".  A relative
 * `workflow=` path resolves against file's folder.  Redefining "builtin"
 * (type=builtin) changes its settings. */
int backend_registry_add(struct backend_registry *reg, const char *name, size_t nkv,
			 const char *const *keys, const char *const *values, const char *file,
			 int line, char **err);

size_t backend_registry_count(const struct backend_registry *reg);
/* The i-th definition, in the order added (builtin first).  Borrowed. */
const struct backend *backend_registry_at(const struct backend_registry *reg, size_t i);
/* By name; NULL when there is none.  Borrowed. */
const struct backend *backend_registry_find(const struct backend_registry *reg, const char *name);
/* The default backend: the one marked default=yes, else builtin. */
const struct backend *backend_registry_default(const struct backend_registry *reg);

/* Facts about a definition; strings are borrowed from it. */
const char *backend_name(const struct backend *be);
const char *backend_type(const struct backend *be);    /* "builtin", "openai", ... */
const char *backend_url(const struct backend *be);     /* "" when none */
const char *backend_model(const struct backend *be);   /* "" when none */
const char *backend_key_env(const struct backend *be); /* "" when none */
/* Bit 1 << LB_IMAGE etc. for each modality it makes. */
unsigned backend_modalities(const struct backend *be);
unsigned backend_caps(const struct backend *be);       /* enum backend_cap bits */
/* Whether it can make a variation of a candidate of modality m. */
int backend_can_vary(const struct backend *be, int modality);
int backend_concurrency(const struct backend *be);
const char *backend_file(const struct backend *be);    /* where defined, "" built in */
int backend_line(const struct backend *be);
/* "key from $VAR (set)" / "(unset)" / "no key": never the key itself.  Owned. */
char *backend_key_status(const struct backend *be);
/* "image,text" for a modality mask.  Owned. */
char *backend_modality_list(unsigned mask);
/* The parameters a backend takes (for --set and the TUI's form): a
 * NULL-terminated list of names, and one line of help for each.
 * Borrowed, static. */
const char *const *backend_param_names(const struct backend *be);
const char *backend_param_help(const struct backend *be, const char *name);
/* The value a definition gives a parameter (steps=30) as text, or NULL.
 * Borrowed: valid until the next call in the same thread. */
const char *backend_setting(const struct backend *be, const char *name);

/* ------------------------------------------------------------ submitting jobs */

enum backend_seed_mode {
	BACKEND_SEED_RANDOM = 0, /* a random base, +1 for each further candidate */
	BACKEND_SEED_FIXED,      /* the same seed for every candidate */
	BACKEND_SEED_STEP,       /* seed, seed+1, seed+2, ... */
};

enum backend_job_kind { BACKEND_GENERATE = 0, BACKEND_REROLL, BACKEND_VARIATION };

/* What to generate.  Zero-initialise, then set fields. */
struct backend_gen {
	const char *backend;   /* NULL: the brief's default backend, else the registry's */
	int kind;              /* enum backend_job_kind */
	int64_t parent_id;     /* the candidate rerolled or varied (kind != GENERATE) */
	int count;             /* candidates wanted; 0 means 1 */
	int seed_mode;         /* enum backend_seed_mode */
	int64_t seed;          /* for FIXED and STEP: 0 .. 2^32-1 */
	const char *prompt;    /* a one-off prompt (NULL: the brief revision's) */
	const char *negative;  /* a one-off negative prompt (NULL: the revision's) */
	size_t nset;           /* parameter overrides (--set key=value) */
	const char *const *set_keys;
	const char *const *set_values;
};

/* Checks g against the registry and the brief and queues one job in st
 * (the caller's connection).  A reroll keeps the parent's backend,
 * revision, prompt and parameters with a new seed.  0 and *job_id, or -1
 * with *err (owned) saying what is wrong (unknown backend, a modality it
 * does not make, an unknown parameter, a bad value) and what to do. */
int backend_submit(struct store *st, const struct backend_registry *reg, int64_t brief_id,
		   const struct backend_gen *g, int64_t *job_id, char **err);

/* What a queued job asks for, read back from its params (for display:
 * the interface's job view).  Strings are owned; clear with
 * backend_job_info_clear. */
struct backend_job_info {
	int count;             /* candidates wanted */
	int seed_mode;         /* enum backend_seed_mode */
	int64_t seed;          /* the first seed (random mode: the one drawn) */
	char *prompt;          /* a one-off prompt, or NULL */
	char *negative;        /* a one-off negative prompt, or NULL */
	char *set;             /* overrides as "steps=30 width=768", "" when none */
};
/* Fills *out from j->params; a broken params text gives the defaults
 * (count 1, random).  Never fails. */
void backend_job_info(const struct lb_job *j, struct backend_job_info *out);
void backend_job_info_clear(struct backend_job_info *info);

/* ------------------------------------------------------------ the runner */

struct runner;

struct runner_options {
	const char *store_dir;   /* the store to work on (required) */
	const char *curator;     /* whose jobs to run; NULL: util_curator() */
	const struct backend_registry *reg; /* borrowed: must outlive the runner */
	int notify_fd;           /* written (one byte, never blocking; made
				  * O_NONBLOCK) when a job changes or candidates
				  * arrive; -1: none.  Keep its read end open until
				  * runner_stop (a closed pipe raises SIGPIPE). */
	int sync_full;           /* PRAGMA synchronous=FULL on its connection */
	int nice;                /* added to the thread's nice value (0: none);
				  * the interface runs it below its own thread */
	const int64_t *only;     /* run only these jobs (`gen`: never another
				  * process's job, which stopping would interrupt) */
	size_t nonly;            /* 0: every queued job of the curator */
};

/* Starts the runner thread.  It opens its own connection to the store,
 * recovers jobs that dead runners left running (recorded from their
 * manifest, else requeued; never a live runner's), and runs queued jobs
 * of the curator for the
 * backends the registry defines, each backend at most `concurrency` at a
 * time.  0 and *out (owned), or -1 with *err (owned). */
int runner_start(const struct runner_options *opt, struct runner **out, char **err);
/* Why no runner of this user can start on the store (its lock cannot be
 * opened: who owns it, its mode), or NULL.  Owned. */
char *runner_blocked(const char *store_dir);
/* Wakes the runner to look at the queue now (after submitting or
 * cancelling a job).  Never blocks; safe from any thread. */
void runner_kick(struct runner *r);
/* Stops the runner: transfers in flight are aborted, their jobs go back
 * to the queue (they resume at the next start), the thread is joined and
 * *r freed and set to NULL. */
void runner_stop(struct runner **r);
/* How many jobs the runner is working on right now. */
int runner_active(struct runner *r);
/* How many finished jobs' results wait for a busy store (their files
 * and manifests are on disk; the rows follow as soon as it takes them). */
int runner_unsaved(struct runner *r);

/* Called by runner_wait after each change; jobs[] are the watched jobs as
 * stored now (borrowed for the call).  Return non-zero to stop waiting. */
typedef int (*runner_report_fn)(void *ud, const struct lb_job *jobs, size_t n);

/* Blocks until every job in ids[] is done, failed or cancelled, reading
 * their rows through st (the caller's connection) and calling report
 * (may be NULL) after each change.  r (may be NULL: jobs run elsewhere,
 * rows are polled twice a second) wakes it at once.  stop_fd (or -1):
 * readable means stop waiting (a signal's self-pipe).  Returns 0 when all
 * finished, 1 when stop_fd or report ended the wait, -1 on a store error
 * (*err, owned). */
int runner_wait(struct runner *r, struct store *st, const int64_t *ids, size_t n, int stop_fd,
		runner_report_fn report, void *ud, char **err);

/* The number of queued jobs of the curator that this registry's backends
 * could run (and the earliest time one is due), through st. */
int runner_queued(struct store *st, const struct backend_registry *reg, const char *curator,
		  int64_t *n, int64_t *next_at);

/* Hook for `make bench` and the TUI's latency measurements: milliseconds
 * the runner thread spent on its last loop iteration, and the most since
 * start (a long iteration delays replies, never the interface). */
void runner_loop_stats(struct runner *r, double *last_ms, double *max_ms);

/* ------------------------------------------------------------ checking backends */

struct backend_check {
	const struct backend *be; /* borrowed */
	int ok;                   /* 1: it answers as expected */
	char *message;            /* owned: "ok: 12 models, llama3.2 installed" or what failed */
};

/* Checks every backend of reg at once (HTTP ones with one cheap request
 * each, exec by finding its program, builtin trivially), waiting at most
 * timeout_s.  *out is an owned array of n results in registry order; free
 * with backend_checks_free. */
void backend_check_all(const struct backend_registry *reg, long timeout_s, struct backend_check **out,
		       size_t *n);
void backend_checks_free(struct backend_check **v, size_t n);

#endif
