/*
 * prompt.c - the one-line editor at the bottom of the screen: the `:`
 * command line, search, filters, tags, notes.  Keys are looked up in the
 * `prompt` context (readline's keys by default); other characters are
 * typed.  Tab completes the word before the cursor from a source (action
 * names, tags, filter terms, curators, backends) and shows the matches in
 * a menu line; Tab again takes the next.  Each kind of prompt has its own
 * history.  What is typed or pasted is drawn visibly: an escape sequence
 * in a prompt shows as ^[ and never reaches the terminal.
 */
#include "config.h"

#include "tui-private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct prompt {
	struct prompt_spec spec;
	char *label;
	struct sbuf line;
	size_t cur;           /* byte offset of the cursor */
	/* completion */
	char **matches;
	size_t nmatch;
	size_t mi;            /* the match shown */
	size_t wstart;        /* where the completed word starts */
	int completing;
	/* history: index from the newest (0 = the line being edited) */
	int hist;
	char *saved;          /* the line being edited, while browsing history */
	char *kill;
};

int prompt_active(const struct tui *ui)
{
	return ui->prompt != NULL;
}

static void end_completion(struct prompt *p)
{
	store_strv_free(&p->matches, p->nmatch);
	p->nmatch = 0;
	p->mi = 0;
	p->completing = 0;
}

static void prompt_destroy(struct prompt *p)
{
	end_completion(p);
	free(p->label);
	free(p->saved);
	free(p->kill);
	sb_free(&p->line);
	free(p);
}

void prompt_or_text(struct tui *ui, const struct prompt_spec *spec, const char *text)
{
	if (text == NULL) {
		prompt_open(ui, spec);
		return;
	}
	spec->accept(ui, spec->arg, text);
	if (spec->arg_free)
		spec->arg_free(spec->arg);
}

void prompt_open(struct tui *ui, const struct prompt_spec *spec)
{
	struct prompt *p;

	if (ui->prompt)
		prompt_close(ui);
	p = xcalloc(1, sizeof *p);
	p->spec = *spec;
	p->label = xstrdup(spec->label ? spec->label : "");
	p->spec.label = p->label;
	p->spec.init = NULL;
	sb_init(&p->line);
	if (spec->init)
		sb_adds(&p->line, spec->init);
	p->cur = p->line.len;
	ui->prompt = p;
	ui->dirty |= R_REDRAW;
}

void prompt_close(struct tui *ui)
{
	struct prompt *p = ui->prompt;

	if (p == NULL)
		return;
	ui->prompt = NULL;
	if (p->spec.arg_free)
		p->spec.arg_free(p->spec.arg);
	prompt_destroy(p);
	ui->dirty |= R_REDRAW;
}

void prompt_free_history(struct tui *ui)
{
	int i;

	for (i = 0; i < HIST__COUNT; i++)
		sb_free(&ui->history[i]);
}

/* ------------------------------------------------------------ editing */

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static size_t prev_char(const struct prompt *p, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && is_cont((unsigned char)p->line.s[at]))
		at--;
	return at;
}

static size_t next_char(const struct prompt *p, size_t at)
{
	if (at >= p->line.len)
		return p->line.len;
	at++;
	while (at < p->line.len && is_cont((unsigned char)p->line.s[at]))
		at++;
	return at;
}

static void set_line(struct prompt *p, const char *s)
{
	sb_reset(&p->line);
	sb_adds(&p->line, s);
	p->cur = p->line.len;
}

static void insert(struct prompt *p, const char *s, size_t n)
{
	struct sbuf b;

	sb_init(&b);
	sb_add(&b, p->line.s, p->cur);
	sb_add(&b, s, n);
	sb_add(&b, p->line.s + p->cur, p->line.len - p->cur);
	sb_free(&p->line);
	p->line = b;
	p->cur += n;
}

/* Deletes bytes [a, b) and keeps them for yank when kill. */
static void cut(struct prompt *p, size_t a, size_t b, int kill)
{
	if (b <= a)
		return;
	if (kill) {
		free(p->kill);
		p->kill = xstrndup(p->line.s + a, b - a);
	}
	memmove(p->line.s + a, p->line.s + b, p->line.len - b + 1);
	p->line.len -= b - a;
	if (p->cur > b)
		p->cur -= b - a;
	else if (p->cur > a)
		p->cur = a;
}

static size_t word_left(const struct prompt *p, size_t at)
{
	while (at > 0 && p->line.s[at - 1] == ' ')
		at--;
	while (at > 0 && p->line.s[at - 1] != ' ')
		at--;
	return at;
}

