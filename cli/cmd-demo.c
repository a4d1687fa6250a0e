/*
 * cmd-demo.c - lightbox demo [--store DIR]: builds a demo store with the
 * builtin backend (no key, no network): a project with image, text and
 * audio briefs, a few rounds of candidates including a brief revision
 * and a variation, ratings and flags from two curators, tags, notes, and
 * a selection with its integration note.  Then says how to open it; on
 * a terminal, lightbox.c opens the interface on it (cli/ does not depend
 * on tui/).
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/backend.h"
#include "util.h"

static const char help[] =
	"Usage: lightbox demo [--store DIR|URL]\n"
	"\n"
	"Builds a demo store (default $XDG_DATA_HOME/lightbox-demo, whatever\n"
	"LIGHTBOX_STORE says; --store a PostgreSQL URL of a database with no project\n"
	"yet puts it there, its files in --assets DIR) with the offline\n"
	"builtin backend: a project with image, text and audio briefs, rounds of\n"
	"candidates (a brief revision, a variation), ratings from two curators, tags,\n"
	"notes and a selection.  An existing demo store is left as it is.  On a\n"
	"terminal the interface then opens on it: + on a brief generates more with\n"
	"builtin (no network, no key), J shows the jobs.  Otherwise open it with\n"
	"'lightbox --store DIR'.\n";

#define DEMO_NAME "Harbour Lights café"

char *cli_demo_project(void)
{
	return util_slug(DEMO_NAME);
}

char *cli_demo_dir(const struct cli *c)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (c->store_dir)
		return xstrdup(c->store_dir);
	if (x && *x)
		return xasprintf("%s/lightbox-demo", x);
	return xasprintf("%s/.local/share/lightbox-demo", home && *home ? home : ".");
}

struct demo {
	struct cli *c;
	struct store *ana, *ben;
	struct backend_registry *reg;
	struct runner *r;
	int64_t project, hero, texture, tagline, sound;
};

static int fail_store(struct demo *d, struct store *st)
{
	return cli_error(d->c, "%s", store_errmsg(st));
}

static int brief(struct demo *d, const char *title, int modality, const char *prompt, const char *negative,
		 const char *params, const char *constraints, int64_t *id)
{
	struct lb_brief_fields f;

	memset(&f, 0, sizeof f);
	f.title = (char *)title;
	f.modality = modality;
	f.prompt = (char *)prompt;
	f.negative = (char *)(negative ? negative : "");
	f.params = (char *)params;
	f.constraints = (char *)(constraints ? constraints : "");
	f.refs = (char *)"";
	f.backend = (char *)"builtin";
	return store_brief_add(d->ana, d->project, &f, id) == 0 ? 0 : fail_store(d, d->ana);
}

/* Queues a builtin job; 0 and its id in ids[*n]. */
static int queue(struct demo *d, int64_t brief_id, int count, int64_t seed, int kind, int64_t parent,
		 int64_t *ids, size_t *n)
{
	struct backend_gen g;
	char *err = NULL;

	memset(&g, 0, sizeof g);
	g.backend = "builtin";
	g.count = count;
	g.seed_mode = BACKEND_SEED_STEP;
	g.seed = seed;
	g.kind = kind;
	g.parent_id = parent;
	if (backend_submit(d->ana, d->reg, brief_id, &g, &ids[*n], &err) < 0) {
		cli_error(d->c, "%s", err);
		free(err);
		return CLI_FAIL;
	}
	(*n)++;
	return 0;
}

