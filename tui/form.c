/*
 * form.c - the regenerate form: a small modal over the view that queues
 * one job with a chosen backend, count, seed (random, fixed, +1 each),
 * size, other parameter overrides (key=value), and a prompt that is
 * either a one-off for this job or a new revision of the brief.  From a
 * candidate it can also ask for variations of that candidate.
 *
 * Keyboard only: Tab/Down and S-Tab/Up move between fields, Left/Right
 * (or Space) change a choice, text fields edit in place (Left/Right,
 * Home/End, Backspace, Delete, C-u, C-k, C-w; a paste goes in), Enter
 * queues the job, Esc cancels.  A value the backend refuses keeps the
 * form open with the reason under it.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>

enum { FD_BACKEND, FD_FROM, FD_COUNT, FD_SEED_MODE, FD_SEED, FD_SIZE, FD_SET, FD_PROMPT, FD_REVISION, FD__COUNT };

struct field {
	const char *label;
	int text;            /* 1: a text field, 0: a choice */
	int shown;
	char **choices;      /* owned */
	size_t nchoice, pick;
	char *value;         /* a text field's value (owned) */
	size_t cur;          /* its cursor (byte offset) */
};

struct form {
	int64_t brief_id, from_id;
	int modality;
	char *title;         /* the brief's title (owned) */
	char *orig_prompt;   /* the brief's prompt, to see a change (owned) */
	char *size_hint;     /* "640x400" from the brief's parameters, or NULL */
	struct field f[FD__COUNT];
	int at;              /* the focused field */
	char *err;           /* why the last Enter queued nothing (owned) */
	int saving;          /* Enter queued a job the writer has not saved yet */
};

int form_active(const struct tui *ui)
{
	return ui->form != NULL;
}

static void add_choice(struct field *f, const char *s)
{
	f->choices = xrealloc(f->choices, (f->nchoice + 1) * sizeof *f->choices);
	f->choices[f->nchoice++] = xstrdup(s);
}

static void set_text(struct field *f, const char *s)
{
	free(f->value);
	f->value = xstrdup(s ? s : "");
	f->cur = strlen(f->value);
}

void form_close(struct tui *ui)
{
	struct form *fm = ui->form;
	size_t i, k;

	if (fm == NULL)
		return;
	for (i = 0; i < FD__COUNT; i++) {
		for (k = 0; k < fm->f[i].nchoice; k++)
			free(fm->f[i].choices[k]);
		free(fm->f[i].choices);
		free(fm->f[i].value);
	}
	free(fm->title);
	free(fm->orig_prompt);
	free(fm->size_hint);
	free(fm->err);
	free(fm);
	ui->form = NULL;
	ui->dirty |= R_REDRAW;
}

/* "640x400" when the brief's parameters name a width and a height. */
static char *brief_size(const char *params)
{
	const char *w = params ? strstr(params, "\"width\"") : NULL, *h = params ? strstr(params, "\"height\"") : NULL;
	long long wv, hv;
	char *end;

	if (w == NULL || h == NULL || (w = strchr(w + 7, ':')) == NULL || (h = strchr(h + 8, ':')) == NULL)
		return NULL;
	wv = strtoll(w + 1, &end, 10);
	if (end == w + 1)
		return NULL;
	hv = strtoll(h + 1, &end, 10);
	if (end == h + 1 || wv <= 0 || hv <= 0)
		return NULL;
	return xasprintf("%lldx%lld", wv, hv);
}

