/*
 * cli.c - shared plumbing of the subcommands: the store, errors, ids,
 * help, JSON and aligned tables made safe for the terminal.
 */
#include "config.h"

#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The busy policy's batch side: wait long, and say for whom. */
static void say_wait(void *arg, const char *holder)
{
	struct cli *c = arg;
	char *safe = cli_safe(holder ? holder : "another process", 0);

	fprintf(stderr, "lightbox: %s: %s is writing to the store; waiting\n", c->cmd, safe);
	free(safe);
}

/* The commands that run on a PostgreSQL store so far (issue 18): a
 * group's name alone stands for all its subcommands.  The others refuse
 * rather than half work; HACKING.md "PostgreSQL" says what is left. */
static const char *const pg_ready[] = {
	"init", "project add", "project ls", "project show", "brief add", "brief ls", "brief show",
	"candidate add", "candidate ls", "candidate show", "rate", "flag", "tag add", "tag rm",
	"tag ls", "note", "select", "unselect", "undo", "redo", "log", "export", "import", "verify",
	"view", "stats", "wins", "compare", "rank", "assign", "conflicts", "adjudicate", "fingerprint",
	"similar", "purge", "deliver", "xmp", "gc", "gen", "jobs", "relink", "stacks",
	"doctor", "demo", "brief edit", "brief blind", "project archive",
};

int cli_pg_refuses(struct cli *c, const char *cmd)
{
	char *name = store_default_dir(c->store_dir), *safe;
	int url = store_is_url(name);
	size_t i, n;

	free(name);
	if (!url)
		return 0;
	for (i = 0; i < sizeof pg_ready / sizeof pg_ready[0]; i++) {
		n = strlen(pg_ready[i]);
		if (strncmp(cmd, pg_ready[i], n) == 0 && (cmd[n] == '\0' || (cmd[n] == ' ' && !strchr(pg_ready[i], ' '))))
			return 0;
	}
	safe = cli_safe(cmd, 60);
	fprintf(stderr, "lightbox %s: not yet supported on a PostgreSQL store\n", safe);
	free(safe);
	return 1;
}

struct store *cli_store(struct cli *c, int create)
{
	struct store_options opt = { 0 };
	char *err = NULL;
	const char *sync = getenv("LIGHTBOX_SYNC");
	int distance;

	if (c->st)
		return c->st;
	if (cli_pg_refuses(c, c->cmd))
		return NULL;
	/* The stacks a query's stack: term looks at are the config's. */
	cli_config_values(c, &distance, NULL);
	store_stack_distance_default(distance);
	opt.create = create;
	opt.sync_full = sync && strcmp(sync, "full") == 0;
	if (store_open(c->store_dir, &opt, &c->st, &err) != 0) {
		fprintf(stderr, "lightbox: %s\n", err);
		free(err);
		return NULL;
	}
	store_on_wait(c->st, say_wait, c);
	return c->st;
}

int cli_brief_exists(struct cli *c, int64_t id)
{
	struct lb_brief b;

	if (store_brief_get(c->st, id, &b) != 0)
		return cli_store_fail(c);
	lb_brief_clear(&b);
	return 0;
}

int cli_brief_operand(struct cli *c, int argc, char **argv, int64_t *id, struct lb_brief *b)
{
	if (optind != argc - 1)
		return cli_usage(c, "say which brief");
	if (cli_id(c, "brief", argv[optind], id) < 0)
		return CLI_USAGE;
	if (!cli_store(c, 0))
		return CLI_FAIL;
	if (store_brief_get(c->st, *id, b) != 0)
		return cli_store_fail(c);
	return CLI_OK;
}

int cli_store_fail(struct cli *c)
{
	fprintf(stderr, "lightbox: %s: %s\n", c->cmd, store_errmsg(c->st));
	return CLI_FAIL;
}

int cli_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lightbox: %s: ", c->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

int cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lightbox: %s: ", c->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'lightbox %s --help'.\n", c->cmd);
	return CLI_USAGE;
}

int cli_query_ok(struct cli *c, const char *opt, const char *query)
{
	char *err = NULL;

	if (query == NULL || lb_query_check(query, &err) == 0)
		return 0;
	cli_usage(c, "%s: %s (see QUERIES in lightbox(1))", opt, err);
	free(err);
	return -1;
}