static size_t word_right(const struct prompt *p, size_t at)
{
	while (at < p->line.len && p->line.s[at] == ' ')
		at++;
	while (at < p->line.len && p->line.s[at] != ' ')
		at++;
	return at;
}

/* ------------------------------------------------------------ history */

/* The n-th newest line of history h (1 = newest), or NULL. */
static char *history_get(struct tui *ui, int h, int n)
{
	const char *s = ui->history[h].s, *end = s + ui->history[h].len, *a, *b;
	int i = 0;

	b = end;
	while (b > s) {
		a = b;
		while (a > s && a[-1] != '\n')
			a--;
		if (++i == n)
			return xstrndup(a, (size_t)(b - a));
		b = a > s ? a - 1 : a;
		if (a == s)
			break;
	}
	return NULL;
}

static void history_add(struct tui *ui, int h, const char *line)
{
	char *last;

	if (*line == '\0' || strchr(line, '\n'))
		return;
	last = history_get(ui, h, 1);
	if (last == NULL || strcmp(last, line) != 0) {
		if (ui->history[h].len)
			sb_addc(&ui->history[h], '\n');
		sb_adds(&ui->history[h], line);
	}
	free(last);
	/* Keep it bounded: drop the oldest half past 64 KiB. */
	if (ui->history[h].len > 65536) {
		char *cutp = strchr(ui->history[h].s + ui->history[h].len / 2, '\n');
		if (cutp) {
			char *rest = xstrdup(cutp + 1);
			sb_reset(&ui->history[h]);
			sb_adds(&ui->history[h], rest);
			free(rest);
		}
	}
}

static void history_move(struct tui *ui, struct prompt *p, int dir)
{
	char *s;
	int want = p->hist + dir;

	if (want < 0)
		return;
	if (want == 0) {
		set_line(p, p->saved ? p->saved : "");
		xfree(&p->saved);
		p->hist = 0;
		return;
	}
	s = history_get(ui, p->spec.history, want);
	if (s == NULL)
		return;
	if (p->hist == 0) {
		free(p->saved);
		p->saved = xstrdup(p->line.s);
	}
	set_line(p, s);
	free(s);
	p->hist = want;
}

/* ------------------------------------------------------------ completion */

static void add_word(char ***out, size_t *n, const char *w)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*out)[i], w) == 0)
			return;
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = xstrdup(w);
}

static void add_prefixed(char ***out, size_t *n, const char *prefix, const char *w)
{
	char *s = xasprintf("%s%s", prefix, w);

	add_word(out, n, s);
	free(s);
}

static void add_store_names(struct tui *ui, int kind, int64_t brief_id, const char *before, const char *word,
			    char ***out, size_t *n)
{
	char **names = NULL;
	size_t k = 0, i;
	int rc;

	if (kind == CPL_TAGS)
		rc = store_tag_names(ui->st, word, &names, &k);
	else if (kind == CPL_CURATORS)
		rc = store_curator_names(ui->st, word, &names, &k);
	else
		rc = store_backend_names(ui->st, brief_id, word, &names, &k);
	if (rc == 0)
		for (i = 0; i < k; i++)
			add_prefixed(out, n, before, names[i]);
	store_strv_free(&names, k);
}

static void add_matching(char ***out, size_t *n, const char *const *words, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (; *words; words++)
		if (strncmp(*words, prefix, plen) == 0)
			add_word(out, n, *words);
}

static const char *const flag_words[] = { "pick", "reject", "none", NULL };
static const char *const sort_words[] = { "newest", "oldest", "stars", "score", NULL };
static const char *const verb_words[] = { "set", "bind", "unbind", "reset", "source", NULL };

static void complete_filter(struct tui *ui, int64_t brief_id, const char *word, char ***out, size_t *n)
{
	const char *colon = strchr(word, ':');
	char *head;

	if (colon == NULL) {
		add_matching(out, n, tfilter_words, word);
		return;
	}
	head = xstrndup(word, (size_t)(colon - word + 1));
	if (strcmp(head, "tag:") == 0)
		add_store_names(ui, CPL_TAGS, brief_id, head, colon + 1, out, n);
	else if (strcmp(head, "curator:") == 0)
		add_store_names(ui, CPL_CURATORS, brief_id, head, colon + 1, out, n);
	else if (strcmp(head, "backend:") == 0)
		add_store_names(ui, CPL_BACKENDS, brief_id, head, colon + 1, out, n);
	else
		add_matching(out, n, tfilter_words, word);
	free(head);
}