int tui_form_open(struct tui *ui, int64_t brief_id, int64_t from_id)
{
	const struct backend_registry *reg = tui_gen_registry(ui);
	const struct backend *def;
	struct form *fm;
	struct lb_brief b;
	char *why = NULL, buf[32];
	size_t i;

	if (brief_id == 0) {
		tui_msg(ui, "no brief here");
		return R_REDRAW;
	}
	if (store_brief_get_light(ui->st, brief_id, &b) != 0) {
		tui_store_error(ui, "regenerate-form");
		return R_REDRAW;
	}
	form_close(ui);
	fm = xcalloc(1, sizeof *fm);
	fm->brief_id = brief_id;
	fm->from_id = from_id;
	fm->modality = b.f.modality;
	fm->title = xstrdup(b.f.title ? b.f.title : "");
	fm->orig_prompt = xstrdup(b.f.prompt ? b.f.prompt : "");
	fm->size_hint = brief_size(b.f.params);
	fm->f[FD_BACKEND].label = "backend";
	fm->f[FD_FROM].label = "from";
	fm->f[FD_COUNT].label = "count";
	fm->f[FD_SEED_MODE].label = "seed";
	fm->f[FD_SEED].label = "seed value";
	fm->f[FD_SIZE].label = "size";
	fm->f[FD_SET].label = "overrides";
	fm->f[FD_PROMPT].label = "prompt";
	fm->f[FD_REVISION].label = "prompt change";
	for (i = 0; i < FD__COUNT; i++)
		fm->f[i].shown = 1;
	def = tui_gen_default_backend(ui, &b, &why);
	free(why);
	for (i = 0; i < backend_registry_count(reg); i++) {
		const struct backend *be = backend_registry_at(reg, i);

		if (!(backend_modalities(be) & (1u << b.f.modality)))
			continue;
		if (be == def)
			fm->f[FD_BACKEND].pick = fm->f[FD_BACKEND].nchoice;
		add_choice(&fm->f[FD_BACKEND], backend_name(be));
	}
	if (fm->f[FD_BACKEND].nchoice == 0)
		add_choice(&fm->f[FD_BACKEND], def ? backend_name(def) : "builtin");
	add_choice(&fm->f[FD_FROM], "the brief");
	if (from_id) {
		snprintf(buf, sizeof buf, "variations of #%lld", (long long)from_id);
		add_choice(&fm->f[FD_FROM], buf);
	} else {
		fm->f[FD_FROM].shown = 0;
	}
	fm->f[FD_COUNT].text = 1;
	snprintf(buf, sizeof buf, "%lld", km_opt_int(ui->opt, KM_O_REGENERATE_COUNT));
	set_text(&fm->f[FD_COUNT], buf);
	add_choice(&fm->f[FD_SEED_MODE], "random");
	add_choice(&fm->f[FD_SEED_MODE], "fixed");
	add_choice(&fm->f[FD_SEED_MODE], "+1 each");
	fm->f[FD_SEED].text = 1;
	set_text(&fm->f[FD_SEED], "");
	fm->f[FD_SIZE].text = 1;
	set_text(&fm->f[FD_SIZE], "");
	if (b.f.modality != LB_IMAGE && b.f.modality != LB_VIDEO)
		fm->f[FD_SIZE].shown = 0;
	fm->f[FD_SET].text = 1;
	set_text(&fm->f[FD_SET], "");
	fm->f[FD_PROMPT].text = 1;
	set_text(&fm->f[FD_PROMPT], fm->orig_prompt);
	add_choice(&fm->f[FD_REVISION], "one-off for this job");
	add_choice(&fm->f[FD_REVISION], "new brief revision");
	fm->at = FD_BACKEND;
	ui->form = fm;
	lb_brief_clear(&b);
	return R_REDRAW;
}

/* ------------------------------------------------------------ submitting */

/* Splits "steps=30 sampler=\"DPM++ 2M\"" into keys and values (owned
 * strings in *keys and *vals).  -1 with *err naming the bad word. */
static int split_set(const char *s, char ***keys, char ***vals, size_t *n, char **err)
{
	struct sbuf w;
	char *eq, *vis;
	int quote;

	*keys = *vals = NULL;
	*n = 0;
	sb_init(&w);
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		sb_reset(&w);
		quote = 0;
		for (; *s && (quote || (*s != ' ' && *s != '\t')); s++) {
			if (*s == '"')
				quote = !quote;
			else
				sb_addc(&w, *s);
		}
		sb_addc(&w, '\0');
		eq = strchr(w.s, '=');
		if (eq == NULL || eq == w.s) {
			vis = util_visible_dup(w.s, 0);
			*err = xasprintf("overrides: '%s' is not key=value (for example steps=30 cfg-scale=7)", vis);
			free(vis);
			sb_free(&w);
			return -1;
		}
		*keys = xrealloc(*keys, (*n + 1) * sizeof **keys);
		*vals = xrealloc(*vals, (*n + 1) * sizeof **vals);
		(*keys)[*n] = xstrndup(w.s, (size_t)(eq - w.s));
		(*vals)[*n] = xstrdup(eq + 1);
		(*n)++;
	}
	sb_free(&w);
	return 0;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The writer saved the form's job (err NULL) or refused it: the form,
 * if still open and waiting, closes or says why, keeping what was typed. */