int cli_id(struct cli *c, const char *what, const char *s, int64_t *id)
{
	long long v;
	char *safe;

	if (s && *s == '#')
		s++;
	if (util_parse_int(s, 1, INT64_MAX, &v) == 0) {
		*id = v;
		return 0;
	}
	safe = util_visible_dup(s ? s : "", 0);
	cli_usage(c, "'%s' is not a %s id (a number like 12, as the listings print them)", safe, what);
	free(safe);
	return -1;
}

/* The long option of longopts that arg ("--name" or "--name=value") names:
 * its exact name, else the one option it abbreviates, as getopt_long
 * reads it; NULL for none or an ambiguous abbreviation. */
static const struct option *long_option(const struct option *longopts, const char *arg)
{
	const struct option *o, *found = NULL;
	size_t n = strcspn(arg + 2, "=");
	int matches = 0;

	for (o = longopts; o && o->name; o++) {
		if (strncmp(o->name, arg + 2, n) != 0)
			continue;
		if (strlen(o->name) == n)
			return o;
		found = o;
		matches++;
	}
	return matches == 1 ? found : NULL;
}

/* 1 when arg is a global option; takes it (with its value) out of argv. */
static int take_global(struct cli *c, int *argc, char **argv, int i)
{
	static const char *const names[] = { "--store", "--config", "--preview", "--assets" };
	const char **field[] = { &c->store_dir, &c->config, &c->preview, &c->assets };
	const char *arg = argv[i];
	size_t k, n, drop = 1;

	for (k = 0; k < 4; k++) {
		n = strlen(names[k]);
		if (strncmp(arg, names[k], n) != 0 || (arg[n] != '\0' && arg[n] != '='))
			continue;
		if (arg[n] == '=') {
			*field[k] = arg + n + 1;
		} else if (i + 1 < *argc) {
			*field[k] = argv[i + 1];
			drop = 2;
		} else {
			if (strcmp(c->cmd, "lightbox") == 0) { /* before the command */
				fprintf(stderr, "lightbox: %s needs a value\n", names[k]);
				c->status = CLI_USAGE;
			} else {
				c->status = cli_usage(c, "%s needs a value", names[k]);
			}
			return -1;
		}
		/* The assets folder of a PostgreSQL store reaches every
		 * connection (the interface's threads, runners) this way. */
		if (field[k] == &c->assets)
			setenv("LIGHTBOX_ASSETS", c->assets, 1);
		memmove(argv + i, argv + i + drop, (size_t)(*argc - i - (int)drop + 1) * sizeof *argv);
		*argc -= (int)drop;
		return 1;
	}
	return 0;
}

int cli_args(struct cli *c, int *argc, char **argv, const char *shortopts, const struct option *longopts,
	     const char *help)
{
	const struct option *o;
	const char *p, *s = shortopts ? shortopts : "";
	int i = 1, r, wants_help = 0, in_order = *s == '+';

	while (i < *argc) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0)
			break;
		if (arg[0] != '-' || arg[1] == '\0') { /* an operand */
			if (in_order)
				break;
			i++;
			continue;
		}
		if (arg[1] == '-') {
			r = take_global(c, argc, argv, i);
			if (r < 0)
				return 1;
			if (r > 0)
				continue;
			o = long_option(longopts, arg);
			if (o == NULL && strncmp("--help", arg, strlen(arg)) == 0 && strlen(arg) > 2)
				wants_help = 1;
			/* Its value is the next argument: skip it. */
			if (o && o->has_arg == required_argument && strchr(arg, '=') == NULL)
				i++;
			i++;
			continue;
		}
		/* A cluster of short options: -vn3, -n 3. */
		for (p = arg + 1; *p; p++) {
			const char *d = strchr(s, *p);

			if (*p == ':' || *p == '+' || d == NULL) {
				if (*p == 'h')
					wants_help = 1;
				continue;
			}
			if (d[1] == ':') {
				if (p[1] == '\0' && d[2] != ':')
					i++;
				break;
			}
		}
		i++;
	}
	if (wants_help && help) {
		c->status = cli_help(help);
		return 1;
	}
	return 0;
}

