/*
 * cmd-stacks.c - lightbox fingerprint (make the missing perceptual
 * fingerprints), lightbox similar (candidates nearest to one), lightbox
 * stacks (a brief's near-copies grouped, best first; keep the best,
 * reject the rest).
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keymaps/keymaps.h"
#include "media/media.h"
#include "store/stacks.h"
#include "util.h"

static const char fingerprint_help[] =
	"Usage: lightbox fingerprint [--brief BRIEF] [--retry]\n"
	"       lightbox fingerprint --background\n"
	"\n"
	"Makes the perceptual fingerprints that picture and video candidates lack\n"
	"(for similar and stacks).  Import, generation and 'candidate add' start\n"
	"making them in the background once their candidates are saved, and the\n"
	"interface fills the missing ones too; this makes them now, after waiting\n"
	"for a background one at work ('lightbox doctor' shows it).  Each file is\n"
	"decoded at thumbnail size (a video's poster frame needs ffmpeg).\n"
	"\n"
	"Options:\n"
	"  --brief BRIEF   only the candidates of this brief\n"
	"  --retry         also try again the files that failed before\n"
	"  --background    make every missing one in a detached, niced process and\n"
	"                  return at once (what import does); one such process runs\n"
	"                  at a time per store, and it takes the files added meanwhile\n";

static const char similar_help[] =
	"Usage: lightbox similar CANDIDATE [--limit N] [--within D] [--project P | --all] [--json]\n"
	"\n"
	"Lists the candidates that look most like CANDIDATE, nearest first, by the\n"
	"distance of their perceptual fingerprints (0: the same picture; near-copies\n"
	"lie within the stack distance, 10 by default; unrelated pictures about 32).\n"
	"By default among the candidates of its brief.\n"
	"\n"
	"Options:\n"
	"  --limit N       at most N candidates (default 10)\n"
	"  --within D      only those at distance D or less (0 to 64)\n"
	"  --project P     among the candidates of project P (id or slug)\n"
	"  --all           among every candidate of the store\n"
	"  --json          print JSON\n";

static const char stacks_help[] =
	"Usage: lightbox stacks BRIEF [--distance N] [--json]\n"
	"       lightbox stacks BRIEF --keep-best STACK|all [--distance N]\n"
	"\n"
	"Groups the candidates of a brief into stacks of near-copies: two candidates\n"
	"whose fingerprints lie within the distance are in one stack (and their\n"
	"neighbours with them).  Each stack lists its best member first: your rating\n"
	"(not rejected, more stars, picked), then the pooled pairwise score, then the\n"
	"older.  A candidate without a fingerprint (text, audio, or not made yet: see\n"
	"'lightbox fingerprint') is a stack of its own.\n"
	"\n"
	"Options:\n"
	"  --distance N       the largest distance within a stack, 0 to 32 (default:\n"
	"                     the config's 'set stack-distance', else 10)\n"
	"  --keep-best STACK  keep the best of stack STACK (its number as listed) and\n"
	"                     flag the others rejected, as one step 'lightbox undo'\n"
	"                     takes back; 'all' does it for every stack\n"
	"  --json             print JSON\n";

enum { O_BRIEF = 1000, O_RETRY, O_BACKGROUND, O_LIMIT, O_WITHIN, O_PROJECT, O_ALL, O_JSON, O_DISTANCE, O_KEEP };

static const struct option fingerprint_opts[] = {
	{ "brief", required_argument, NULL, O_BRIEF },
	{ "retry", no_argument, NULL, O_RETRY },
	{ "background", no_argument, NULL, O_BACKGROUND },
	{ 0 },
};

static const struct option similar_opts[] = {
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "within", required_argument, NULL, O_WITHIN },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "all", no_argument, NULL, O_ALL },
	{ "json", no_argument, NULL, O_JSON },
	{ 0 },
};

static const struct option stacks_opts[] = {
	{ "distance", required_argument, NULL, O_DISTANCE },
	{ "keep-best", required_argument, NULL, O_KEEP },
	{ "json", no_argument, NULL, O_JSON },
	{ 0 },
};

/* The config's stack-distance and pixel-limit (bad config lines are
 * doctor's to report; the defaults stand for them here). */