static void submitted(struct tui *ui, const char *err)
{
	struct form *fm = ui->form;

	if (fm == NULL || !fm->saving)
		return;
	fm->saving = 0;
	if (err == NULL) {
		form_close(ui);
		return;
	}
	free(fm->err);
	fm->err = xstrdup(err);
	ui->dirty |= R_REDRAW;
}

static int submit(struct tui *ui, struct form *fm)
{
	struct backend_gen g;
	struct field *f = fm->f;
	char **keys = NULL, **vals = NULL, *err = NULL, *end;
	const char *prompt = f[FD_PROMPT].value;
	size_t n = 0;
	long long count, seed = 0, w, h;
	struct gen_req *req;
	char *tail;
	int prompt_changed = strcmp(prompt, fm->orig_prompt) != 0, revision = 0;

	memset(&g, 0, sizeof g);
	g.backend = f[FD_BACKEND].choices[f[FD_BACKEND].pick];
	if (f[FD_FROM].shown && f[FD_FROM].pick == 1) {
		g.kind = BACKEND_VARIATION;
		g.parent_id = fm->from_id;
	}
	if (util_parse_int(f[FD_COUNT].value, 1, 100, &count) != 0) {
		err = xstrdup("count: a whole number from 1 to 100");
		goto fail;
	}
	g.count = (int)count;
	g.seed_mode = f[FD_SEED_MODE].pick == 0	  ? BACKEND_SEED_RANDOM
		      : f[FD_SEED_MODE].pick == 1 ? BACKEND_SEED_FIXED
						  : BACKEND_SEED_STEP;
	if (g.seed_mode != BACKEND_SEED_RANDOM &&
	    util_parse_int(f[FD_SEED].value, 0, 4294967295LL, &seed) != 0) {
		err = xstrdup("seed value: a whole number from 0 to 4294967295 (or choose a random seed)");
		goto fail;
	}
	g.seed = seed;
	if (split_set(f[FD_SET].value, &keys, &vals, &n, &err) != 0)
		goto fail;
	if (f[FD_SIZE].shown && *f[FD_SIZE].value) {
		w = strtoll(f[FD_SIZE].value, &end, 10);
		if (end == f[FD_SIZE].value || (*end != 'x' && *end != 'X') || w < 1 || w > 100000 ||
		    (h = strtoll(end + 1, &end, 10)) < 1 || h > 100000 || *end) {
			err = xstrdup("size: WIDTHxHEIGHT in pixels, for example 768x512 (empty: the brief's)");
			goto fail;
		}
		keys = xrealloc(keys, (n + 2) * sizeof *keys);
		vals = xrealloc(vals, (n + 2) * sizeof *vals);
		keys[n] = xstrdup("width");
		vals[n++] = xasprintf("%lld", w);
		keys[n] = xstrdup("height");
		vals[n++] = xasprintf("%lld", h);
	}
	g.nset = n;
	g.set_keys = (const char *const *)keys;
	g.set_values = (const char *const *)vals;
	if (prompt_changed && *prompt == '\0') {
		err = xstrdup("prompt: empty; write one, or leave the brief's as it was");
		goto fail;
	}
	req = tui_gen_req_new(ui, "generate");
	if (prompt_changed && f[FD_REVISION].pick == 1) {
		tui_gen_req_revise(req, prompt);
		revision = 1;
	} else if (prompt_changed) {
		g.prompt = prompt;
	}
	tui_gen_req_add(req, fm->brief_id, &g);
	tail = xasprintf("%d from %s%s%s", g.count, g.backend, g.kind == BACKEND_VARIATION ? ", variations" : "",
			 revision ? ", new brief revision" : g.prompt ? ", one-off prompt" : "");
	free_strv(keys, n);
	free_strv(vals, n);
	/* The form stays, saying "saving…", until the writer has the job: a
	 * refusal is shown in it with everything typed kept. */
	fm->saving = 1;
	xfree(&fm->err);
	tui_gen_req_submit(ui, req, tail, submitted);
	free(tail);
	return R_REDRAW;
fail:
	free_strv(keys, n);
	free_strv(vals, n);
	free(fm->err);
	fm->err = err;
	return R_REDRAW;
}