int cli_dispatch(struct cli *c, const char *group, const struct cli_sub *subs, size_t n, const char *help,
		 int argc, char **argv)
{
	char *safe;
	size_t i;

	if (argc < 2) {
		fputs(help, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cli_help(help);
	for (i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			snprintf(c->cmdbuf, sizeof c->cmdbuf, "%s %s", group, subs[i].name);
			c->cmd = c->cmdbuf;
			argc--;
			if (cli_args(c, &argc, argv + 1, subs[i].shortopts, subs[i].longopts, help))
				return c->status;
			optind = 0;
			return subs[i].fn(c, argc, argv + 1);
		}
	safe = cli_safe(argv[1], 40);
	cli_usage(c, "unknown subcommand '%s'", safe);
	free(safe);
	return CLI_USAGE;
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	return CLI_OK;
}

void cli_json_print(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	if (s) {
		puts(s);
		free(s);
	}
	json_decref(v);
}

char *cli_safe(const char *s, int width)
{
	char *vis = util_visible_dup(s ? s : "", 0), *clip;

	if (width <= 0)
		return vis;
	clip = util_clip(vis, width);
	free(vis);
	return clip;
}

/* ------------------------------------------------------------ tables */

struct cli_table {
	int ncols;
	char **heads;
	char *align; /* 'l' or 'r' per column */
	char ***rows;
	size_t nrows, cap;
};

struct cli_table *cli_table_new(int ncols, const char *const *heads, const char *align)
{
	struct cli_table *t = xcalloc(1, sizeof *t);
	int i;

	t->ncols = ncols;
	t->heads = xcalloc((size_t)ncols, sizeof *t->heads);
	for (i = 0; i < ncols; i++)
		t->heads[i] = xstrdup(heads[i]);
	t->align = xstrdup(align);
	return t;
}

void cli_table_row(struct cli_table *t, const char *const *cells)
{
	char **row = xcalloc((size_t)t->ncols, sizeof *row);
	int i;

	for (i = 0; i < t->ncols; i++)
		row[i] = cli_safe(cells[i] ? cells[i] : "", 60);
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->rows[t->nrows++] = row;
}

static void cell(FILE *out, const char *s, int width, char align, int last)
{
	int pad = width - util_width(s);

	if (align == 'r')
		fprintf(out, "%*s%s", pad > 0 ? pad : 0, "", s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%s%*s", s, pad > 0 ? pad : 0, "");
}

void cli_table_print(struct cli_table *t, FILE *out)
{
	int *w = xcalloc((size_t)t->ncols, sizeof *w), i, x;
	size_t r;

	for (i = 0; i < t->ncols; i++) {
		w[i] = util_width(t->heads[i]);
		for (r = 0; r < t->nrows; r++)
			if ((x = util_width(t->rows[r][i])) > w[i])
				w[i] = x;
	}
	for (i = 0; i < t->ncols; i++) {
		cell(out, t->heads[i], w[i], t->align[i], i == t->ncols - 1);
		fputs(i == t->ncols - 1 ? "\n" : "  ", out);
	}
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			cell(out, t->rows[r][i], w[i], t->align[i], i == t->ncols - 1);
			fputs(i == t->ncols - 1 ? "\n" : "  ", out);
		}
	free(w);
}

void cli_table_free(struct cli_table **pt)
{
	struct cli_table *t = *pt;
	size_t r;
	int i;

	if (t == NULL)
		return;
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	for (i = 0; i < t->ncols; i++)
		free(t->heads[i]);
	free(t->heads);
	free(t->rows);
	free(t->align);
	free(t);
	*pt = NULL;
}

/* ------------------------------------------------------------ JSON forms */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cli_json_candidate(const struct lb_candidate *c)
{
	json_t *o = json_object(), *tags = json_array();
	char created[32], *t, *tok, *save = NULL;

	util_iso8601(c->created, created);
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "brief_id", json_integer(c->brief_id));
	json_object_set_new(o, "brief_revision", json_integer(c->rev));
	json_object_set_new(o, "modality", json_string(lb_modality_name(c->modality)));
	json_object_set_new(o, "media_type", str_or_null(c->media_type));
	json_object_set_new(o, "sha256", str_or_null(c->sha256));
	json_object_set_new(o, "path", c->purged ? json_null() : util_json_str(c->path));
	if (c->purged) {
		char purged[32];
		util_iso8601(c->purged, purged);
		json_object_set_new(o, "purged", json_string(purged));
	}
	if (c->link)
		json_object_set_new(o, "link", json_string(c->link == 1 ? "hard" : "reflink"));
	if (c->asset_state)
		json_object_set_new(o, "file_state", json_string(c->asset_state == LB_ASSET_CHANGED ? "changed" : "missing"));
	json_object_set_new(o, "bytes", json_integer(c->bytes));
	if (c->width || c->height) {
		json_object_set_new(o, "width", json_integer(c->width));
		json_object_set_new(o, "height", json_integer(c->height));
	}
	if (c->duration > 0)
		json_object_set_new(o, "duration", json_real(c->duration));
	json_object_set_new(o, "backend", util_json_str(c->backend));
	json_object_set_new(o, "model", util_json_str(c->model));
	json_object_set_new(o, "seed", c->has_seed ? json_integer(c->seed) : json_null());
	json_object_set_new(o, "prompt", util_json_str(c->prompt));
	json_object_set_new(o, "negative_prompt", util_json_str(c->negative));
	json_object_set_new(o, "parameters", util_json_params(c->params));
	json_object_set_new(o, "parent_id", c->parent_id ? json_integer(c->parent_id) : json_null());
	json_object_set_new(o, "job_id", c->job_id ? json_integer(c->job_id) : json_null());
	json_object_set_new(o, "source", util_json_str(c->source));
	json_object_set_new(o, "created", json_string(created));
	if (c->body) {
		json_object_set_new(o, "text", util_json_str(c->body));
		/* Lists carry a prefix of a long body; `candidate show` the whole. */
		if ((int64_t)strlen(c->body) < c->bytes)
			json_object_set_new(o, "text_truncated", json_true());
	}
	json_object_set_new(o, "my_stars", c->my_stars >= 0 ? json_integer(c->my_stars) : json_null());
	json_object_set_new(o, "my_flag", json_string(lb_flag_name(c->my_flag)));
	json_object_set_new(o, "mean_stars", c->n_ratings ? json_real(round(c->mean_stars * 100) / 100) : json_null());
	json_object_set_new(o, "ratings", json_integer(c->n_ratings));
	json_object_set_new(o, "picks", json_integer(c->n_picks));
	json_object_set_new(o, "rejects", json_integer(c->n_rejects));
	json_object_set_new(o, "selected", json_boolean(c->selected));
	t = xstrdup(c->tags ? c->tags : "");
	for (tok = strtok_r(t, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(tags, util_json_str(tok));
	free(t);
	json_object_set_new(o, "tags", tags);
	return o;
}

json_t *cli_json_brief(const struct lb_brief *b)
{
	json_t *o = json_object();
	char created[32], updated[32];

	util_iso8601(b->created, created);
	util_iso8601(b->updated, updated);
	json_object_set_new(o, "id", json_integer(b->id));
	json_object_set_new(o, "project_id", json_integer(b->project_id));
	json_object_set_new(o, "title", util_json_str(b->f.title));
	json_object_set_new(o, "modality", json_string(lb_modality_name(b->f.modality)));
	json_object_set_new(o, "revision", json_integer(b->rev));
	json_object_set_new(o, "blind", json_boolean(b->blind));
	json_object_set_new(o, "prompt", util_json_str(b->f.prompt));
	json_object_set_new(o, "negative_prompt", util_json_str(b->f.negative));
	json_object_set_new(o, "parameters", util_json_params(b->f.params));
	json_object_set_new(o, "constraints", util_json_str(b->f.constraints));
	json_object_set_new(o, "references", util_json_str(b->f.refs));
	json_object_set_new(o, "backend", util_json_str(b->f.backend));
	json_object_set_new(o, "archived", json_boolean(b->archived));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "updated", json_string(updated));
	json_object_set_new(o, "candidates", json_integer(b->n_candidates));
	json_object_set_new(o, "rated_by_me", json_integer(b->n_rated_by_me));
	json_object_set_new(o, "picked", json_integer(b->n_picked));
	json_object_set_new(o, "selected", json_integer(b->n_selected));
	return o;
}