void cli_config_values(struct cli *c, int *distance, long long *pixel_limit)
{
	struct km_config *cfg = km_config_new();
	char *path = c->config ? xstrdup(c->config) : km_config_default_path();
	const struct km_options *o;

	if (path)
		km_config_load_file(cfg, path, 0);
	o = km_config_options(cfg);
	if (distance)
		*distance = (int)km_opt_int(o, KM_O_STACK_DISTANCE);
	if (pixel_limit)
		*pixel_limit = km_opt_int(o, KM_O_PIXEL_LIMIT) * 1000000LL;
	km_config_free(&cfg);
	free(path);
}

/* A whole number lo..hi from an option's value, or -1 after a usage error. */
static long long number(struct cli *c, const char *opt, const char *s, long long lo, long long hi)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		cli_usage(c, "%s takes a whole number from %lld to %lld", opt, lo, hi);
		return -1;
	}
	return v;
}

/* The descriptor a filler started by cli_fingerprint_later closes once it
 * holds the lock (or knows another does); the environment names it. */
#define FILLER_ENV "LIGHTBOX_FP_FILLER"
/* Set (by tests/lib/tap.sh), the filler keeps it open until it is done:
 * the starter returns with the fingerprints made, as before they moved to
 * the background, so tests that look at them (or at the database with a
 * reader that does not wait) need not race the filler.  Same processes,
 * same lock. */
#define FILLER_WAIT_ENV "LIGHTBOX_TEST_FP_WAIT"

/* Takes the filler's lock, waiting for a filler at work (and saying so
 * once); 0 with *fd held.  A lock that cannot be taken at all (a store
 * whose cache/ is broken: doctor checks it) leaves *fd -1: the
 * fingerprints matter more than the order of their makers. */
static void lock_waiting(struct cli *c, int *fd)
{
	char *login;
	long pid;
	int rc = store_fp_lock(c->st, 0, fd);

	if (rc == 1) {
		if (store_fp_filler(c->st, &login, &pid) == 1 && login) {
			char *who = cli_safe(login, 0);

			fprintf(stderr, "lightbox: %s: waiting for the fingerprints being made in the "
					"background by %s (pid %ld)\n", c->cmd, who, pid);
			free(who);
		}
		free(login);
		store_fp_lock(c->st, 1, fd);
	}
}

int cli_fingerprint_fill(struct cli *c, int64_t brief, int retry, int quiet)
{
	long long pixel_limit;
	size_t made, failed;
	int fd, rc;

	cli_config_values(c, NULL, &pixel_limit);
	lock_waiting(c, &fd);
	rc = store_fp_fill(c->st, brief, retry, pixel_limit, NULL, &made, &failed);
	store_fp_unlock(&fd);
	if (rc != 0)
		return cli_store_fail(c);
	if (failed)
		cli_error(c, "%zu of %zu pictures have no fingerprint: they could not be decoded "
			     "('lightbox doctor' says why)", failed, made + failed);
	if (!quiet)
		printf("fingerprints: %zu made\n", made);
	return CLI_OK;
}

/* The detached filler (--background, started by cli_fingerprint_later):
 * fills every missing fingerprint of the store, or leaves at once when
 * another filler is at work.  After letting go of the lock it looks
 * again: files added while it was finishing, whose own filler found the
 * lock held and left, are its to make. */
