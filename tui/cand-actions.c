/*
 * cand-actions.c - what can be done to candidates, shared by the candidate
 * list and the detail view: rate, flag, tag and untag, notes (one line or
 * in $EDITOR), editing a text candidate (the edit becomes a child), editing
 * the brief (a new revision), selecting for the project, playing media.
 *
 * Every change goes to the writer thread (writer.c), which saves it
 * while the screen goes on.  With marks in the list, ratings, flags,
 * tags, notes and selections apply to every marked candidate: in chunks,
 * one undo step, with progress, cancellable (C-c).
 */
#include "config.h"

#include "tui-private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The writer saved a change made here (or could not): the view reads
 * the row, or the list after a bulk change, again. */
static void saved(struct view *v, const struct wr_op *op)
{
	const struct cand_actions *ca = op->ctx;

	(void)v;
	if (ca->list && !op->bulk && op->n == 1)
		list_refresh_row(ca->list, op->ids[0]);
	ca->changed(ca->v, op->bulk ? CHANGED_LIST : 0);
}

/* Collects the marked ids into op. */
static int add_marked(int64_t id, void *arg)
{
	wr_op_add_id(arg, id);
	return 0;
}

/* Hands op to the writer for the marked candidates (a bulk change: in
 * chunks, one undo step) or the current one.  The rows show it at once,
 * pending; the writer says when it is saved or why not.  Returns 0, or
 * -1 after saying why (op is freed then). */
static int apply(const struct cand_actions *ca, struct wr_op *op, int *bulk)
{
	struct tui *ui = ca->v->ui;
	int64_t id;

	*bulk = ca->list && list_has_marks(ca->list);
	if (*bulk) {
		op->bulk = 1;
		if (list_marked_each(ca->list, add_marked, op) != 0 || op->n == 0) {
			tui_error(ui, "%s: cannot read the marked candidates: %s", op->label,
				  ca->list->err ? ca->list->err : "none left in the list");
			wr_op_free(op);
			return -1;
		}
	} else {
		id = ca->current(ca->v);
		if (id == 0) {
			tui_msg(ui, "no candidate here");
			wr_op_free(op);
			return -1;
		}
		wr_op_add_id(op, id);
	}
	op->on_done = saved;
	op->owner = ca->v->owner;
	op->ctx = xmalloc(sizeof *ca);
	memcpy(op->ctx, ca, sizeof *ca);
	wr_submit(ui, op);
	return 0;
}

static void split_words(const char *s, char ***out, size_t *n)
{
	const char *p = s, *e;

	*out = NULL;
	*n = 0;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e && *e != ' ' && *e != ',' && *e != '\t'; e++)
			;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = xstrndup(p, (size_t)(e - p));
		p = e;
	}
}

/* ------------------------------------------------------------ prompts */

/* What a prompt's callback needs to find its way back. */
struct pending {
	struct cand_actions ca;
	enum km_action action;
	char *text;            /* a bulk action's argument, kept for its confirmation */
	char *use;             /* select: the intended use typed first */
	char **tags;           /* untag: the candidate's tags offered */
	size_t ntags;
	const char **words;    /* pipe: the config's pipe names offered */
};

static void pending_free(void *arg)
{
	struct pending *p = arg;

	free(p->text);
	free(p->use);
	store_strv_free(&p->tags, p->ntags);
	free(p->words);
	free(p);
}

static struct pending *pending_new(const struct cand_actions *ca, enum km_action a)
{
	struct pending *p = xcalloc(1, sizeof *p);

	p->ca = *ca;
	p->action = a;
	return p;
}

static int run_action(const struct cand_actions *ca, enum km_action a, const char *arg);
static int run_action_confirmed(const struct cand_actions *ca, enum km_action a, const char *arg, int confirmed);
static int pipe_to(const struct cand_actions *ca, const char *command);

static void prompt_done(struct tui *ui, void *arg, const char *text)
{
	struct pending *p = arg;

	if (p->action != KM_A_SELECT && *text == '\0')
		return;
	if (p->action == KM_A_PIPE)
		ui->dirty |= pipe_to(&p->ca, text);
	else
		ui->dirty |= run_action(&p->ca, p->action, text);
}

static void select_use_done(struct tui *ui, void *arg, const char *text);
static void select_note_done(struct tui *ui, void *arg, const char *text);