static int wait_all(struct demo *d, const int64_t *ids, size_t n)
{
	char *err = NULL;
	size_t i;
	int rc;

	runner_kick(d->r);
	rc = runner_wait(d->r, d->ana, ids, n, -1, NULL, NULL, &err);
	if (rc != 0) {
		cli_error(d->c, "%s", err ? err : "interrupted");
		free(err);
		return CLI_FAIL;
	}
	for (i = 0; i < n; i++) {
		struct lb_job j;
		if (store_job_get(d->ana, ids[i], &j) != 0)
			return fail_store(d, d->ana);
		rc = j.state == LB_JOB_DONE ? 0 : cli_error(d->c, "demo job #%lld failed: %s", (long long)j.id, j.error);
		lb_job_clear(&j);
		if (rc)
			return rc;
	}
	return 0;
}

/* The ids of a brief's candidates, oldest first (at most max). */
static size_t candidates(struct demo *d, int64_t brief_id, int64_t *out, size_t max)
{
	struct lb_filter f;
	struct lb_candidate_list l;
	size_t i, n = 0;

	memset(&f, 0, sizeof f);
	memset(&l, 0, sizeof l);
	f.brief_id = brief_id;
	if (store_candidate_page(d->ana, &f, LB_SORT_OLDEST, NULL, 0, (int)max, &l) != 0)
		return 0;
	for (i = 0; i < l.n && n < max; i++)
		out[n++] = l.v[i].id;
	lb_candidate_list_free(&l);
	return n;
}