/* ------------------------------------------------------------ keys */

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static void text_insert(struct field *f, const char *s, size_t n)
{
	size_t len = strlen(f->value);
	char *v = xmalloc(len + n + 1);

	memcpy(v, f->value, f->cur);
	memcpy(v + f->cur, s, n);
	memcpy(v + f->cur + n, f->value + f->cur, len - f->cur + 1);
	free(f->value);
	f->value = v;
	f->cur += n;
}

static void text_cut(struct field *f, size_t a, size_t b)
{
	memmove(f->value + a, f->value + b, strlen(f->value + b) + 1);
	f->cur = a;
}

static size_t prev_char(const struct field *f, size_t at)
{
	while (at > 0 && is_cont((unsigned char)f->value[--at]))
		;
	return at;
}

static size_t next_char(const struct field *f, size_t at)
{
	if (f->value[at] == '\0')
		return at;
	at++;
	while (f->value[at] && is_cont((unsigned char)f->value[at]))
		at++;
	return at;
}

static void move_focus(struct form *fm, int dir)
{
	int i = fm->at;

	do
		i = (i + dir + FD__COUNT) % FD__COUNT;
	while (!fm->f[i].shown && i != fm->at);
	fm->at = i;
}

static int text_key(struct field *f, km_key key)
{
	uint32_t base = key & KM_KEY_BASE_MASK;
	size_t n, at;
	char buf[8];

	switch (key) {
	case KM_KEY_LEFT:
		f->cur = prev_char(f, f->cur);
		return 1;
	case KM_KEY_RIGHT:
		f->cur = next_char(f, f->cur);
		return 1;
	case KM_KEY_HOME:
	case KM_MOD_CTRL | 'a':
		f->cur = 0;
		return 1;
	case KM_KEY_END:
	case KM_MOD_CTRL | 'e':
		f->cur = strlen(f->value);
		return 1;
	case KM_KEY_BACKSPACE:
	case KM_MOD_CTRL | 'h':
		text_cut(f, prev_char(f, f->cur), f->cur);
		return 1;
	case KM_KEY_DELETE:
	case KM_MOD_CTRL | 'd':
		text_cut(f, f->cur, next_char(f, f->cur));
		return 1;
	case KM_MOD_CTRL | 'u':
		text_cut(f, 0, f->cur);
		return 1;
	case KM_MOD_CTRL | 'k':
		f->value[f->cur] = '\0';
		return 1;
	case KM_MOD_CTRL | 'w':
		at = f->cur;
		while (at > 0 && f->value[at - 1] == ' ')
			at--;
		while (at > 0 && f->value[at - 1] != ' ')
			at--;
		text_cut(f, at, f->cur);
		return 1;
	default:
		break;
	}
	if ((key & KM_MOD_MASK) == 0 && base >= 0x20 && base < KM_KEY_SPECIAL_BASE) {
		n = util_utf8_encode(base, buf);
		text_insert(f, buf, n);
		return 1;
	}
	return 0;
}