static void ask(const struct cand_actions *ca, enum km_action a, const char *label, int complete, int hist,
		const char *init)
{
	struct prompt_spec ps;

	memset(&ps, 0, sizeof ps);
	ps.label = label;
	ps.init = init;
	ps.complete = complete;
	ps.history = hist;
	ps.accept = prompt_done;
	ps.arg = pending_new(ca, a);
	ps.arg_free = pending_free;
	ps.brief_id = tui_brief_id(ca->v->ui);
	prompt_open(ca->v->ui, &ps);
}

/* The selection record of a candidate (use and note), if selected. */
static int current_selection(struct tui *ui, int64_t cand, char **use, char **note)
{
	struct lb_candidate c;
	struct lb_brief b;
	struct lb_selection_list sl;
	size_t i;
	int found = 0;

	*use = *note = NULL;
	if (store_candidate_get(ui->st, cand, &c) != 0)
		return 0;
	if (c.selected && store_brief_get_light(ui->st, c.brief_id, &b) == 0) {
		if (store_selections(ui->st, b.project_id, &sl) == 0) {
			for (i = 0; i < sl.n; i++) {
				if (sl.v[i].candidate_id == cand) {
					*use = xstrdup(sl.v[i].intended_use);
					*note = xstrdup(sl.v[i].integration);
					found = 1;
				}
			}
			lb_selection_list_free(&sl);
		}
		lb_brief_clear(&b);
	}
	lb_candidate_clear(&c);
	return found;
}

static void select_use_done(struct tui *ui, void *arg, const char *text)
{
	struct pending *p = arg, *q;
	struct prompt_spec ps;
	char *use = NULL, *note = NULL;
	int64_t id = p->ca.current(p->ca.v);

	current_selection(ui, id, &use, &note);
	q = pending_new(&p->ca, KM_A_SELECT);
	q->use = xstrdup(text);
	memset(&ps, 0, sizeof ps);
	ps.label = "integration note (how it is used): ";
	ps.init = note;
	ps.history = HIST_NOTE;
	ps.accept = select_note_done;
	ps.arg = q;
	ps.arg_free = pending_free;
	prompt_open(ui, &ps);
	free(use);
	free(note);
}

static void select_note_done(struct tui *ui, void *arg, const char *text)
{
	struct pending *p = arg;
	struct wr_op *op = wr_op_new(WR_SELECT, "select");
	int bulk;

	op->text = xstrdup(p->use ? p->use : "");
	op->text2 = xstrdup(text);
	if (apply(&p->ca, op, &bulk) != 0)
		return;
	if (!bulk)
		p->ca.changed(p->ca.v, CHANGED_ROW);
	ui->dirty |= R_REDRAW;
}