/* Splits the domain text "a|b|c" of an option into words. */
static void complete_option_value(const char *opt, const char *word, char ***out, size_t *n)
{
	enum km_option id;
	char *dom, *w, *save = NULL;

	if (km_opt_find(opt, &id) != 0)
		return;
	if (km_opt_type(id) == KM_OPT_BOOL) {
		static const char *const onoff[] = { "on", "off", NULL };
		add_matching(out, n, onoff, word);
		return;
	}
	if (km_opt_type(id) != KM_OPT_ENUM)
		return;
	dom = km_opt_domain(id);
	for (w = strtok_r(dom, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strncmp(w, word, strlen(word)) == 0)
			add_word(out, n, w);
	free(dom);
}

static void complete_command(struct tui *ui, const char *line, size_t wstart, const char *word, char ***out,
			     size_t *n)
{
	struct view *v = tui_top(ui);
	enum km_context ctx = v ? v->ops->ctx : KM_CTX_GLOBAL;
	char *first = NULL, *second = NULL, *copy, *save = NULL, *t;
	int nth = 0, i;
	enum km_action a;

	/* Which word is being completed, and the words before it. */
	copy = xstrndup(line, wstart);
	for (t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (nth == 0)
			first = xstrdup(t);
		else if (nth == 1)
			second = xstrdup(t);
		nth++;
	}
	free(copy);
	if (nth == 0) {
		for (i = 1; i < KM_NACTIONS; i++) {
			a = (enum km_action)i;
			if (km_action_group(a) == KM_G_PROMPT || !km_action_in_context(a, ctx))
				continue;
			if (strncmp(km_action_name(a), word, strlen(word)) == 0)
				add_word(out, n, km_action_name(a));
		}
		add_matching(out, n, verb_words, word);
		goto done;
	}
	if (strcmp(first, "set") == 0) {
		if (nth == 1) {
			for (i = 0; i < KM_NOPTIONS; i++)
				if (strncmp(km_opt_name((enum km_option)i), word, strlen(word)) == 0)
					add_word(out, n, km_opt_name((enum km_option)i));
		} else if (nth == 2) {
			complete_option_value(second, word, out, n);
		}
		goto done;
	}
	if (strcmp(first, "bind") == 0 || strcmp(first, "unbind") == 0 || strcmp(first, "reset") == 0) {
		if (nth == 1) {
			for (i = 0; i < KM_NCONTEXTS; i++)
				if (strncmp(km_context_name((enum km_context)i), word, strlen(word)) == 0)
					add_word(out, n, km_context_name((enum km_context)i));
		} else if (nth == 3 && strcmp(first, "bind") == 0) {
			for (i = 1; i < KM_NACTIONS; i++)
				if (strncmp(km_action_name((enum km_action)i), word, strlen(word)) == 0)
					add_word(out, n, km_action_name((enum km_action)i));
		}
		goto done;
	}
	a = km_action_find(first);
	switch (a) {
	case KM_A_TAG:
	case KM_A_UNTAG:
	case KM_A_FILTER_TAG:
		add_store_names(ui, CPL_TAGS, tui_brief_id(ui), "", word, out, n);
		break;
	case KM_A_FILTER:
		complete_filter(ui, tui_brief_id(ui), word, out, n);
		break;
	case KM_A_FILTER_FLAG:
		add_matching(out, n, flag_words, word);
		break;
	case KM_A_FILTER_CURATOR:
		add_store_names(ui, CPL_CURATORS, 0, "", word, out, n);
		break;
	case KM_A_FILTER_BACKEND:
		add_store_names(ui, CPL_BACKENDS, tui_brief_id(ui), "", word, out, n);
		break;
	case KM_A_SORT_BY:
		add_matching(out, n, sort_words, word);
		break;
	case KM_A_IMPORT:
	case KM_A_WATCH: {
		char **paths;
		size_t k = complete_paths(word, &paths), j;
		for (j = 0; j < k; j++)
			add_word(out, n, paths[j]);
		store_strv_free(&paths, k);
		break;
	}
	default:
		break;
	}
done:
	free(first);
	free(second);
}

size_t complete_words(struct tui *ui, const struct prompt_spec *spec, const char *line, size_t upto, char ***out)
{
	size_t n = 0, ws = upto;
	char *word;

	*out = NULL;
	while (ws > 0 && line[ws - 1] != ' ')
		ws--;
	word = xstrndup(line + ws, upto - ws);
	switch (spec->complete) {
	case CPL_COMMAND:
		complete_command(ui, line, ws, word, out, &n);
		break;
	case CPL_TAGS:
	case CPL_CURATORS:
	case CPL_BACKENDS:
		add_store_names(ui, spec->complete, spec->brief_id, "", word, out, &n);
		break;
	case CPL_WORDS:
		if (spec->words)
			add_matching(out, &n, spec->words, word);
		break;
	case CPL_FILTER:
		complete_filter(ui, spec->brief_id, word, out, &n);
		break;
	case CPL_PATHS:
		n = complete_paths(word, out);
		break;
	default:
		break;
	}
	free(word);
	return n;
}

/* Puts match i in place of the word being completed. */
static void show_match(struct prompt *p, size_t i)
{
	size_t wend = p->cur;
	const char *m = p->matches[i];

	cut(p, p->wstart, wend, 0);
	p->cur = p->wstart;
	insert(p, m, strlen(m));
	p->mi = i;
}

static void complete(struct tui *ui, struct prompt *p, int dir)
{
	size_t ws;

	if (p->completing && p->nmatch > 0) {
		show_match(p, (p->mi + p->nmatch + (size_t)(dir > 0 ? 1 : -1)) % p->nmatch);
		return;
	}
	end_completion(p);
	if (p->spec.complete == CPL_NONE) {
		tui_msg(ui, "nothing to complete here");
		return;
	}
	ws = p->cur;
	while (ws > 0 && p->line.s[ws - 1] != ' ')
		ws--;
	p->nmatch = complete_words(ui, &p->spec, p->line.s, p->cur, &p->matches);
	p->wstart = ws;
	if (p->nmatch == 0) {
		tui_msg(ui, "no completions");
		return;
	}
	p->completing = 1;
	show_match(p, dir > 0 ? 0 : p->nmatch - 1);
	if (p->nmatch == 1) {
		end_completion(p);
		/* A completed command or value is followed by its argument. */
		if (p->cur == p->line.len && p->spec.complete == CPL_COMMAND && p->line.len &&
		    p->line.s[p->line.len - 1] != '/')
			insert(p, " ", 1);
	}
}

/* ------------------------------------------------------------ keys */

static void accept(struct tui *ui)
{
	struct prompt *p = ui->prompt;
	prompt_accept_fn fn = p->spec.accept;
	void *arg = p->spec.arg;
	void (*arg_free)(void *) = p->spec.arg_free;
	char *text = xstrdup(p->line.s);

	history_add(ui, p->spec.history, text);
	ui->prompt = NULL;
	prompt_destroy(p);
	tui_msg_clear(ui);
	if (fn)
		fn(ui, arg, text);
	if (arg_free)
		arg_free(arg);
	free(text);
	ui->dirty |= R_REDRAW;
}

void prompt_paste(struct tui *ui, const char *text)
{
	struct prompt *p = ui->prompt;

	if (p == NULL)
		return;
	end_completion(p);
	insert(p, text, strlen(text));
	ui->dirty |= R_REDRAW;
}

int prompt_key(struct tui *ui, km_key key)
{
	struct prompt *p = ui->prompt;
	enum km_action a = km_lookup(ui->km, KM_CTX_PROMPT, key);
	uint32_t base = key & KM_KEY_BASE_MASK;
	char buf[8];
	size_t n;

	if (p == NULL)
		return R_NONE;
	if (a != KM_A_PROMPT_COMPLETE && a != KM_A_PROMPT_COMPLETE_PREV)
		end_completion(p);
	switch (a) {
	case KM_A_PROMPT_ACCEPT:
		accept(ui);
		return R_REDRAW;
	case KM_A_PROMPT_CANCEL:
		prompt_close(ui);
		tui_msg_clear(ui);
		return R_REDRAW;
	case KM_A_PROMPT_COMPLETE:
		complete(ui, p, 1);
		break;
	case KM_A_PROMPT_COMPLETE_PREV:
		complete(ui, p, -1);
		break;
	case KM_A_PROMPT_HISTORY_PREV:
		history_move(ui, p, 1);
		break;
	case KM_A_PROMPT_HISTORY_NEXT:
		history_move(ui, p, -1);
		break;
	case KM_A_PROMPT_LEFT:
		p->cur = prev_char(p, p->cur);
		break;
	case KM_A_PROMPT_RIGHT:
		p->cur = next_char(p, p->cur);
		break;
	case KM_A_PROMPT_WORD_LEFT:
		p->cur = word_left(p, p->cur);
		break;
	case KM_A_PROMPT_WORD_RIGHT:
		p->cur = word_right(p, p->cur);
		break;
	case KM_A_PROMPT_HOME:
		p->cur = 0;
		break;
	case KM_A_PROMPT_END:
		p->cur = p->line.len;
		break;
	case KM_A_PROMPT_DELETE_BACK:
		if (p->cur == 0 && p->line.len == 0) {
			/* Backspace on an empty line leaves it, as in vi and less. */
			prompt_close(ui);
			return R_REDRAW;
		}
		cut(p, prev_char(p, p->cur), p->cur, 0);
		break;
	case KM_A_PROMPT_DELETE:
		cut(p, p->cur, next_char(p, p->cur), 0);
		break;
	case KM_A_PROMPT_DELETE_WORD_BACK:
		cut(p, word_left(p, p->cur), p->cur, 1);
		break;
	case KM_A_PROMPT_KILL_LINE:
		cut(p, p->cur, p->line.len, 1);
		break;
	case KM_A_PROMPT_KILL_START:
		cut(p, 0, p->cur, 1);
		break;
	case KM_A_PROMPT_YANK:
		if (p->kill)
			insert(p, p->kill, strlen(p->kill));
		break;
	default:
		/* Not an editing key: a character is typed; anything else is ignored. */
		if ((key & KM_MOD_MASK) == 0 && base >= 0x20 && base < KM_KEY_SPECIAL_BASE) {
			n = util_utf8_encode(base, buf);
			insert(p, buf, n);
		}
		break;
	}
	return R_REDRAW;
}

/* ------------------------------------------------------------ drawing */

static void draw_menu(struct prompt *p, int y, int w)
{
	int x = 0, i, first = 0, used, width;

	draw_fill(y, 0, w, ROLE_MENU);
	/* Scroll the menu so the chosen match is visible. */
	for (;;) {
		x = 0;
		for (i = first; i < (int)p->nmatch && i <= (int)p->mi; i++)
			x += draw_width(p->matches[i]) + 2;
		if (x <= w || first >= (int)p->mi)
			break;
		first++;
	}
	x = 0;
	for (i = first; i < (int)p->nmatch && x < w; i++) {
		width = draw_width(p->matches[i]);
		used = draw_text(y, x, w - x, i == (int)p->mi ? ROLE_MENU_SEL : ROLE_MENU, p->matches[i]);
		x += used + 2;
		(void)width;
	}
}

void prompt_draw(struct tui *ui, int y, int w)
{
	struct prompt *p = ui->prompt;
	int lw, cw, tw, x, room, skip;
	char *before, *vis;
	struct sbuf b;

	if (p == NULL)
		return;
	if (p->completing && p->nmatch > 1 && y > 0)
		draw_menu(p, y - 1, w);
	draw_fill(y, 0, w, ROLE_NORMAL);
	/* The label may take all but a few columns (a long question). */
	lw = draw_text(y, 0, w > 16 ? w - 12 : w / 2, ROLE_PROMPT, p->label);
	room = w - lw - 1;
	if (room < 1)
		return;
	/* Columns up to the cursor, as drawn (control characters visible). */
	before = xstrndup(p->line.s, p->cur);
	cw = draw_width(before);
	free(before);
	tw = draw_width(p->line.s);
	skip = cw > room ? cw - room + room / 4 : 0;
	if (skip > tw)
		skip = tw;
	sb_init(&b);
	util_visible(&b, p->line.s, p->line.len, 0);
	vis = sb_steal(&b);
	if (skip == 0) {
		draw_text(y, lw, room + 1, ROLE_NORMAL, vis);
	} else {
		/* Drop whole characters from the front until skip columns are gone. */
		const char *s = vis;
		int gone = 0;
		while (*s && gone < skip) {
			char one[8];
			size_t len = 1;
			while (s[len] && is_cont((unsigned char)s[len]))
				len++;
			memcpy(one, s, len);
			one[len] = '\0';
			gone += draw_width(one);
			s += len;
		}
		x = draw_text(y, lw, 1, ROLE_DIM, draw_unicode() ? "\xe2\x80\xa6" : "<");
		draw_text(y, lw + x, room, ROLE_NORMAL, s);
		skip = gone - x;
	}
	free(vis);
	draw_cursor_at(y, lw + cw - skip);
}