int form_key(struct tui *ui, km_key key)
{
	struct form *fm = ui->form;
	struct field *f;

	if (fm == NULL)
		return R_NONE;
	f = &fm->f[fm->at];
	switch (key) {
	case KM_KEY_ESC:
	case KM_MOD_CTRL | 'c':
	case KM_MOD_CTRL | 'g':
		if (fm->saving)
			tui_msg(ui, "the form is closed; its job is still being saved (the store is busy)");
		else
			tui_msg(ui, "nothing queued");
		form_close(ui);
		return R_REDRAW;
	case KM_KEY_ENTER:
	case KM_MOD_CTRL | 'm':
	case KM_MOD_CTRL | 'j':
		if (fm->saving) {
			tui_msg(ui, "the job is being saved (the store is busy); Esc leaves the form meanwhile");
			return R_REDRAW;
		}
		return submit(ui, fm);
	case KM_KEY_TAB:
	case KM_KEY_DOWN:
	case KM_MOD_CTRL | 'n':
		move_focus(fm, 1);
		return R_REDRAW;
	case KM_MOD_SHIFT | KM_KEY_TAB:
	case KM_KEY_UP:
	case KM_MOD_CTRL | 'p':
		move_focus(fm, -1);
		return R_REDRAW;
	default:
		break;
	}
	if (f->text) {
		text_key(f, key);
		return R_REDRAW;
	}
	if (key == KM_KEY_RIGHT || key == ' ' || key == 'l')
		f->pick = (f->pick + 1) % f->nchoice;
	else if (key == KM_KEY_LEFT || key == 'h')
		f->pick = (f->pick + f->nchoice - 1) % f->nchoice;
	return R_REDRAW;
}