static int ask_select(const struct cand_actions *ca, const char *arg)
{
	struct tui *ui = ca->v->ui;
	struct prompt_spec ps;
	char *use = NULL, *note = NULL;
	int64_t id = ca->current(ca->v);

	if (id == 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	if (arg) {
		/* ":select USE | NOTE" */
		struct pending *p = pending_new(ca, KM_A_SELECT);
		const char *bar = strchr(arg, '|');
		char *u = bar ? xstrndup(arg, (size_t)(bar - arg)) : xstrdup(arg);
		size_t n = strlen(u);
		while (n && u[n - 1] == ' ')
			u[--n] = '\0';
		p->use = u;
		bar = bar ? bar + 1 : "";
		while (*bar == ' ')
			bar++;
		select_note_done(ui, p, bar);
		pending_free(p);
		return R_REDRAW;
	}
	current_selection(ui, id, &use, &note);
	memset(&ps, 0, sizeof ps);
	ps.label = "intended use: ";
	ps.init = use;
	ps.history = HIST_OTHER;
	ps.accept = select_use_done;
	ps.arg = pending_new(ca, KM_A_SELECT);
	ps.arg_free = pending_free;
	prompt_open(ui, &ps);
	free(use);
	free(note);
	return R_REDRAW;
}

static int ask_untag(const struct cand_actions *ca)
{
	struct tui *ui = ca->v->ui;
	struct lb_candidate c;
	struct prompt_spec ps;
	struct pending *p;
	int64_t id = ca->current(ca->v);

	memset(&ps, 0, sizeof ps);
	ps.label = "untag: ";
	ps.history = HIST_TAG;
	ps.accept = prompt_done;
	p = pending_new(ca, KM_A_UNTAG);
	if (ca->list && list_has_marks(ca->list)) {
		ps.complete = CPL_TAGS;
	} else {
		if (id == 0 || store_candidate_get(ui->st, id, &c) != 0) {
			pending_free(p);
			tui_msg(ui, "no candidate here");
			return R_REDRAW;
		}
		if (*c.tags == '\0') {
			tui_msg(ui, "#%lld has no tags", (long long)id);
			lb_candidate_clear(&c);
			pending_free(p);
			return R_REDRAW;
		}
		split_words(c.tags, &p->tags, &p->ntags);
		p->tags = xrealloc(p->tags, (p->ntags + 1) * sizeof *p->tags);
		p->tags[p->ntags] = NULL;
		ps.complete = CPL_WORDS;
		ps.words = (const char *const *)p->tags;
		/* One tag: offer it right away. */
		if (p->ntags == 1)
			ps.init = p->tags[0];
		lb_candidate_clear(&c);
	}
	ps.arg = p;
	ps.arg_free = pending_free;
	prompt_open(ui, &ps);
	return R_REDRAW;
}

/* ------------------------------------------------------------ editing */

static char *trim_dup(const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

struct note_target {
	int target;
	int64_t id;
};

/* A note saved by the writer (in order with the changes typed before). */
static void submit_note(struct tui *ui, int target, int64_t target_id, const char *body)
{
	static const char *const what[] = { "note on the project", "note on the brief", "note" };
	struct wr_op *op = wr_op_new(WR_NOTE, what[target]);

	op->target = target;
	op->text = xstrdup(body);
	wr_op_add_id(op, target_id);
	wr_submit(ui, op);
}

static void note_accept(struct tui *ui, void *arg, const char *text)
{
	struct note_target *nt = arg;

	if (*text == '\0')
		return;
	submit_note(ui, nt->target, nt->id, text);
}

int tui_note(struct tui *ui, int target, int64_t target_id, const char *text, const char *label)
{
	struct prompt_spec ps;
	struct note_target *nt;

	if (target_id == 0)
		return R_REDRAW;
	nt = xmalloc(sizeof *nt);
	nt->target = target;
	nt->id = target_id;
	memset(&ps, 0, sizeof ps);
	ps.label = label;
	ps.history = HIST_NOTE;
	ps.accept = note_accept;
	ps.arg = nt;
	ps.arg_free = free;
	prompt_or_text(ui, &ps, text);
	return R_REDRAW;
}

int tui_long_note(struct tui *ui, int target, int64_t target_id)
{
	char *text = NULL, *err = NULL, *body;

	if (tui_edit_text(ui, "", "note", &text, &err) != 0) {
		tui_error(ui, "note not saved: %s", err ? err : "the editor failed");
		free(err);
		free(text);
		return R_REDRAW | R_FULL;
	}
	body = trim_dup(text);
	if (*body == '\0')
		tui_msg(ui, "empty note: nothing saved");
	else
		submit_note(ui, target, target_id, body);
	free(body);
	free(text);
	return R_REDRAW | R_FULL | R_RELOAD;
}

/* ------------------------------------------------------------ briefs and edits, through the writer */

/* A brief written in $EDITOR (a new one, or a new revision of one), or a
 * text candidate's edit, on its way to the writer: saved on the writer's
 * thread, so the interface never waits for the write lock; refused, the
 * text is kept and offered again by the same key. */
struct text_save {
	int64_t id;                /* the brief edited; the project of a new brief; the candidate edited */
	int rev;                   /* the brief's revision edited */
	struct lb_brief_fields f;  /* parsed (briefs) */
	char *text;                /* as written */
	char *curator;
	int changed;
};

static void text_save_free(void *p)
{
	struct text_save *ts = p;

	lb_brief_fields_clear(&ts->f);
	free(ts->text);
	free(ts->curator);
	free(ts);
}

static struct wr_op *text_save_op(int64_t id, char *text, const char *label)
{
	struct wr_op *op = wr_op_new(WR_CALL, label);
	struct text_save *ts = xcalloc(1, sizeof *ts);

	ts->id = id;
	ts->text = text;
	op->ctx = ts;
	op->free_ctx = text_save_free;
	return op;
}

/* The text of a refused save, offered again (key: the brief, -project,
 * or the candidate with ui->edit_retry_id). */
static void keep_brief_text(struct tui *ui, struct text_save *ts, int64_t key)
{
	free(ui->brief_retry);
	ui->brief_retry = ts->text;
	ui->brief_retry_id = key;
	ts->text = NULL;
}

static int brief_edit_call(struct store *st, struct wr_op *op)
{
	struct text_save *ts = op->ctx;

	return store_brief_edit(st, ts->id, &ts->f, &ts->changed);
}

static void brief_edit_saved(struct tui *ui, struct wr_op *op)
{
	struct text_save *ts = op->ctx;

	if (op->rc) {
		keep_brief_text(ui, ts, ts->id);
		tui_error(ui, "brief #%lld not saved: %s; edit-brief opens your text again", (long long)ts->id,
			  op->err);
	} else if (!ts->changed) {
		tui_msg(ui, "brief unchanged: no new revision");
	} else {
		tui_msg(ui, "brief #%lld saved as revision %d", (long long)ts->id, ts->rev + 1);
	}
}

int tui_edit_brief(struct tui *ui, int64_t brief_id)
{
	struct lb_brief b;
	struct lb_brief_fields f;
	struct wr_op *op;
	char *text, *edited = NULL, *err = NULL;
	int r = R_REDRAW | R_FULL;

	if (brief_id == 0) {
		tui_msg(ui, "no brief here");
		return R_REDRAW;
	}
	if (store_brief_get_light(ui->st, brief_id, &b) != 0) {
		tui_store_error(ui, "edit-brief");
		return R_REDRAW;
	}
	if (ui->brief_retry && ui->brief_retry_id == brief_id)
		text = xstrdup(ui->brief_retry);
	else
		text = store_brief_to_text(&b);
	if (tui_edit_text(ui, text, b.f.title, &edited, &err) != 0) {
		tui_error(ui, "brief not saved: %s", err ? err : "the editor failed");
		goto out;
	}
	memset(&f, 0, sizeof f);
	if (store_brief_from_text(edited, &f, &err) != 0) {
		free(ui->brief_retry);
		ui->brief_retry = edited;
		ui->brief_retry_id = brief_id;
		edited = NULL;
		tui_error(ui, "brief not saved: %s; edit-brief opens your text again", err);
		goto out;
	}
	xfree(&ui->brief_retry);
	ui->brief_retry_id = 0;
	op = text_save_op(brief_id, edited, "edit-brief");
	edited = NULL;
	((struct text_save *)op->ctx)->f = f;
	((struct text_save *)op->ctx)->rev = b.rev;
	op->call = brief_edit_call;
	op->on_saved = brief_edit_saved;
	op->pending = xasprintf("brief #%lld: saving…", (long long)brief_id);
	tui_msg(ui, "%s", op->pending);
	wr_submit(ui, op);
out:
	free(err);
	free(edited);
	free(text);
	lb_brief_clear(&b);
	return r;
}

static int brief_add_call(struct store *st, struct wr_op *op)
{
	struct text_save *ts = op->ctx;

	return store_brief_add(st, ts->id, &ts->f, &op->new_id);
}

static void brief_add_saved(struct tui *ui, struct wr_op *op)
{
	struct text_save *ts = op->ctx;

	if (op->rc) {
		keep_brief_text(ui, ts, -ts->id);
		tui_error(ui, "brief not saved: %s; brief-add opens your text again", op->err);
	} else {
		tui_msg(ui, "brief #%lld added", (long long)op->new_id);
	}
}

int tui_add_brief(struct tui *ui, int64_t project_id, struct view *v, void (*on_done)(struct view *v,
										     const struct wr_op *op))
{
	struct lb_brief b;
	struct lb_brief_fields f;
	struct wr_op *op;
	char *text, *edited = NULL, *err = NULL, *nl;
	int r = R_REDRAW | R_FULL;

	if (project_id == 0) {
		tui_msg(ui, "open a project first");
		return R_REDRAW;
	}
	if (ui->brief_retry && ui->brief_retry_id == -project_id) {
		text = xstrdup(ui->brief_retry);
	} else {
		memset(&b, 0, sizeof b);
		b.f.title = (char *)"";
		b.f.params = (char *)"{}";
		text = store_brief_to_text(&b);
		/* The first comment line names a brief that does not exist yet. */
		nl = strchr(text, '\n');
		if (nl) {
			char *t = xasprintf("# A new brief: give it a title and a prompt.%s", nl);
			free(text);
			text = t;
		}
	}
	if (tui_edit_text(ui, text, "new brief", &edited, &err) != 0) {
		tui_error(ui, "brief not saved: %s", err ? err : "the editor failed");
		goto out;
	}
	if (strcmp(edited, text) == 0) {
		tui_msg(ui, "nothing written: no brief made");
		goto out;
	}
	memset(&f, 0, sizeof f);
	if (store_brief_from_text(edited, &f, &err) != 0) {
		free(ui->brief_retry);
		ui->brief_retry = edited;
		ui->brief_retry_id = -project_id;
		edited = NULL;
		tui_error(ui, "brief not saved: %s; brief-add opens your text again", err);
		lb_brief_fields_clear(&f);
		goto out;
	}
	xfree(&ui->brief_retry);
	ui->brief_retry_id = 0;
	op = text_save_op(project_id, edited, "brief-add");
	edited = NULL;
	((struct text_save *)op->ctx)->f = f;
	op->call = brief_add_call;
	op->on_saved = brief_add_saved;
	op->on_done = on_done;
	op->owner = v ? v->owner : 0;
	op->pending = xstrdup("new brief: saving…");
	tui_msg(ui, "%s", op->pending);
	wr_submit(ui, op);
out:
	free(err);
	free(edited);
	free(text);
	return r;
}

/* An edit of a text candidate: a child candidate with the new text. */
static int cand_edit_call(struct store *st, struct wr_op *op)
{
	struct text_save *ts = op->ctx;
	struct lb_candidate c;
	struct lb_candidate_input in;
	char *source;
	int rc;

	rc = store_candidate_get(st, ts->id, &c);
	if (rc)
		return rc;
	memset(&in, 0, sizeof in);
	source = xasprintf("edit of #%lld by %s", (long long)ts->id, ts->curator);
	in.brief_id = c.brief_id;
	in.revision_id = c.revision_id;
	in.body = ts->text;
	in.backend = "edit";
	in.model = c.model;
	in.prompt = c.prompt;
	in.negative = c.negative;
	in.params = c.params;
	in.parent_id = ts->id;
	in.source = source;
	rc = store_candidate_add(st, &in, &op->new_id);
	free(source);
	lb_candidate_clear(&c);
	return rc;
}

static void cand_edit_saved(struct tui *ui, struct wr_op *op)
{
	struct text_save *ts = op->ctx;

	if (op->rc) {
		free(ui->edit_retry);
		ui->edit_retry = ts->text;
		ui->edit_retry_id = ts->id;
		ts->text = NULL;
		tui_error(ui, "edit of #%lld not saved: %s; edit-candidate opens your text again", (long long)ts->id,
			  op->err);
	} else {
		tui_msg(ui, "your edit is #%lld, a child of #%lld (the original is kept)", (long long)op->new_id,
			(long long)ts->id);
	}
}

static int edit_candidate(const struct cand_actions *ca)
{
	struct tui *ui = ca->v->ui;
	struct lb_candidate c;
	struct wr_op *op;
	char *edited = NULL, *err = NULL, *hint;
	const char *start;
	int64_t id = ca->current(ca->v);
	int r = R_REDRAW | R_FULL;

	if (id == 0 || store_candidate_get(ui->st, id, &c) != 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	if (c.asset_id != 0 || c.body == NULL) {
		tui_msg(ui, "#%lld is %s: only text candidates are edited here", (long long)id,
			lb_modality_name(c.modality));
		lb_candidate_clear(&c);
		return R_REDRAW;
	}
	/* An edit the store refused is offered again. */
	start = ui->edit_retry && ui->edit_retry_id == id ? ui->edit_retry : c.body;
	hint = xasprintf("candidate %lld", (long long)id);
	if (tui_edit_text(ui, start, hint, &edited, &err) != 0) {
		tui_error(ui, "edit not saved: %s", err ? err : "the editor failed");
	} else if (strcmp(edited, c.body) == 0) {
		tui_msg(ui, "text unchanged: nothing saved");
	} else {
		if (ui->edit_retry_id == id) {
			xfree(&ui->edit_retry);
			ui->edit_retry_id = 0;
		}
		op = text_save_op(id, edited, "edit-candidate");
		edited = NULL;
		((struct text_save *)op->ctx)->curator = xstrdup(store_curator(ui->st));
		op->call = cand_edit_call;
		op->on_saved = cand_edit_saved;
		op->pending = xasprintf("your edit of #%lld: saving…", (long long)id);
		tui_msg(ui, "%s", op->pending);
		wr_submit(ui, op);
	}
	free(hint);
	free(err);
	free(edited);
	lb_candidate_clear(&c);
	return r;
}

static int play(const struct cand_actions *ca)
{
	struct tui *ui = ca->v->ui;
	struct lb_candidate c;
	const char *tmpl;
	char **argv = NULL, *err = NULL;
	int64_t id = ca->current(ca->v);
	int r = R_REDRAW;

	if (id == 0 || store_candidate_get(ui->st, id, &c) != 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	if (c.asset_state) {
		tui_error(ui, "#%lld: %s", (long long)id, lb_asset_state_words(c.asset_state));
	} else if (c.modality != LB_AUDIO && c.modality != LB_VIDEO) {
		tui_msg(ui, "#%lld is %s: play is for audio and video", (long long)id, lb_modality_name(c.modality));
	} else {
		tmpl = km_opt_string(ui->opt, c.modality == LB_AUDIO ? KM_O_AUDIO_PLAYER : KM_O_VIDEO_PLAYER);
		if (tmpl == NULL || *tmpl == '\0')
			tui_msg(ui, "no player: set %s-player in the config", c.modality == LB_AUDIO ? "audio" : "video");
		else if (km_argv_template(tmpl, c.path, &argv, &err) != 0)
			tui_error(ui, "the player command: %s", err);
		else {
			if (tui_run_foreground(ui, argv, &err) != 0)
				tui_error(ui, "play: %s", err);
			km_argv_free(&argv);
			r |= R_FULL;
		}
	}
	free(err);
	lb_candidate_clear(&c);
	return r;
}

/* Collects ids for the pipe. */
struct idv {
	int64_t *v;
	size_t n, cap;
};

static int add_id(int64_t id, void *arg)
{
	struct idv *d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = id;
	return 0;
}

/* Runs command on the marked candidates, or the current one. */
static int pipe_to(const struct cand_actions *ca, const char *command)
{
	struct tui *ui = ca->v->ui;
	struct idv d = { 0 };
	int r;

	if (ca->list && list_has_marks(ca->list)) {
		if (list_marked_each(ca->list, add_id, &d) != 0 || d.n == 0) {
			tui_error(ui, "pipe: cannot read the marked candidates: %s",
				  ca->list->err ? ca->list->err : "none left in the list");
			free(d.v);
			return R_REDRAW;
		}
	} else if (ca->current(ca->v) != 0) {
		add_id(ca->current(ca->v), &d);
	} else {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	r = tui_pipe_run(ui, command, d.v, d.n);
	free(d.v);
	return r;
}

/* Asks which command: the config's pipes are offered, any can be typed. */
static int ask_pipe(const struct cand_actions *ca)
{
	struct prompt_spec ps;
	struct pending *p = pending_new(ca, KM_A_PIPE);

	p->words = tui_pipe_names(ca->v->ui);
	memset(&ps, 0, sizeof ps);
	ps.label = ca->list && list_has_marks(ca->list) ? "pipe marked to: " : "pipe to: ";
	ps.complete = CPL_WORDS;
	ps.words = p->words;
	ps.history = HIST_OTHER;
	ps.accept = prompt_done;
	ps.arg = p;
	ps.arg_free = pending_free;
	prompt_open(ca->v->ui, &ps);
	return R_REDRAW;
}

static int yank_path(const struct cand_actions *ca)
{
	struct tui *ui = ca->v->ui;
	struct lb_candidate c;
	int64_t id = ca->current(ca->v);

	if (id == 0 || store_candidate_get(ui->st, id, &c) != 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	if (c.path)
		tui_msg(ui, "%s", c.path);
	else if (c.asset_state)
		tui_error(ui, "#%lld: %s", (long long)id, lb_asset_state_words(c.asset_state));
	else
		tui_msg(ui, "#%lld is text kept in the store; it has no file", (long long)id);
	lb_candidate_clear(&c);
	return R_REDRAW;
}

/* ------------------------------------------------------------ dispatch */

/* Applying a change to more than this many marked candidates asks first:
 * it is one undo step, but a long one to wait for. */
enum { CONFIRM_OVER = 1000 };

static void confirm_done(struct tui *ui, void *arg, const char *text)
{
	struct pending *p = arg;

	if (text[0] != 'y' && text[0] != 'Y') {
		tui_msg(ui, "nothing changed");
		return;
	}
	ui->dirty |= run_action_confirmed(&p->ca, p->action, p->text, 1);
}

/* "STARS [pick|reject|none] REASON" (STARS may be '-'): the adjudicator's
 * decision on the current candidate, saved by the writer. */
static int adjudicate(const struct cand_actions *ca, const char *arg)
{
	struct tui *ui = ca->v->ui;
	struct wr_op *op;
	const char *p = arg + strspn(arg, " "), *q;
	int64_t id = ca->current(ca->v);
	int stars = -1, flag = LB_FLAG_NONE;
	size_t n;

	if (id == 0) {
		tui_msg(ui, "no candidate here");
		return R_REDRAW;
	}
	if (*p >= '0' && *p <= '5' && (p[1] == ' ' || p[1] == '\0'))
		stars = *p++ - '0';
	else if (*p == '-' && (p[1] == ' ' || p[1] == '\0'))
		p++;
	else {
		tui_error(ui, "adjudicate: start with the final stars (0-5, or - for none), then pick, reject or none, "
			      "then the reason");
		return R_REDRAW;
	}
	p += strspn(p, " ");
	n = strcspn(p, " ");
	q = p + n;
	if ((n == 4 && strncmp(p, "pick", 4) == 0) || (n == 6 && strncmp(p, "reject", 6) == 0) ||
	    (n == 4 && strncmp(p, "none", 4) == 0)) {
		flag = p[0] == 'p' ? LB_FLAG_PICK : p[0] == 'r' ? LB_FLAG_REJECT : LB_FLAG_NONE;
		p = q + strspn(q, " ");
	}
	if (*p == '\0') {
		tui_error(ui, "adjudicate: say why after the stars and flag (the reason is kept with the decision)");
		return R_REDRAW;
	}
	op = wr_op_new(WR_ADJUDICATE, "adjudication");
	wr_op_add_id(op, id);
	op->value = stars;
	op->target = flag;
	op->text = xstrdup(p);
	if (stars >= 0)
		op->done_msg = xasprintf("#%lld decided: %d stars, %s (as the adjudicator)", (long long)id, stars,
					 lb_flag_name(flag));
	else
		op->done_msg = xasprintf("#%lld decided: %s (as the adjudicator)", (long long)id, lb_flag_name(flag));
	wr_submit(ui, op);
	return R_REDRAW;
}

static int run_action(const struct cand_actions *ca, enum km_action a, const char *arg)
{
	if (a == KM_A_ADJUDICATE)
		return adjudicate(ca, arg);
	return run_action_confirmed(ca, a, arg, 0);
}

static int run_action_confirmed(const struct cand_actions *ca, enum km_action a, const char *arg, int confirmed)
{
	struct tui *ui = ca->v->ui;
	struct wr_op *op;
	enum wr_kind kind;
	char label[96];
	char **words = NULL;
	size_t nwords = 0, i;
	int bulk = 0, what, value = 0;

	switch (a) {
	case KM_A_RATE_0:
	case KM_A_RATE_1:
	case KM_A_RATE_2:
	case KM_A_RATE_3:
	case KM_A_RATE_4:
	case KM_A_RATE_5:
		kind = WR_RATE;
		value = (int)(a - KM_A_RATE_0);
		snprintf(label, sizeof label, "rate %d", value);
		break;
	case KM_A_PICK:
	case KM_A_REJECT:
	case KM_A_UNFLAG:
		kind = WR_FLAG;
		value = a == KM_A_PICK ? LB_FLAG_PICK : a == KM_A_REJECT ? LB_FLAG_REJECT : LB_FLAG_NONE;
		snprintf(label, sizeof label, "flag %s", lb_flag_name(value));
		break;
	case KM_A_TAG:
	case KM_A_UNTAG:
		kind = a == KM_A_TAG ? WR_TAG : WR_UNTAG;
		split_words(arg, &words, &nwords);
		if (nwords == 0)
			return R_REDRAW;
		snprintf(label, sizeof label, "%s %s", a == KM_A_TAG ? "tag" : "untag", words[0]);
		break;
	case KM_A_NOTE:
		kind = WR_NOTE;
		snprintf(label, sizeof label, "note");
		break;
	case KM_A_UNSELECT:
		kind = WR_UNSELECT;
		snprintf(label, sizeof label, "unselect");
		break;
	default:
		return R_UNHANDLED;
	}
	if (ca->list && list_has_marks(ca->list)) {
		int64_t n = list_marked_count(ca->list);
		size_t len = strlen(label);
		char *base = xstrdup(label);
		if (n >= 0)
			snprintf(label + len, sizeof label - len, " (%lld marked)", (long long)n);
		else
			snprintf(label + len, sizeof label - len, " (all marked)");
		if (!confirmed && (n < 0 || n > CONFIRM_OVER)) {
			struct prompt_spec ps;
			struct pending *p = pending_new(ca, a);
			char *q = n < 0 ? xasprintf("%s every candidate in the list (one undo step)? y/n ", base)
				        : xasprintf("%s %lld candidates (one undo step)? y/n ", base, (long long)n);
			p->text = xstrdup(arg);
			memset(&ps, 0, sizeof ps);
			ps.label = q;
			ps.history = HIST_OTHER;
			ps.accept = confirm_done;
			ps.arg = p;
			ps.arg_free = pending_free;
			prompt_open(ui, &ps);
			free(q);
			free(base);
			for (i = 0; i < nwords; i++)
				free(words[i]);
			free(words);
			return R_REDRAW;
		}
		free(base);
	}
	op = wr_op_new(kind, label);
	op->value = value;
	op->words = words;
	op->nwords = nwords;
	if (kind == WR_NOTE || kind == WR_TAG || kind == WR_UNTAG)
		op->text = xstrdup(arg ? arg : "");
	if (kind == WR_NOTE)
		op->target = LB_ON_CANDIDATE;
	if (apply(ca, op, &bulk) == 0 && !bulk) {
		/* The row shows the change now (pending); advancing does not wait. */
		what = CHANGED_ROW;
		if ((kind == WR_RATE || kind == WR_FLAG) && tui_advance(ui))
			what |= CHANGED_ADVANCE;
		ca->changed(ca->v, what);
	}
	return R_REDRAW;
}

int cand_action(const struct cand_actions *ca, enum km_action a, const char *arg)
{
	struct tui *ui = ca->v->ui;
	struct lb_candidate c;
	int64_t id;
	char *err = NULL;
	int r;

	switch (a) {
	case KM_A_RATE_0:
	case KM_A_RATE_1:
	case KM_A_RATE_2:
	case KM_A_RATE_3:
	case KM_A_RATE_4:
	case KM_A_RATE_5:
	case KM_A_PICK:
	case KM_A_REJECT:
	case KM_A_UNFLAG:
	case KM_A_UNSELECT:
		return run_action(ca, a, arg);
	case KM_A_TOGGLE_ADVANCE:
		if (km_opt_set(ui->opt, KM_O_ADVANCE_AFTER_RATE, tui_advance(ui) ? "off" : "on", &err) != 0) {
			tui_error(ui, "%s", err);
			free(err);
		} else {
			tui_msg(ui, "advance after rating %s", tui_advance(ui) ? "on: culling mode" : "off");
		}
		return R_REDRAW;
	case KM_A_TAG:
		if (arg)
			return run_action(ca, a, arg);
		ask(ca, a, ca->list && list_has_marks(ca->list) ? "tag marked: " : "tag: ", CPL_TAGS, HIST_TAG,
		    NULL);
		return R_REDRAW;
	case KM_A_UNTAG:
		if (arg)
			return run_action(ca, a, arg);
		return ask_untag(ca);
	case KM_A_NOTE:
		if (arg)
			return run_action(ca, a, arg);
		ask(ca, a, ca->list && list_has_marks(ca->list) ? "note on marked: " : "note: ", CPL_NONE, HIST_NOTE,
		    NULL);
		return R_REDRAW;
	case KM_A_ADJUDICATE:
		if (arg)
			return run_action(ca, a, arg);
		ask(ca, a, "decide (stars pick|reject|none reason): ", CPL_NONE, HIST_NOTE, NULL);
		return R_REDRAW;
	case KM_A_NOTE_LONG:
		id = ca->current(ca->v);
		if (id == 0) {
			tui_msg(ui, "no candidate here");
			return R_REDRAW;
		}
		r = tui_long_note(ui, LB_ON_CANDIDATE, id);
		ca->changed(ca->v, CHANGED_ROW);
		return r & ~R_RELOAD;
	case KM_A_SELECT:
		return ask_select(ca, arg);
	case KM_A_EDIT_CANDIDATE:
		return edit_candidate(ca);
	case KM_A_EDIT_BRIEF:
		id = ca->current(ca->v);
		if (id == 0 || store_candidate_get(ui->st, id, &c) != 0)
			return tui_edit_brief(ui, tui_brief_id(ui)) & ~R_RELOAD;
		id = c.brief_id;
		lb_candidate_clear(&c);
		return tui_edit_brief(ui, id) & ~R_RELOAD;
	case KM_A_PLAY:
		return play(ca);
	case KM_A_PIPE:
		return arg ? pipe_to(ca, arg) : ask_pipe(ca);
	case KM_A_PURGE_PREVIEW:
		return tui_purge_preview(ui, ca->v->owner, tui_brief_id(ui), arg);
	case KM_A_YANK_PATH:
		return yank_path(ca);
	case KM_A_REGENERATE:
	case KM_A_REGENERATE_FORM:
		id = ca->current(ca->v);
		if (id != 0 && store_candidate_get(ui->st, id, &c) == 0) {
			int64_t brief = c.brief_id;
			lb_candidate_clear(&c);
			return a == KM_A_REGENERATE ? tui_regenerate(ui, brief) : tui_form_open(ui, brief, id);
		}
		return a == KM_A_REGENERATE ? tui_regenerate(ui, ca->v->brief_id)
					    : tui_form_open(ui, ca->v->brief_id, 0);
	case KM_A_REROLL:
	case KM_A_VARIATIONS:
		return tui_reroll(ui, ca->list, ca->current(ca->v), a == KM_A_VARIATIONS);
	default:
		return R_UNHANDLED;
	}
}