static int build(struct demo *d)
{
	int64_t jobs[16], hero[16], tag[16], snd[8], tex[8], nid;
	size_t nj = 0, nh, nt, ns, nx, i, k;
	struct lb_candidate_list kids;
	struct lb_brief b;
	int changed = 0, rc;

	if (store_project_add(d->ana, DEMO_NAME,
			      "Relaunch of a seaside café: a hero image for the website, a menu texture, a tagline "
			      "and a short sonic logo.",
			      &d->project) != 0)
		return fail_store(d, d->ana);
	if ((rc = brief(d, "Hero image", LB_IMAGE, "warm amber lighthouse café at dusk, soft plasma glow over the sea",
			"text, watermark", "{\"width\": 640, \"height\": 400}",
			"landscape; leave the left third calm for the headline", &d->hero)) ||
	    (rc = brief(d, "Menu texture", LB_IMAGE, "voronoi mosaic of sea glass, teal and sand", NULL,
			"{\"width\": 384, \"height\": 384}", "tileable feel, low contrast behind text", &d->texture)) ||
	    (rc = brief(d, "Tagline", LB_TEXT, "tagline for the café relaunch: lighthouse, coffee, harbour evenings",
			NULL, "{}", "max 8 words; no exclamation marks", &d->tagline)) ||
	    (rc = brief(d, "Sonic logo", LB_AUDIO, "gentle harbour bed, warm and slow", NULL, "{\"duration\": 3}",
			"under 4 seconds; ends softly", &d->sound)))
		return rc;
	printf("demo: round 1 (builtin: procedural, not a model)...\n");
	fflush(stdout);
	if ((rc = queue(d, d->hero, 4, 100, BACKEND_GENERATE, 0, jobs, &nj)) ||
	    (rc = queue(d, d->texture, 3, 7, BACKEND_GENERATE, 0, jobs, &nj)) ||
	    (rc = queue(d, d->tagline, 6, 40, BACKEND_GENERATE, 0, jobs, &nj)) ||
	    (rc = queue(d, d->sound, 3, 11, BACKEND_GENERATE, 0, jobs, &nj)) || (rc = wait_all(d, jobs, nj)))
		return rc;
	nh = candidates(d, d->hero, hero, 16);
	nt = candidates(d, d->tagline, tag, 16);
	if (nh < 4 || nt < 6)
		return cli_error(d->c, "the demo's first round made too few candidates");
	/* Round 2: the brief is revised, then a variation of the best. */
	if (store_brief_get(d->ana, d->hero, &b) != 0)
		return fail_store(d, d->ana);
	free(b.f.prompt);
	b.f.prompt = xstrdup("warm amber lighthouse café at dusk, gradient sky fading into the sea, calm");
	rc = store_brief_edit(d->ana, d->hero, &b.f, &changed);
	lb_brief_clear(&b);
	if (rc != 0)
		return fail_store(d, d->ana);
	printf("demo: round 2 (a revised brief and a variation)...\n");
	fflush(stdout);
	nj = 0;
	if ((rc = queue(d, d->hero, 4, 200, BACKEND_GENERATE, 0, jobs, &nj)) ||
	    (rc = queue(d, d->hero, 2, 300, BACKEND_VARIATION, hero[1], jobs, &nj)) ||
	    (rc = queue(d, d->tagline, 2, 90, BACKEND_VARIATION, tag[4], jobs, &nj)) || (rc = wait_all(d, jobs, nj)))
		return rc;
	nh = candidates(d, d->hero, hero, 16);
	nt = candidates(d, d->tagline, tag, 16);
	ns = candidates(d, d->sound, snd, 8);
	/* The variations of hero[1] go last: the curation below picks them. */
	if (store_candidate_children(d->ana, hero[1], &kids) != 0 || kids.n != 2)
		return cli_error(d->c, "the demo's variations are missing");
	for (i = 0, k = 0; i < nh; i++)
		if (hero[i] != kids.v[0].id && hero[i] != kids.v[1].id)
			hero[k++] = hero[i];
	hero[k++] = kids.v[0].id;
	hero[k++] = kids.v[1].id;
	lb_candidate_list_free(&kids);
	nx = candidates(d, d->texture, tex, 8);
	if (nh < 10 || nt < 8 || ns < 3 || nx < 3)
		return cli_error(d->c, "the demo made fewer candidates than planned");
	/* Ana's curation. */
	if (store_rate(d->ana, hero[0], 3) || store_rate(d->ana, hero[1], 5) || store_flag(d->ana, hero[1], LB_FLAG_PICK) ||
	    store_rate(d->ana, hero[2], 2) || store_flag(d->ana, hero[3], LB_FLAG_REJECT) ||
	    store_rate(d->ana, hero[8], 4) || store_rate(d->ana, hero[9], 5) ||
	    store_flag(d->ana, hero[9], LB_FLAG_PICK) || store_rate(d->ana, tag[0], 4) || store_rate(d->ana, tag[2], 2) ||
	    store_rate(d->ana, tag[4], 5) || store_flag(d->ana, tag[4], LB_FLAG_PICK) || store_rate(d->ana, snd[1], 4) ||
	    store_rate(d->ana, tex[0], 3) || store_tag_add(d->ana, hero[1], "warm") ||
	    store_tag_add(d->ana, hero[9], "hero") || store_tag_add(d->ana, hero[9], "warm") ||
	    store_tag_add(d->ana, hero[2], "too-busy") || store_tag_add(d->ana, tag[4], "shortlist") ||
	    store_note_add(d->ana, LB_ON_CANDIDATE, hero[1], LB_NOTE_COMMENT,
			   "The glow works; the horizon sits too high for the headline.", &nid) ||
	    store_note_add(d->ana, LB_ON_CANDIDATE, hero[9], LB_NOTE_EDIT,
			   "Cropped 16:9 and lifted the shadows by 10%.", &nid) ||
	    store_note_add(d->ana, LB_ON_BRIEF, d->hero, LB_NOTE_COMMENT,
			   "Revision 2 asks for a calmer sky after the first round felt busy.", &nid))
		return fail_store(d, d->ana);
	/* Ben's, to disagree a little. */
	if (store_rate(d->ben, hero[1], 4) || store_rate(d->ben, hero[9], 4) || store_rate(d->ben, hero[5], 5) ||
	    store_flag(d->ben, hero[5], LB_FLAG_PICK) || store_rate(d->ben, tag[4], 3) || store_rate(d->ben, tag[1], 5) ||
	    store_flag(d->ben, tag[1], LB_FLAG_PICK) || store_rate(d->ben, snd[1], 5) || store_rate(d->ben, snd[0], 2) ||
	    store_tag_add(d->ben, hero[5], "alt-hero") ||
	    store_note_add(d->ben, LB_ON_CANDIDATE, tag[1], LB_NOTE_COMMENT, "Reads better out loud than the pick.",
			   &nid))
		return fail_store(d, d->ben);
	if (store_select(d->ana, hero[9], "website hero, 1440 px banner",
			 "Cropped 16:9, headline set in the left third; exported to site/assets/hero.png") ||
	    store_select(d->ana, tag[4], "homepage headline and menu cover",
			 "Set in the display face under the hero; 7 words, fits one line at 1440 px") ||
	    store_select(d->ana, snd[1], "end of the launch video", "Placed at 00:28, faded in over 0.5 s"))
		return fail_store(d, d->ana);
	return 0;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
	struct store_options so = { 0 };
	struct runner_options ro = { 0 };
	struct demo d;
	char *dir, *err = NULL, *db;
	struct stat sb;
	int64_t existing = 0;
	int rc, url;
	char *shown;

	if (cli_args(c, &argc, argv, NULL, NULL, help))
		return c->status;
	if (argc != 1)
		return cli_usage(c, "unexpected argument");
	memset(&d, 0, sizeof d);
	d.c = c;
	dir = cli_demo_dir(c);
	url = store_is_url(dir);
	/* what it says: a URL without its password */
	shown = url ? store_url_safe(dir) : xstrdup(dir);
	db = xasprintf("%s/lightbox.db", dir);
	so.create = 1;
	so.curator = "ana";
	if (url || stat(db, &sb) == 0) {
		/* A PostgreSQL database is made by its server: the demo goes
		 * into it when it holds no project yet. */
		struct lb_project_list pl = { 0 };

		so.create = url;
		if (store_open(dir, &so, &d.ana, &err) != 0) {
			rc = cli_error(c, "%s", err);
			goto out;
		}
		char *slug = util_slug(DEMO_NAME);
		int found = store_project_find(d.ana, slug, &existing) == 0, empty = 0;

		free(slug);
		if (!found && url && store_project_list(d.ana, 1, &pl) == 0)
			empty = pl.n == 0;
		lb_project_list_free(&pl);
		if (found) {
			printf("The demo store is already at %s\nOpen it with: lightbox --store %s\n", shown, shown);
			rc = CLI_OK;
			goto out;
		} else if (!empty) {
			rc = cli_error(c, "%s holds a store that is not the demo — choose another %s with --store",
				       shown, url ? "database" : "folder");
			goto out;
		}
	} else if (store_open(dir, &so, &d.ana, &err) != 0) {
		rc = cli_error(c, "%s", err);
		goto out;
	}
	so.create = 0;
	so.curator = "ben";
	if (store_open(dir, &so, &d.ben, &err) != 0) {
		rc = cli_error(c, "%s", err);
		goto out;
	}
	d.reg = backend_registry_new();
	ro.store_dir = dir;
	ro.curator = "ana";
	ro.reg = d.reg;
	ro.notify_fd = -1;
	if (runner_start(&ro, &d.r, &err) < 0) {
		rc = cli_error(c, "cannot start the job runner: %s", err);
		goto out;
	}
	rc = build(&d);
	runner_stop(&d.r);
	if (rc == 0) {
		struct lb_project p;
		if (store_project_get(d.ana, d.project, &p) == 0) {
			printf("Demo store ready at %s: 1 project, %lld briefs, %lld candidates, rated by ana and ben.\n",
			       shown, (long long)p.n_briefs, (long long)p.n_candidates);
			lb_project_clear(&p);
		}
		printf("Open it with: lightbox --store %s\n", shown);
	}
out:
	runner_stop(&d.r);
	backend_registry_free(&d.reg);
	store_close(&d.ben);
	store_close(&d.ana);
	free(err);
	free(db);
	free(shown);
	free(dir);
	return rc;
}