void form_paste(struct tui *ui, const char *text)
{
	struct form *fm = ui->form;
	struct field *f;
	char *s, *p;

	if (fm == NULL)
		return;
	f = &fm->f[fm->at];
	if (!f->text) {
		tui_msg(ui, "pasted text ignored: move to a text field (Tab)");
		return;
	}
	s = xstrdup(text);
	for (p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	text_insert(f, s, strlen(s));
	free(s);
	ui->dirty |= R_REDRAW;
}

/* ------------------------------------------------------------ drawing */

/* What the focused field takes, one line. */
static char *field_help(struct tui *ui, const struct form *fm)
{
	const struct field *f = &fm->f[fm->at];
	const struct backend *be = backend_registry_find(tui_gen_registry(ui), fm->f[FD_BACKEND].choices[fm->f[FD_BACKEND].pick]);
	const char *const *names;
	struct sbuf b;

	switch (fm->at) {
	case FD_BACKEND:
		if (be == NULL)
			return xstrdup("");
		return xasprintf("type %s%s%s%s", backend_type(be), *backend_model(be) ? ", model " : "",
				 backend_model(be), backend_can_vary(be, fm->modality) ? ", can vary" : "");
	case FD_FROM:
		return xstrdup("variations start from the candidate (an init image or text)");
	case FD_COUNT:
		return xstrdup("candidates to make, 1 to 100");
	case FD_SEED_MODE:
	case FD_SEED:
		return xstrdup(f->pick == 0 && fm->at == FD_SEED_MODE ? "random: a new seed, +1 for each further candidate"
			       : fm->f[FD_SEED_MODE].pick == 0 ? "seed value: used with fixed or +1 each"
			       : fm->f[FD_SEED_MODE].pick == 1 ? "fixed: every candidate gets this seed"
							       : "+1 each: seed, seed+1, seed+2, ...");
	case FD_SIZE:
		return fm->size_hint ? xasprintf("WIDTHxHEIGHT; empty: the brief's %s", fm->size_hint)
				     : xstrdup("WIDTHxHEIGHT; empty: the brief's or the backend's");
	case FD_SET:
		sb_init(&b);
		sb_adds(&b, "key=value ...");
		if (be && (names = backend_param_names(be)) && names[0]) {
			sb_addf(&b, "; %s takes:", backend_name(be));
			for (; *names; names++)
				sb_addf(&b, " %s", *names);
		}
		return sb_steal(&b);
	case FD_PROMPT:
		return xstrdup(strcmp(f->value, fm->orig_prompt) ? "changed: see 'prompt change'"
								 : "the brief's prompt; edit it for this job or a revision");
	default:
		return xstrdup("a one-off prompt leaves the brief as it is");
	}
}

/* A text field's value in w columns with the cursor visible; returns
 * the cursor's column. */
/* A text field: scrolled to keep the cursor in view while it has the
 * focus, else from its start (cut with an ellipsis by draw_text). */
static int draw_value(int y, int x, int w, enum role r, const struct field *f, int focus)
{
	const char *s = f->value;
	char *before;
	int cw;

	for (;;) {
		if (!focus) {
			cw = 0;
			break;
		}
		before = xstrndup(s, (size_t)(f->value + f->cur - s));
		cw = draw_width(before);
		free(before);
		if (cw < w || s >= f->value + f->cur)
			break;
		s++;
		while (*s && is_cont((unsigned char)*s))
			s++;
	}
	draw_text(y, x, w, r, s);
	return x + cw;
}

void form_draw(struct tui *ui, struct rect body)
{
	struct form *fm = ui->form;
	int shown = 0, i, w, h, y, x, lw = 15, vw, cy = -1, cx = -1;
	char *help, *head, num[32];

	if (fm == NULL)
		return;
	for (i = 0; i < FD__COUNT; i++)
		shown += fm->f[i].shown;
	w = body.w - 4 < 76 ? body.w - 4 : 76;
	h = shown + 6 + (fm->err || fm->saving ? 1 : 0);
	if (h > body.h)
		h = body.h;
	if (w < 30 || h < 5)
		return;
	y = body.y + (body.h - h) / 2;
	x = body.x + (body.w - w) / 2;
	for (i = 0; i < h; i++)
		draw_fill(y + i, x, w, ROLE_NORMAL);
	draw_box(y, x, h, w, ROLE_SEP);
	head = xasprintf(" Generate for brief #%lld %s ", (long long)fm->brief_id, fm->title);
	draw_text(y, x + 2, w - 4, ROLE_SECTION, head);
	free(head);
	vw = w - lw - 4;
	for (i = 0, y++; i < FD__COUNT && y < body.y + body.h - 1; i++) {
		const struct field *f = &fm->f[i];
		int focus = i == fm->at, sel = focus ? ROLE_CURSOR : ROLE_NORMAL;

		if (!f->shown)
			continue;
		y++;
		draw_text(y, x + 2, lw, focus ? ROLE_PROMPT : ROLE_LABEL, f->label);
		if (focus)
			draw_fill(y, x + 2 + lw, vw, ROLE_CURSOR);
		if (f->text) {
			int c = draw_value(y, x + 2 + lw, vw - 1, sel, f, focus);
			if (focus) {
				cy = y;
				cx = c;
			}
			if (*f->value == '\0' && !focus && i == FD_SEED && fm->f[FD_SEED_MODE].pick == 0)
				draw_text(y, x + 2 + lw, vw, ROLE_DIM, "(drawn when queued)");
			else if (*f->value == '\0' && !focus && i == FD_SIZE)
				draw_text(y, x + 2 + lw, vw, ROLE_DIM, fm->size_hint ? fm->size_hint : "(the backend's)");
			else if (*f->value == '\0' && !focus && i == FD_SET)
				draw_text(y, x + 2 + lw, vw, ROLE_DIM, "(none)");
		} else {
			snprintf(num, sizeof num, "%s ", draw_unicode() ? "\xe2\x97\x82" : "<");
			head = xasprintf("%s%s %s", num, f->choices[f->pick], draw_unicode() ? "\xe2\x96\xb8" : ">");
			draw_text(y, x + 2 + lw, vw, sel, head);
			free(head);
		}
	}
	y += 2;
	help = field_help(ui, fm);
	if (y < body.y + body.h - 1)
		draw_text(y++, x + 2, w - 4, ROLE_DIM, help);
	free(help);
	if (fm->err && y < body.y + body.h - 1)
		draw_text(y++, x + 2, w - 4, ROLE_ERROR, fm->err);
	else if (fm->saving && y < body.y + body.h - 1)
		draw_text(y++, x + 2, w - 4, ROLE_DIM, "queued… saving the job (the store is busy)");
	if (y < body.y + body.h - 1)
		draw_text(y, x + 2, w - 4, ROLE_DIM, "Tab next  Left/Right choose  Enter generate  Esc cancel");
	draw_cursor_at(cy, cx);
}