static int run_filler(struct cli *c, int ready)
{
	struct lb_fp_todo *todo;
	long long pixel_limit;
	size_t n;
	int fd = -1, rc;

	if (!cli_store(c, 0)) {
		close(ready);
		return CLI_FAIL;
	}
	cli_config_values(c, NULL, &pixel_limit);
	for (;;) {
		rc = store_fp_lock(c->st, 0, &fd);
		if (ready >= 0 && (rc == 0 || rc == 1)) {
			/* at work, or another is: the starter goes on */
			if (write(ready, "+", 1) < 0) {
				/* the starter is gone: nobody to tell */
			}
			if (getenv(FILLER_WAIT_ENV) == NULL) {
				close(ready);
				ready = -1;
			}
		}
		if (rc == 1)
			return CLI_OK; /* the one at work takes ours too */
		if (rc == 0)
			rc = store_fp_fill(c->st, 0, 0, pixel_limit, NULL, NULL, NULL);
		store_fp_unlock(&fd);
		if (rc == 0)
			rc = store_fp_todo(c->st, 0, 0, 0, 1, &todo, &n);
		if (rc != 0)
			return cli_store_fail(c);
		free(todo);
		if (n == 0)
			return CLI_OK;
	}
}

int cli_fingerprint_later(struct cli *c)
{
	extern char **environ;
	const char *argv[10];
	char **envp, fdvar[48], buf[16], self[4096], *storevar = NULL;
	ssize_t len;
	int started = 0;
	struct pollfd pf;
	size_t n = 0, k;
	int p[2], i = 0, null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return cli_fingerprint_fill(c, 0, 0, 1);
	/* Built before the fork: the child only calls async-signal-safe
	 * functions (a runner or copier thread may hold malloc's lock). */
	argv[i++] = "lightbox";
	if (strcmp(store_name(c->st), store_dir(c->st)) != 0) {
		/* A PostgreSQL store's URL goes by the environment: a password
		 * in it would show in ps. */
		storevar = xasprintf("LIGHTBOX_STORE=%s", store_name(c->st));
	} else {
		argv[i++] = "--store";
		argv[i++] = store_dir(c->st);
	}
	if (c->config) {
		argv[i++] = "--config";
		argv[i++] = c->config;
	}
	argv[i++] = "fingerprint";
	argv[i++] = "--background";
	argv[i] = NULL;
	/* By its name, so that ps and top say lightbox (not exe). */
	len = readlink("/proc/self/exe", self, sizeof self - 1);
	self[len > 0 ? len : 0] = '\0';
	while (environ[n])
		n++;
	envp = xcalloc(n + 3, sizeof *envp);
	for (n = k = 0; environ[k]; k++)
		if (strncmp(environ[k], FILLER_ENV "=", sizeof FILLER_ENV) != 0 &&
		    (storevar == NULL || strncmp(environ[k], "LIGHTBOX_STORE=", 15) != 0))
			envp[n++] = environ[k];
	snprintf(fdvar, sizeof fdvar, "%s=3", FILLER_ENV);
	envp[n++] = fdvar;
	if (storevar)
		envp[n++] = storevar;
	envp[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* Detached: its own session, and a grandchild nobody waits for. */
		setsid();
		if (fork() != 0)
			_exit(0);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (p[1] == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(p[1], 3);
		close_range(4, ~0U, 0);
		setpriority(PRIO_PROCESS, 0, 10); /* curators and imports first */
		if (self[0] == '/')
			execve(self, (char *const *)argv, envp);
		execve("/proc/self/exe", (char *const *)argv, envp); /* replaced since, say */
		_exit(127);
	}
	free(envp);
	free(storevar);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return cli_fingerprint_fill(c, 0, 0, 1);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	/* Until the filler holds the lock (or knows another does: it writes
	 * a byte then): who looks right after this returns finds it at
	 * work.  EOF without a byte when it could not start; at most 5 s (a
	 * minute when tests wait for it to end). */
	pf.fd = p[0];
	pf.events = POLLIN;
	while (poll(&pf, 1, getenv(FILLER_WAIT_ENV) ? 60000 : 5000) > 0 && read(p[0], buf, sizeof buf) > 0)
		started = 1;
	close(p[0]);
	/* It could not start (no /proc, the store refused it): here, now. */
	return started ? CLI_OK : cli_fingerprint_fill(c, 0, 0, 1);
}

int cmd_fingerprint(struct cli *c, int argc, char **argv)
{
	int64_t brief = 0, have, missing, failed;
	int opt, retry = 0, background = 0, rc;
	const char *ready = getenv(FILLER_ENV);

	if (cli_args(c, &argc, argv, "", fingerprint_opts, fingerprint_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", fingerprint_opts, NULL)) != -1) {
		switch (opt) {
		case O_BRIEF:
			if (cli_id(c, "brief", optarg, &brief) < 0)
				return CLI_USAGE;
			break;
		case O_RETRY: retry = 1; break;
		case O_BACKGROUND: background = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(c, "takes only options (--brief BRIEF for one brief)");
	if (background && (brief || retry))
		return cli_usage(c, "--background makes every missing fingerprint: not with --brief or --retry");
	if (background && ready) {
		/* the detached one itself */
		int fd = atoi(ready);

		unsetenv(FILLER_ENV);
		return run_filler(c, fd > 2 ? fd : -1);
	}
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (background) {
		rc = cli_fingerprint_later(c);
		if (rc == CLI_OK)
			printf("fingerprints: being made in the background ('lightbox doctor' shows it)\n");
		return rc;
	}
	if (brief && cli_brief_exists(c, brief) != 0)
		return CLI_FAIL;
	rc = cli_fingerprint_fill(c, brief, retry, 0);
	if (rc != CLI_OK)
		return rc;
	if (store_fp_counts(c->st, brief, &have, &missing, &failed) != 0)
		return cli_store_fail(c);
	printf("%lld picture and video candidates have a fingerprint, %lld %s none%s\n",
	       (long long)have, (long long)(missing + failed), missing + failed == 1 ? "has" : "have",
	       failed ? " ('lightbox fingerprint --retry' tries again)" : "");
	return CLI_OK;
}

int cmd_similar(struct cli *c, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "BRIEF", "DISTANCE" };
	static const char *const scope_name[] = { "brief", "project", "store" };
	const char *project = NULL;
	struct lb_fp_set set;
	struct lb_similar *sim;
	struct lb_candidate cand;
	int64_t id, scope_id;
	uint64_t fp;
	long long limit = 10, within = 64;
	int opt, json = 0, all = 0, scope;
	size_t i, n;

	if (cli_args(c, &argc, argv, "", similar_opts, similar_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", similar_opts, NULL)) != -1) {
		switch (opt) {
		case O_LIMIT:
			if ((limit = number(c, "--limit", optarg, 1, 100000)) < 0)
				return CLI_USAGE;
			break;
		case O_WITHIN:
			if ((within = number(c, "--within", optarg, 0, 64)) < 0)
				return CLI_USAGE;
			break;
		case O_PROJECT: project = optarg; break;
		case O_ALL: all = 1; break;
		case O_JSON: json = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if (project && all)
		return cli_usage(c, "--project and --all choose where to look: give one");
	if (optind != argc - 1)
		return cli_usage(c, "say which candidate");
	if (cli_id(c, "candidate", argv[optind], &id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_candidate_get(c->st, id, &cand) != 0)
		return cli_store_fail(c);
	scope = all ? LB_FP_ALL : project ? LB_FP_PROJECT : LB_FP_BRIEF;
	scope_id = cand.brief_id;
	lb_candidate_clear(&cand);
	if (project && store_project_find(c->st, project, &scope_id) != 0)
		return cli_store_fail(c);
	if (store_fp_get(c->st, id, &fp) != 0)
		return cli_store_fail(c);
	if (store_fp_set_cached(c->st, scope, scope_id, &set, NULL) != 0)
		return cli_store_fail(c);
	/* one query: a scan of what was read costs less than building an
	 * index over it (the interface keeps one; `make bench` compares) */
	sim = xmalloc(sizeof *sim * (size_t)limit);
	n = lb_similar_in(&set, NULL, id, fp, (int)within, (size_t)limit, sim);
	if (json) {
		json_t *o = json_object(), *arr = json_array();

		json_object_set_new(o, "candidate_id", json_integer(id));
		json_object_set_new(o, "fingerprint", json_sprintf("%016llx", (unsigned long long)fp));
		json_object_set_new(o, "scope", json_string(scope_name[scope]));
		json_object_set_new(o, "searched", json_integer((json_int_t)set.n));
		for (i = 0; i < n; i++) {
			json_t *x = json_object();

			json_object_set_new(x, "candidate_id", json_integer(sim[i].id));
			json_object_set_new(x, "brief_id", json_integer(sim[i].brief_id));
			json_object_set_new(x, "distance", json_integer(sim[i].distance));
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "similar", arr);
		cli_json_print(o);
	} else if (n == 0) {
		printf("no candidate like #%lld among the %zu with a fingerprint in its %s%s\n",
		       (long long)id, set.n, scope_name[scope],
		       store_fp_filler(c->st, NULL, NULL) == 1
			       ? " (more are being made in the background: 'lightbox fingerprint' waits for them)"
			       : "");
	} else {
		struct cli_table *t = cli_table_new(3, heads, "rrr");

		for (i = 0; i < n; i++) {
			char a[24], b[24], d[16];
			const char *cells[3] = { a, b, d };

			snprintf(a, sizeof a, "%lld", (long long)sim[i].id);
			snprintf(b, sizeof b, "%lld", (long long)sim[i].brief_id);
			snprintf(d, sizeof d, "%d", sim[i].distance);
			cli_table_row(t, cells);
		}
		cli_table_print(t, stdout);
		cli_table_free(&t);
	}
	free(sim);
	lb_fp_set_free(&set);
	return CLI_OK;
}

static json_t *stack_json(const struct lb_stacks *s, size_t i)
{
	json_t *o = json_object(), *ids = json_array();
	const struct lb_stack_member *m = &s->member[s->stack[i].first];
	size_t k;

	json_object_set_new(o, "stack", json_integer((json_int_t)i + 1));
	json_object_set_new(o, "size", json_integer((json_int_t)s->stack[i].n));
	json_object_set_new(o, "best", json_integer(m[0].id));
	json_object_set_new(o, "fingerprinted", json_boolean(m[0].has_fp));
	for (k = 0; k < s->stack[i].n; k++)
		json_array_append_new(ids, json_integer(m[k].id));
	json_object_set_new(o, "members", ids);
	return o;
}

static int keep_best(struct cli *c, const struct lb_stacks *s, const char *which)
{
	size_t rejected;
	long i = -1;

	if (strcmp(which, "all") != 0) {
		char *end;
		long v = strtol(which, &end, 10);

		if (*which == '\0' || *end != '\0' || v < 1 || (size_t)v > s->n)
			return cli_error(c, "--keep-best: there is no stack '%.20s': the brief has "
					    "stacks 1 to %zu ('lightbox stacks BRIEF' lists them), "
					    "or say all",
					 which, s->n);
		i = v - 1;
	}
	if (store_stacks_keep_best(c->st, s, i, &rejected) != 0)
		return cli_store_fail(c);
	if (i >= 0)
		printf("stack %ld: kept #%lld, rejected %zu; 'lightbox undo' takes it back\n", i + 1,
		       (long long)s->member[s->stack[i].first].id, rejected);
	else
		printf("kept the best of every stack, rejected %zu; 'lightbox undo' takes it back\n",
		       rejected);
	return CLI_OK;
}

int cmd_stacks(struct cli *c, int argc, char **argv)
{
	const char *keep = NULL;
	struct lb_stacks s;
	struct lb_brief b;
	int64_t brief;
	long long distance = -1;
	int opt, json = 0, dist, rc = CLI_OK;
	size_t i, k, multi = 0;

	if (cli_args(c, &argc, argv, "", stacks_opts, stacks_help))
		return c->status;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", stacks_opts, NULL)) != -1) {
		switch (opt) {
		case O_DISTANCE:
			if ((distance = number(c, "--distance", optarg, 0, 32)) < 0)
				return CLI_USAGE;
			break;
		case O_KEEP: keep = optarg; break;
		case O_JSON: json = 1; break;
		default: return cli_usage(c, "unknown option");
		}
	}
	if ((rc = cli_brief_operand(c, argc, argv, &brief, &b)) != CLI_OK)
		return rc;
	cli_config_values(c, &dist, NULL);
	if (distance >= 0)
		dist = (int)distance;
	if (store_stacks(c->st, brief, dist, &s) != 0) {
		lb_brief_clear(&b);
		return cli_store_fail(c);
	}
	for (i = 0; i < s.n; i++)
		multi += s.stack[i].n > 1;
	if (keep) {
		rc = keep_best(c, &s, keep);
	} else if (json) {
		json_t *o = json_object(), *arr = json_array();

		json_object_set_new(o, "brief_id", json_integer(brief));
		json_object_set_new(o, "distance", json_integer(dist));
		json_object_set_new(o, "candidates", json_integer((json_int_t)s.nmember));
		json_object_set_new(o, "without_fingerprint", json_integer((json_int_t)s.unprinted));
		for (i = 0; i < s.n; i++)
			json_array_append_new(arr, stack_json(&s, i));
		json_object_set_new(o, "stacks", arr);
		cli_json_print(o);
	} else {
		char *title = cli_safe(b.f.title, 60);

		printf("Brief %lld: %s\n%zu candidates in %zu stacks (%zu of more than one) at "
		       "distance %d",
		       (long long)brief, title, s.nmember, s.n, multi, dist);
		if (s.unprinted)
			printf("; %zu without a fingerprint%s", s.unprinted,
			       store_fp_filler(c->st, NULL, NULL) == 1
				       ? " (being made in the background: 'lightbox fingerprint' waits for them)"
				       : "");
		printf("\n\nSTACK SIZE  MEMBERS (best first)\n");
		free(title);
		for (i = 0; i < s.n; i++) {
			const struct lb_stack_member *m = &s.member[s.stack[i].first];

			printf("%5zu %4zu  #%lld", i + 1, s.stack[i].n, (long long)m[0].id);
			for (k = 1; k < s.stack[i].n; k++)
				printf(" %lld", (long long)m[k].id);
			printf("\n");
		}
	}
	lb_stacks_free(&s);
	lb_brief_clear(&b);
	return rc;
}

void cli_doctor_fingerprints(struct cli *c, const char *dir, int fix)
{
	struct store_options o = { 0 };
	struct store *st = NULL;
	int64_t have, missing, failed, *ids;
	char *err = NULL, **why;
	size_t i, n;

	o.readonly = !fix;
	if (store_open(dir, &o, &st, &err) != 0) {
		char *vis = cli_safe(err, 0);

		printf("  %-13s not read: %s\n", "fingerprints", vis);
		free(vis);
		free(err);
		return;
	}
	if (fix) {
		struct store *keep = c->st;
		long long pixel_limit;
		size_t made, nfailed;

		cli_config_values(c, NULL, &pixel_limit);
		if (store_fp_fill(st, 0, 1, pixel_limit, NULL, &made, &nfailed) == 0)
			printf("  %-13s %zu made now, %zu could not be made\n", "fixed", made, nfailed);
		else
			printf("  %-13s not all made: %s\n", "fixed", store_errmsg(st));
		c->st = keep;
	}
	if (store_fp_counts(st, 0, &have, &missing, &failed) == 0) {
		printf("  %-13s %lld made, %lld missing, %lld failed%s\n", "fingerprints",
		       (long long)have, (long long)missing, (long long)failed,
		       missing && !fix ? " ('lightbox doctor --fix' or 'lightbox fingerprint' makes them)"
				       : "");
		{
			char *login;
			long pid;

			if (store_fp_filler(st, &login, &pid) == 1) {
				char *who = cli_safe(login ? login : "?", 0);

				printf("  %-13s being made in the background by %s (pid %ld)\n", "", who, pid);
				free(who);
			}
			free(login);
		}
		if (failed && store_fp_failures(st, 3, &ids, &why, &n) == 0) {
			for (i = 0; i < n; i++) {
				char *vis = cli_safe(why[i], 100);

				printf("  %-13s #%lld: %s\n", "", (long long)ids[i], vis);
				free(vis);
				free(why[i]);
			}
			free(ids);
			free(why);
		}
	}
	store_close(&st);
}
