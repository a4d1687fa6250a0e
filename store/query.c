/*
 * query.c - lightbox's query language, parsed by recursive descent and
 * compiled to a parameterised SQL condition on a candidate `c`:
 *
 *     query   := or
 *     or      := and ( "OR" and )*
 *     and     := unary ( ["AND"] unary )*
 *     unary   := ( "NOT" | "-" ) unary | "(" or ")" | term
 *     term    := WORD | "PHRASE" | FIELD OP VALUE | FLAGWORD
 *
 * Free words and phrases search the full text (each word a prefix, as
 * before); field terms look at the candidate's columns, its parameters
 * (JSON, through json_extract/json_tree), its asset, its ratings, tags,
 * notes and selection.  No value is ever pasted into the SQL: each is a
 * binding.  Every condition is a plain 0/1 (comparisons with a missing
 * value are 0), so NOT is the complement of what a term finds.
 */
#include "config.h"

#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store-private.h"

/* Hostile input is refused before it costs anything. */
#define Q_MAX_LEN 4096
#define Q_MAX_DEPTH 32
#define Q_MAX_TERMS 256

/* ------------------------------------------------------------ bindings */

void q_init(struct query *q, int first)
{
	memset(q, 0, sizeof *q);
	sb_init(&q->sql);
	q->first = first;
}

void q_free(struct query *q)
{
	int i;

	for (i = 0; i < q->n; i++)
		free(q->b[i].own);
	free(q->b);
	sb_free(&q->sql);
	memset(q, 0, sizeof *q);
}

static struct qbind *q_slot(struct query *q)
{
	struct qbind *b;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->b = xrealloc(q->b, (size_t)q->cap * sizeof *q->b);
	}
	b = &q->b[q->n++];
	memset(b, 0, sizeof *b);
	sb_addf(&q->sql, "?%d", q->first + q->n - 1);
	return b;
}

void q_int(struct query *q, int64_t v)
{
	struct qbind *b = q_slot(q);

	b->type = QB_INT;
	b->i = v;
}

void q_text(struct query *q, const char *v)
{
	struct qbind *b = q_slot(q);

	b->type = QB_TEXT;
	b->t = v;
}

void q_text_own(struct query *q, char *v)
{
	struct qbind *b = q_slot(q);

	b->type = QB_TEXT;
	b->t = b->own = v;
}

void q_double(struct query *q, double v)
{
	struct qbind *b = q_slot(q);

	b->type = QB_DOUBLE;
	b->d = v;
}

void q_bind(db_stmt *s, const struct query *q)
{
	int i;

	for (i = 0; i < q->n; i++) {
		if (q->b[i].type == QB_INT)
			db_bind_int64(s, q->first + i, q->b[i].i);
		else if (q->b[i].type == QB_TEXT)
			st_bind_text(s, q->first + i, q->b[i].t);
		else
			db_bind_double(s, q->first + i, q->b[i].d);
	}
}

/* ------------------------------------------------------------ fields */

enum ftype {
	FT_INT,     /* a whole number */
	FT_NUM,     /* a number */
	FT_TEXT,    /* a name: equal (any case), or a prefix with '*' */
	FT_TIME,    /* created: durations (7d) and dates (2026-01-31) */
	FT_ASPECT,  /* a ratio: 1.5, 16:9, portrait, landscape, square */
	FT_FLAG,    /* pick, reject, none (mine) */
	FT_TAG,     /* a tag name or prefix */
	FT_LORA,    /* a LoRA name or prefix */
	FT_PARAM,   /* KEY, KEY=VALUE, KEY>=N ... */
	FT_CURATOR, /* rated-by, unrated-by: a curator or "me" */
	FT_NOTE,    /* words of the candidate's notes */
	FT_ID,      /* an id or "none" (parent, job) */
	FT_STACK,   /* top, rest, alone, stacked, a candidate's id, a size (stack>1) */
};

/* The rating rows of c that blind review lets the current curator see. */
#define RATING_OF_C " FROM rating x WHERE x.brief_id = c.brief_id AND x.candidate_id = c.id" ST_RATING_VISIBLE("?me")
#define PARAM(k) "json_extract(c.params, '$." k "')"
#define ASSET_DIM(d) \
	"coalesce((SELECT nullif(a." d ", 0) FROM asset a WHERE a.id = c.asset_id), CAST(" PARAM(d) " AS INTEGER))"

struct field {
	const char *name;
	enum ftype type;
	const char *expr; /* SQL over c; "?me" is the current curator */
	unsigned uses;
};

static const struct field fields[] = {
	{ "id", FT_INT, "c.id", 0 },
	{ "brief", FT_INT, "c.brief_id", 0 },
	{ "seed", FT_INT, "c.seed", 0 },
	{ "model", FT_TEXT, "c.model", 0 },
	{ "sampler", FT_TEXT, "coalesce(" PARAM("sampler") ", " PARAM("sampler_name") ")", 0 },
	{ "scheduler", FT_TEXT, PARAM("scheduler"), 0 },
	{ "steps", FT_NUM, "CAST(" PARAM("steps") " AS REAL)", 0 },
	{ "cfg", FT_NUM, "CAST(coalesce(" PARAM("cfg_scale") ", " PARAM("\"cfg-scale\"") ", " PARAM("cfg") ") AS REAL)", 0 },
	{ "lora", FT_LORA, NULL, 0 },
	{ "param", FT_PARAM, NULL, 0 },
	{ "width", FT_INT, ASSET_DIM("width"), 0 },
	{ "height", FT_INT, ASSET_DIM("height"), 0 },
	{ "aspect", FT_ASPECT, "(" ASSET_DIM("width") " * 1.0 / " ASSET_DIM("height") ")", 0 },
	{ "modality", FT_TEXT, "c.modality", 0 },
	{ "backend", FT_TEXT, "c.backend", 0 },
	{ "source", FT_TEXT, "c.source", 0 },
	{ "job", FT_ID, "c.job_id", 0 },
	{ "parent", FT_ID, "c.parent_id", 0 },
	{ "revision", FT_INT, "(SELECT rv.rev FROM brief_revision rv WHERE rv.id = c.revision_id)", 0 },
	{ "created", FT_TIME, "c.created", 0 },
	{ "score", FT_NUM, "CASE WHEN " ST_BLIND_HIDES("c.brief_id", "c.id", "?me") " THEN NULL ELSE c.score END",
	  LB_QUERY_CURATION },
	{ "stars", FT_INT, "(SELECT x.stars" RATING_OF_C " AND x.curator = ?me)", LB_QUERY_CURATION },
	{ "avg", FT_NUM, "(SELECT avg(x.stars)" RATING_OF_C ")", LB_QUERY_CURATION },
	{ "ratings", FT_INT, "(SELECT count(x.stars)" RATING_OF_C ")", LB_QUERY_CURATION },
	{ "picks", FT_INT, "(SELECT count(*)" RATING_OF_C " AND x.flag = 'pick')", LB_QUERY_CURATION },
	{ "rejects", FT_INT, "(SELECT count(*)" RATING_OF_C " AND x.flag = 'reject')", LB_QUERY_CURATION },
	{ "spread", FT_INT, "(SELECT max(x.stars) - min(x.stars)" RATING_OF_C ")", LB_QUERY_CURATION },
	{ "flag", FT_FLAG, "coalesce((SELECT x.flag" RATING_OF_C " AND x.curator = ?me), 'none')",
	  LB_QUERY_CURATION },
	{ "rated-by", FT_CURATOR, "EXISTS (SELECT 1" RATING_OF_C " AND x.curator = ?)", LB_QUERY_CURATION },
	{ "curator", FT_CURATOR, "EXISTS (SELECT 1" RATING_OF_C " AND x.curator = ?)", LB_QUERY_CURATION },
	{ "unrated-by", FT_CURATOR, "NOT EXISTS (SELECT 1" RATING_OF_C " AND x.curator = ?)",
	  LB_QUERY_CURATION },
	{ "assigned", FT_CURATOR,
	  "EXISTS (SELECT 1 FROM assignment asg WHERE asg.brief_id = c.brief_id AND asg.candidate_id = c.id"
	  " AND asg.curator = ?)",
	  LB_QUERY_CURATION },
	{ "tag", FT_TAG, NULL, LB_QUERY_CURATION },
	{ "note", FT_NOTE, NULL, LB_QUERY_CURATION },
	/* the best of a stack depends on my ratings */
	{ "stack", FT_STACK, NULL, LB_QUERY_CURATION },
};

/* Words that are a whole term. */
static const struct {
	const char *word;
	const char *sql;
	int me; /* binds the current curator */
} flag_words[] = {
	{ "selected", "EXISTS (SELECT 1 FROM selection sel WHERE sel.candidate_id = c.id)", 0 },
	{ "unrated", "NOT EXISTS (SELECT 1" RATING_OF_C " AND x.curator = ", 1 },
	{ "rated", "EXISTS (SELECT 1" RATING_OF_C " AND x.curator = ", 1 },
	{ "adjudicated", "EXISTS (SELECT 1 FROM adjudication adj WHERE adj.candidate_id = c.id)", 0 },
	/* what `lightbox conflicts` lists (disputed_term) */
	{ "disputed", NULL, 0 },
};

const char *const lb_query_words[] = {
	"seed:", "model:", "sampler:", "scheduler:", "steps>=", "cfg<", "lora:", "param:", "width>=", "height>=",
	"aspect:", "modality:", "backend:", "job:", "revision:", "parent:", "created:<", "stars>=", "stars=",
	"avg>=", "picks>=", "flag:pick", "flag:reject", "flag:none", "rated-by:", "unrated-by:me", "tag:",
	"note:", "selected", "unrated", "rated", "assigned:me", "adjudicated", "disputed", "spread>=", "curator:", "id:", "score>", "stack:top", "stack:rest", "stack:stacked",
	"stack:alone", "stack>", "OR", "NOT", NULL,
};

/* ------------------------------------------------------------ syntax tree */

enum qop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RANGE, OP_HAS };
enum nkind { N_AND, N_OR, N_NOT, N_WORD, N_FIELD, N_FLAGWORD };

struct node {
	enum nkind kind;
	int col;
	struct node **kid; /* AND, OR: n children; NOT: one */
	int n;
	/* terms */
	const struct field *f;
	int flagword;
	enum qop op;
	char *v, *v2;      /* value(s); a range has both */
	char *key;         /* param:KEY */
	int prefix;        /* ended with '*' */
	int phrase;        /* a quoted word */
};

struct parser {
	const char *s;
	size_t i;
	int depth, terms;
	char *err;
	unsigned uses;
};

static int col_at(const struct parser *p, size_t i)
{
	int col = 1;
	size_t k;

	for (k = 0; k < i && p->s[k]; k++)
		if (((unsigned char)p->s[k] & 0xC0) != 0x80)
			col++;
	return col;
}

static struct node *fail_at(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct node *fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->err)
		return NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	p->err = xasprintf("at column %d: %s", col_at(p, at), msg);
	free(msg);
	return NULL;
}

static void node_free(struct node *n)
{
	int i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->kid[i]);
	free(n->kid);
	free(n->v);
	free(n->v2);
	free(n->key);
	free(n);
}

static struct node *node_new(enum nkind kind, int col)
{
	struct node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->col = col;
	return n;
}

static void node_add(struct node *n, struct node *kid)
{
	n->kid = xrealloc(n->kid, (size_t)(n->n + 1) * sizeof *n->kid);
	n->kid[n->n++] = kid;
}

static void skip_space(struct parser *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

static int ends_word(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')';
}

/* The operator word (OR, AND, NOT) at the cursor, as a whole word. */
static int at_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return strncmp(p->s + p->i, w, n) == 0 && ends_word(p->s[p->i + n]);
}

/* Reads a value at the cursor: a quoted string (with \" and \\) or the
 * characters up to a space or parenthesis.  Sets *prefix for a final
 * unquoted '*' (or one right after the closing quote). */
static char *read_value(struct parser *p, int *prefix, int *quoted)
{
	struct sbuf b;
	size_t start = p->i;

	sb_init(&b);
	*prefix = 0;
	*quoted = 0;
	if (p->s[p->i] == '"') {
		*quoted = 1;
		p->i++;
		for (;;) {
			char c = p->s[p->i];
			if (c == '\0') {
				sb_free(&b);
				return fail_at(p, start, "the quote is not closed: end it with '\"'"), NULL;
			}
			p->i++;
			if (c == '"')
				break;
			if (c == '\\' && (p->s[p->i] == '"' || p->s[p->i] == '\\'))
				c = p->s[p->i++];
			sb_addc(&b, c);
		}
		if (p->s[p->i] == '*') {
			*prefix = 1;
			p->i++;
		}
		if (!ends_word(p->s[p->i])) {
			sb_free(&b);
			return fail_at(p, p->i, "expected a space or ')' after the quoted text"), NULL;
		}
		return sb_steal(&b);
	}
	while (!ends_word(p->s[p->i])) {
		if (p->s[p->i] == '"') {
			sb_free(&b);
			return fail_at(p, p->i, "a quote may only start a value (\"two words\" or field:\"two words\")"),
			       NULL;
		}
		sb_addc(&b, p->s[p->i++]);
	}
	if (b.len > 0 && b.s[b.len - 1] == '*') {
		*prefix = 1;
		b.s[--b.len] = '\0';
	}
	return sb_steal(&b);
}

/* The comparison at the cursor (after a field name); 0 when none. */
static int read_op(struct parser *p, enum qop *op)
{
	static const struct {
		const char *s;
		enum qop op;
	} ops[] = { { ">=", OP_GE }, { "<=", OP_LE }, { "!=", OP_NE }, { ">", OP_GT }, { "<", OP_LT }, { "=", OP_EQ } };
	size_t k;
	int colon = 0;

	if (p->s[p->i] == ':') {
		colon = 1;
		p->i++;
	}
	for (k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		size_t n = strlen(ops[k].s);
		if (strncmp(p->s + p->i, ops[k].s, n) == 0) {
			p->i += n;
			*op = ops[k].op;
			return 1;
		}
	}
	*op = OP_EQ;
	return colon;
}

static const struct field *field_named(const char *name, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
		if (strlen(fields[k].name) == n && strncasecmp(fields[k].name, name, n) == 0)
			return &fields[k];
	return NULL;
}

static void split_range(struct node *t)
{
	char *dots;

	if (t->op != OP_EQ || t->prefix || t->phrase || (dots = strstr(t->v, "..")) == NULL)
		return;
	t->v2 = xstrdup(dots + 2);
	*dots = '\0';
	t->op = OP_RANGE;
}

static struct node *term(struct parser *p)
{
	size_t start = p->i, n = 0, k;
	struct node *t;
	int quoted;

	if (++p->terms > Q_MAX_TERMS)
		return fail_at(p, start, "more than %d terms; narrow the query", Q_MAX_TERMS);
	/* A field name: letters, digits and '-', then ':' or a comparison. */
	while (isalpha((unsigned char)p->s[p->i + n]) || (n && (isdigit((unsigned char)p->s[p->i + n]) ||
							       p->s[p->i + n] == '-' || p->s[p->i + n] == '_')))
		n++;
	if (n && strchr(":<>=!", p->s[p->i + n]) && p->s[p->i + n] != '\0') {
		const struct field *f = field_named(p->s + p->i, n);
		if (f == NULL) {
			char *raw = xstrndup(p->s + p->i, n), *name = util_visible_dup(raw, 0);
			free(raw);
			fail_at(p, start, "unknown field '%s' (fields: seed, model, sampler, scheduler, steps, cfg, "
					  "lora, param, width, height, aspect, modality, backend, source, job, "
					  "revision, parent, created, stars, avg, ratings, picks, rejects, score, "
					  "spread, flag, rated-by, unrated-by, assigned, tag, note, stack, id, brief; quote a word to "
					  "search for it)",
				name);
			free(name);
			return NULL;
		}
		t = node_new(N_FIELD, col_at(p, start));
		t->f = f;
		p->i += n;
		if (f->type == FT_PARAM) {
			size_t ks;
			if (p->s[p->i] != ':') {
				node_free(t);
				return fail_at(p, p->i, "write param:KEY, param:KEY=VALUE or param:KEY>=N");
			}
			ks = ++p->i;
			while (!ends_word(p->s[p->i]) && !strchr("<>=!", p->s[p->i]))
				p->i++;
			if (p->i == ks) {
				node_free(t);
				return fail_at(p, ks, "expected a parameter name after 'param:'");
			}
			t->key = xstrndup(p->s + ks, p->i - ks);
			if (ends_word(p->s[p->i])) {
				t->op = OP_HAS;
				p->uses |= f->uses;
				return t;
			}
		}
		if (!read_op(p, &t->op)) {
			node_free(t);
			return fail_at(p, p->i, "expected ':' or a comparison after '%s'", f->name);
		}
		k = p->i;
		t->v = read_value(p, &t->prefix, &quoted);
		if (t->v == NULL) {
			node_free(t);
			return NULL;
		}
		if (*t->v == '\0' && !quoted) {
			node_free(t);
			return fail_at(p, k, "expected a value after '%s'", f->name);
		}
		t->phrase = quoted;
		split_range(t);
		p->uses |= f->uses;
		return t;
	}
	for (k = 0; k < sizeof flag_words / sizeof flag_words[0]; k++) {
		if (at_word(p, flag_words[k].word)) {
			t = node_new(N_FLAGWORD, col_at(p, start));
			t->flagword = (int)k;
			p->i += strlen(flag_words[k].word);
			p->uses |= LB_QUERY_CURATION;
			if (strcmp(flag_words[k].word, "disputed") == 0)
				p->uses |= LB_QUERY_DISPUTED;
			return t;
		}
	}
	t = node_new(N_WORD, col_at(p, start));
	t->v = read_value(p, &t->prefix, &t->phrase);
	if (t->v == NULL) {
		node_free(t);
		return NULL;
	}
	if (*t->v == '\0' && !t->phrase) {
		node_free(t);
		return fail_at(p, start, "expected a word before '*'");
	}
	p->uses |= LB_QUERY_TEXT;
	return t;
}

static struct node *or_expr(struct parser *p);

static struct node *unary(struct parser *p)
{
	struct node *n, *kid;
	size_t at;

	skip_space(p);
	at = p->i;
	if (at_word(p, "NOT") || (p->s[p->i] == '-' && (p->s[p->i + 1] == '(' || !ends_word(p->s[p->i + 1])))) {
		p->i += p->s[p->i] == '-' ? 1 : 3;
		if (++p->depth > Q_MAX_DEPTH)
			return fail_at(p, at, "nested more than %d deep", Q_MAX_DEPTH);
		kid = unary(p);
		p->depth--;
		if (kid == NULL)
			return NULL;
		n = node_new(N_NOT, col_at(p, at));
		node_add(n, kid);
		return n;
	}
	if (p->s[p->i] == '(') {
		p->i++;
		if (++p->depth > Q_MAX_DEPTH)
			return fail_at(p, at, "nested more than %d deep", Q_MAX_DEPTH);
		n = or_expr(p);
		p->depth--;
		if (n == NULL)
			return NULL;
		skip_space(p);
		if (p->s[p->i] != ')') {
			node_free(n);
			return fail_at(p, p->i, "expected ')' to close the '(' at column %d", col_at(p, at));
		}
		p->i++;
		return n;
	}
	if (p->s[p->i] == '\0')
		return fail_at(p, at, "expected a term at the end");
	if (p->s[p->i] == ')')
		return fail_at(p, at, "unexpected ')'");
	if (at_word(p, "OR") || at_word(p, "AND"))
		return fail_at(p, at, "expected a term before '%.*s'", at_word(p, "OR") ? 2 : 3, p->s + at);
	if (p->s[p->i] == '-')
		return fail_at(p, at, "expected a term after '-'");
	return term(p);
}

static struct node *and_expr(struct parser *p)
{
	struct node *n = NULL, *kid;
	size_t at;

	for (;;) {
		skip_space(p);
		at = p->i;
		if (n && (p->s[p->i] == '\0' || p->s[p->i] == ')' || at_word(p, "OR")))
			break;
		if (n && at_word(p, "AND")) {
			p->i += 3;
			skip_space(p);
			if (p->s[p->i] == '\0' || p->s[p->i] == ')' || at_word(p, "OR")) {
				node_free(n);
				return fail_at(p, p->i, "expected a term after AND");
			}
		}
		kid = unary(p);
		if (kid == NULL) {
			node_free(n);
			return NULL;
		}
		if (n == NULL)
			n = node_new(N_AND, col_at(p, at));
		node_add(n, kid);
	}
	return n;
}

static struct node *or_expr(struct parser *p)
{
	struct node *n = NULL, *kid;

	for (;;) {
		kid = and_expr(p);
		if (kid == NULL) {
			node_free(n);
			return NULL;
		}
		if (n == NULL)
			n = node_new(N_OR, kid->col);
		node_add(n, kid);
		skip_space(p);
		if (!at_word(p, "OR"))
			return n;
		p->i += 2;
		skip_space(p);
		if (p->s[p->i] == '\0' || p->s[p->i] == ')') {
			node_free(n);
			return fail_at(p, p->i, "expected a term after OR");
		}
	}
}

struct lb_query {
	struct node *root; /* NULL: matches everything */
	unsigned uses;
};

static void terms_of(const struct node *n, struct lb_query_term **out, size_t *k)
{
	static const char *const ops[] = { [OP_EQ] = ":", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
					   [OP_GT] = ">", [OP_GE] = ">=", [OP_RANGE] = "..", [OP_HAS] = "" };
	struct lb_query_term *t;
	int i;

	if (n == NULL || n->kind == N_NOT || n->kind == N_FLAGWORD || (n->kind == N_FIELD && n->op == OP_NE))
		return; /* what a candidate must not be is nothing to show */
	if (n->kind == N_WORD || n->kind == N_FIELD) {
		*out = xrealloc(*out, (*k + 1) * sizeof **out);
		t = &(*out)[(*k)++];
		memset(t, 0, sizeof *t);
		t->field = n->kind == N_FIELD ? n->f->name : NULL;
		t->key = n->key ? xstrdup(n->key) : NULL;
		t->value = xstrdup(n->v ? n->v : "");
		t->value2 = n->v2 ? xstrdup(n->v2) : NULL;
		t->op = n->kind == N_FIELD ? ops[n->op] : ":";
		t->prefix = n->prefix;
		t->phrase = n->phrase;
		return;
	}
	for (i = 0; i < n->n; i++)
		terms_of(n->kid[i], out, k);
}

size_t lb_query_terms(const char *text, struct lb_query_term **out)
{
	struct lb_query *q;
	char *err = NULL;
	size_t k = 0;

	*out = NULL;
	if (text == NULL || lb_query_parse(text, &q, &err) != 0) {
		free(err);
		return 0;
	}
	terms_of(q->root, out, &k);
	lb_query_free(q);
	return k;
}

void lb_query_terms_free(struct lb_query_term *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].key);
		free(t[i].value);
		free(t[i].value2);
	}
	free(t);
}

int lb_query_parse(const char *text, struct lb_query **out, char **err)
{
	struct parser p = { 0 };
	struct node *root = NULL;
	size_t len = text ? strlen(text) : 0;

	*out = NULL;
	*err = NULL;
	if (len > Q_MAX_LEN) {
		*err = xasprintf("the query is %zu characters long; the most is %d", len, Q_MAX_LEN);
		return -1;
	}
	p.s = text ? text : "";
	skip_space(&p);
	if (p.s[p.i] != '\0') {
		root = or_expr(&p);
		skip_space(&p);
		if (root && p.s[p.i] != '\0') {
			node_free(root);
			root = fail_at(&p, p.i, "unexpected ')'");
		}
		if (root == NULL) {
			*err = p.err ? p.err : xstrdup("the query cannot be read");
			return -1;
		}
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->root = root;
	(*out)->uses = p.uses;
	return 0;
}

void lb_query_free(struct lb_query *q)
{
	if (q == NULL)
		return;
	node_free(q->root);
	free(q);
}

unsigned lb_query_uses(const struct lb_query *q)
{
	return q ? q->uses : 0;
}

/* ------------------------------------------------------------ compiling */

struct cc {
	struct store *st; /* NULL when only checking */
	int neg;   /* under an odd number of NOTs */
	int in_or; /* inside an OR: no term of it can drive the page */
	struct query *q;
	const char *me;
	int64_t now;
	int stacks; /* temp.lb_stack_of holds the scope's stacks */
	char *err;
};

static int cc_fail(struct cc *c, const struct node *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int cc_fail(struct cc *c, const struct node *t, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (c->err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	c->err = xasprintf("at column %d: %s", t->col, msg);
	free(msg);
	return -1;
}

/* Appends expr with each "?me" replaced by a binding of the curator. */
static void put_expr(struct cc *c, const char *expr)
{
	const char *m;

	while ((m = strstr(expr, "?me")) != NULL) {
		sb_add(&c->q->sql, expr, (size_t)(m - expr));
		q_text(c->q, c->me);
		expr = m + 3;
	}
	sb_adds(&c->q->sql, expr);
}

/* A comparison with a missing value is NULL, which a WHERE takes as
 * false; under NOT it must be 0, so NOT finds the rest.  Plain where it
 * can be, so an index on the column serves the term (seed:123). */
static void cmp_open(struct cc *c)
{
	if (c->neg)
		sb_adds(&c->q->sql, "coalesce(");
}

static void cmp_close(struct cc *c)
{
	if (c->neg)
		sb_adds(&c->q->sql, ", 0)");
}

static const char *op_sql(enum qop op)
{
	switch (op) {
	case OP_NE: return " <> ";
	case OP_LT: return " < ";
	case OP_LE: return " <= ";
	case OP_GT: return " > ";
	case OP_GE: return " >= ";
	default: return " = ";
	}
}

static int parse_num(const char *s, double *out)
{
	char *end;

	if (*s == '\0')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end || errno || !isfinite(*out) ? -1 : 0;
}

static int value_num(struct cc *c, const struct node *t, const char *v, int whole, double *out)
{
	double d;

	if (parse_num(v, &d) != 0 || (whole && d != floor(d))) {
		char *s = util_visible_dup(v, 0);
		cc_fail(c, t, "'%s' takes %s, not '%s'", t->f->name, whole ? "a whole number" : "a number", s);
		free(s);
		return -1;
	}
	*out = d;
	return 0;
}

static void bind_num(struct cc *c, double d, int whole)
{
	if (whole && fabs(d) < 9e18)
		q_int(c->q, (int64_t)d);
	else
		q_double(c->q, d);
}

/* coalesce(EXPR op ?, 0): a missing value matches no comparison, and
 * NOT finds the rest. */
static int numeric(struct cc *c, const struct node *t, const char *expr, int whole)
{
	double a, b;

	if (t->prefix) {
		cc_fail(c, t, "'%s' takes a number; '*' is for names and words", t->f->name);
		return -1;
	}
	if (t->op == OP_RANGE) {
		if ((*t->v && value_num(c, t, t->v, whole, &a)) || (*t->v2 && value_num(c, t, t->v2, whole, &b)))
			return -1;
		cmp_open(c);
		put_expr(c, expr);
		if (*t->v && *t->v2) {
			sb_adds(&c->q->sql, " BETWEEN ");
			bind_num(c, a, whole);
			sb_adds(&c->q->sql, " AND ");
			bind_num(c, b, whole);
		} else if (*t->v) {
			sb_adds(&c->q->sql, " >= ");
			bind_num(c, a, whole);
		} else if (*t->v2) {
			sb_adds(&c->q->sql, " <= ");
			bind_num(c, b, whole);
		} else {
			sb_adds(&c->q->sql, " IS NOT NULL");
		}
		cmp_close(c);
		return 0;
	}
	if (value_num(c, t, t->v, whole, &a))
		return -1;
	cmp_open(c);
	put_expr(c, expr);
	sb_adds(&c->q->sql, op_sql(t->op));
	bind_num(c, a, whole);
	cmp_close(c);
	return 0;
}

/* A LIKE pattern for a prefix, with % and _ escaped by '\'. */
static char *like_prefix(const char *v)
{
	struct sbuf b;

	sb_init(&b);
	for (; *v; v++) {
		if (*v == '%' || *v == '_' || *v == '\\')
			sb_addc(&b, '\\');
		sb_addc(&b, *v);
	}
	sb_addc(&b, '%');
	return sb_steal(&b);
}

/* "EXPR COLLATE NOCASE = ?" or "EXPR LIKE 'v%'"; expr_sql NULL: only the
 * comparison part after an expression already written. */
static int text_cmp(struct cc *c, const struct node *t)
{
	if (t->prefix) {
		if (t->op != OP_EQ && t->op != OP_NE)
			return cc_fail(c, t, "a prefix ('*') goes with ':' only");
		sb_adds(&c->q->sql, t->op == OP_NE ? " NOT LIKE " : " LIKE ");
		q_text_own(c->q, like_prefix(t->v));
		sb_adds(&c->q->sql, " ESCAPE '\\'");
		return 0;
	}
	/* on both operands (the left one sits just before), so the
	 * rewriter for PostgreSQL (db-pg.c) can make both citext */
	sb_adds(&c->q->sql, " COLLATE NOCASE");
	if (t->op == OP_RANGE) {
		sb_adds(&c->q->sql, " BETWEEN ");
		q_text_own(c->q, xstrdup(t->v));
		sb_adds(&c->q->sql, " COLLATE NOCASE AND ");
		q_text_own(c->q, xstrdup(t->v2));
	} else {
		sb_adds(&c->q->sql, op_sql(t->op));
		q_text_own(c->q, xstrdup(t->v));
	}
	sb_adds(&c->q->sql, " COLLATE NOCASE");
	return 0;
}

static int text_field(struct cc *c, const struct node *t)
{
	cmp_open(c);
	put_expr(c, t->f->expr);
	if (text_cmp(c, t))
		return -1;
	cmp_close(c);
	return 0;
}

/* Seconds in a unit of a duration, 0 when s is not one. */
static int64_t duration(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno || n < 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': return n;
	case 'm': return n * 60;
	case 'h': return n * 3600;
	case 'd': return n * 86400;
	case 'w': return n * 7 * 86400;
	case 'y': return n * 365 * 86400;
	default: return -1;
	}
}

/* YYYY-MM-DD as Unix seconds at 00:00 UTC, -1 when not a date. */
static int64_t date_of(const char *s)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end)
		return -1;
	return (int64_t)timegm(&tm);
}

static int time_field(struct cc *c, const struct node *t)
{
	int64_t d = t->op == OP_RANGE ? -1 : duration(t->v), day;
	enum qop op = t->op;

	if (t->prefix || t->op == OP_RANGE)
		return cc_fail(c, t, "write created:<7d (newer than 7 days), created:>2w, created>=2026-01-31 "
				     "or created:2026-01-31");
	if (d >= 0) {
		/* An age: "<7d" is newer than 7 days ago; ":7d" the same. */
		static const enum qop flip[] = { [OP_EQ] = OP_GE, [OP_NE] = OP_LT, [OP_LT] = OP_GT,
						 [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE };
		sb_adds(&c->q->sql, "c.created");
		sb_adds(&c->q->sql, op_sql(flip[op]));
		q_int(c->q, c->now - d);
		return 0;
	}
	day = date_of(t->v);
	if (day < 0) {
		char *s = util_visible_dup(t->v, 0);
		cc_fail(c, t, "'%s' is neither an age (30m, 12h, 7d, 2w, 1y) nor a date (2026-01-31)", s);
		free(s);
		return -1;
	}
	if (op == OP_EQ || op == OP_NE) {
		sb_adds(&c->q->sql, op == OP_EQ ? "c.created BETWEEN " : "c.created NOT BETWEEN ");
		q_int(c->q, day);
		sb_adds(&c->q->sql, " AND ");
		q_int(c->q, day + 86399);
		return 0;
	}
	sb_adds(&c->q->sql, "c.created");
	sb_adds(&c->q->sql, op_sql(op));
	q_int(c->q, op == OP_GT || op == OP_LE ? day + 86399 : day);
	return 0;
}

static int aspect_value(struct cc *c, const struct node *t, const char *v, double *out)
{
	const char *sep = strpbrk(v, ":/x");
	double a, b;
	char *num;

	if (sep) {
		num = xstrndup(v, (size_t)(sep - v));
		if (parse_num(num, &a) == 0 && parse_num(sep + 1, &b) == 0 && a > 0 && b > 0) {
			free(num);
			*out = a / b;
			return 0;
		}
		free(num);
	} else if (parse_num(v, out) == 0 && *out > 0) {
		return 0;
	}
	num = util_visible_dup(v, 0);
	cc_fail(c, t, "'%s' is not an aspect ratio: write 16:9, 1.5, portrait, landscape or square", num);
	free(num);
	return -1;
}

static int aspect_field(struct cc *c, const struct node *t)
{
	double a;

	if (t->op == OP_EQ && !t->prefix) {
		const char *cmp = strcasecmp(t->v, "portrait") == 0    ? " < 0.99"
				  : strcasecmp(t->v, "landscape") == 0 ? " > 1.01"
				  : strcasecmp(t->v, "square") == 0    ? " BETWEEN 0.99 AND 1.01"
								       : NULL;
		if (cmp) {
			cmp_open(c);
			put_expr(c, t->f->expr);
			sb_adds(&c->q->sql, cmp);
			cmp_close(c);
			return 0;
		}
		/* 16:9 means 1.777..., give it a little room. */
		if (aspect_value(c, t, t->v, &a))
			return -1;
		cmp_open(c);
		sb_adds(&c->q->sql, "abs(");
		put_expr(c, t->f->expr);
		sb_adds(&c->q->sql, " - ");
		q_double(c->q, a);
		sb_adds(&c->q->sql, ") < 0.01");
		cmp_close(c);
		return 0;
	}
	if (t->op == OP_RANGE || t->prefix)
		return cc_fail(c, t, "write aspect:16:9, aspect>1, aspect<=0.8, aspect:portrait");
	if (aspect_value(c, t, t->v, &a))
		return -1;
	cmp_open(c);
	put_expr(c, t->f->expr);
	sb_adds(&c->q->sql, op_sql(t->op));
	q_double(c->q, a);
	cmp_close(c);
	return 0;
}

static int id_field(struct cc *c, const struct node *t)
{
	if (t->op == OP_EQ && !t->prefix && (strcmp(t->v, "none") == 0 || strcmp(t->v, "any") == 0)) {
		put_expr(c, t->f->expr);
		sb_adds(&c->q->sql, t->v[0] == 'n' ? " IS NULL" : " IS NOT NULL");
		return 0;
	}
	return numeric(c, t, t->f->expr, 1);
}

static int flag_field(struct cc *c, const struct node *t)
{
	if ((t->op != OP_EQ && t->op != OP_NE) || t->prefix || lb_flag_parse(t->v) < 0) {
		char *s = util_visible_dup(t->v, 0);
		cc_fail(c, t, "write flag:pick, flag:reject or flag:none (your own flag), not 'flag%s%s'",
			t->op == OP_NE ? "!=" : ":", s);
		free(s);
		return -1;
	}
	put_expr(c, t->f->expr);
	sb_adds(&c->q->sql, t->op == OP_NE ? " <> " : " = ");
	q_text(c->q, lb_flag_name(lb_flag_parse(t->v)));
	return 0;
}

static int name_only(struct cc *c, const struct node *t)
{
	if (t->op != OP_EQ && !(t->op == OP_NE && !t->prefix))
		return cc_fail(c, t, "'%s' takes a name: %s:NAME or %s:PREFIX*", t->f->name, t->f->name, t->f->name);
	return 0;
}

/* Fewer than RARE rows answer count_sql (a count of at most RARE index
 * entries) for name: the term's candidates can be read by id. */
#define RARE 2000
static int is_rare(struct cc *c, const char *count_sql, const char *name)
{
	db_stmt *s;
	int n = RARE;

	if (c->st == NULL)
		return 0;
	s = st_prep(c->st, count_sql);
	if (s == NULL)
		return 0;
	st_bind_text(s, 1, name);
	if (db_step(s) == DB_ROW)
		n = db_column_int(s, 0);
	db_reset(s);
	return n < RARE;
}

static int tag_is_rare(struct cc *c, const char *name)
{
	return is_rare(c, "SELECT count(*) FROM (SELECT 1 FROM candidate_tag WHERE tag_id ="
			  " (SELECT id FROM tag WHERE name = ?1) LIMIT 2000)",
		       name);
}

static int tag_field(struct cc *c, const struct node *t)
{
	if (name_only(c, t))
		return -1;
	sb_adds(&c->q->sql, t->op == OP_NE ? "NOT " : "");
	if (t->prefix) {
		sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM candidate_tag ct JOIN tag tg ON tg.id = ct.tag_id"
				    " WHERE ct.candidate_id = c.id AND tg.name LIKE ");
		q_text_own(c->q, like_prefix(t->v));
		sb_adds(&c->q->sql, " ESCAPE '\\')");
		return 0;
	}
	/* A rare tag drives the list: its candidates are read by id from
	 * the tag's index range.  A common one is checked row by row as the
	 * list walks (the first page comes after a few dozen rows). */
	if (!c->neg && t->op == OP_EQ && tag_is_rare(c, t->v)) {
		c->q->drives |= !c->in_or;
		sb_adds(&c->q->sql, "c.id IN (SELECT ct.candidate_id FROM candidate_tag ct"
				    " WHERE ct.tag_id = (SELECT tg.id FROM tag tg WHERE tg.name = ");
		q_text_own(c->q, xstrdup(t->v));
		sb_adds(&c->q->sql, "))");
		return 0;
	}
	/* tag.name is NOCASE and unique: one lookup, then the pair's key. */
	sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM candidate_tag ct WHERE ct.candidate_id = c.id"
			    " AND ct.tag_id = (SELECT tg.id FROM tag tg WHERE tg.name = ");
	q_text_own(c->q, xstrdup(t->v));
	sb_adds(&c->q->sql, "))");
	return 0;
}

/* Fewer than RARE candidates carry the LoRA (names as lora_field binds them). */
static int lora_is_rare(struct cc *c, const char *name)
{
	return is_rare(c, "SELECT count(*) FROM (SELECT 1 FROM candidate_lora WHERE name IN (?1, ?1 || '.safetensors')"
			  " LIMIT 2000)",
		       name);
}

static int lora_field(struct cc *c, const struct node *t)
{
	if (name_only(c, t))
		return -1;
	/* The LoRAs of params.loras are rows of candidate_lora (schema 10,
	 * kept by triggers); a name matches with or without its file
	 * extension, in any case. */
	sb_adds(&c->q->sql, t->op == OP_NE ? "NOT " : "");
	if (t->prefix) {
		sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM candidate_lora cl WHERE cl.candidate_id = c.id"
				    " AND cl.name LIKE ");
		q_text_own(c->q, like_prefix(t->v));
		sb_adds(&c->q->sql, " ESCAPE '\\')");
		return 0;
	}
	/* A rare one drives the list: its candidates from the name's range. */
	if (!c->neg && t->op == OP_EQ && lora_is_rare(c, t->v)) {
		c->q->drives |= !c->in_or;
		sb_adds(&c->q->sql, "c.id IN (SELECT cl.candidate_id FROM candidate_lora cl WHERE cl.name IN (");
	} else {
		sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM candidate_lora cl WHERE cl.candidate_id = c.id AND cl.name IN (");
	}
	q_text_own(c->q, xstrdup(t->v));
	sb_adds(&c->q->sql, ", ");
	q_text_own(c->q, xasprintf("%s.safetensors", t->v));
	sb_adds(&c->q->sql, "))");
	return 0;
}

/* param:KEY (present), param:KEY=VALUE, param:KEY>=N.  A KEY with dots
 * is a path (param:3.inputs.seed=5); a plain KEY is looked for at any
 * depth, so the inputs of a ComfyUI node are found by name. */
static int param_field(struct cc *c, const struct node *t)
{
	struct sbuf path;
	const char *k;
	double d;
	int num;

	if (strchr(t->key, '.')) {
		sb_init(&path);
		sb_adds(&path, "$");
		for (k = t->key; *k;) {
			size_t n = strcspn(k, ".");
			sb_adds(&path, ".\"");
			for (size_t j = 0; j < n; j++) {
				if (k[j] == '"' || k[j] == '\\')
					sb_addc(&path, '\\');
				sb_addc(&path, k[j]);
			}
			sb_addc(&path, '"');
			k += n;
			if (*k == '.')
				k++;
		}
		sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM (SELECT json_extract(c.params, ");
		q_text_own(c->q, sb_steal(&path));
		sb_adds(&c->q->sql, ") AS atom) pj WHERE pj.atom IS NOT NULL");
	} else {
		/* The key's own value, or the elements of an array under it. */
		sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM json_tree(c.params) pj WHERE (pj.key = ");
		q_text_own(c->q, xstrdup(t->key));
		/* an element of an array (its key is its index) under KEY */
		sb_adds(&c->q->sql, " OR (pj.fullkey = pj.path || '[' || pj.key || ']' AND pj.path = ");
		q_text_own(c->q, xasprintf("$.%s", t->key));
		sb_adds(&c->q->sql, "))");
		if (t->op != OP_HAS)
			sb_adds(&c->q->sql, " AND pj.atom IS NOT NULL");
	}
	if (t->op != OP_HAS) {
		sb_adds(&c->q->sql, " AND ");
		num = !t->prefix && !t->phrase && t->op != OP_RANGE && parse_num(t->v, &d) == 0;
		if (num) {
			/* A number stored as a number or as text (true is 1). */
			sb_adds(&c->q->sql, "CAST(pj.atom AS REAL)");
			sb_adds(&c->q->sql, op_sql(t->op));
			q_double(c->q, d);
		} else if (t->op == OP_RANGE && parse_num(t->v, &d) == 0) {
			double e;
			if (value_num(c, t, t->v2, 0, &e))
				return -1;
			sb_adds(&c->q->sql, "CAST(pj.atom AS REAL) BETWEEN ");
			q_double(c->q, d);
			sb_adds(&c->q->sql, " AND ");
			q_double(c->q, e);
		} else {
			sb_adds(&c->q->sql, "pj.atom");
			if (text_cmp(c, t))
				return -1;
		}
	}
	sb_adds(&c->q->sql, ")");
	return 0;
}

static int curator_field(struct cc *c, const struct node *t)
{
	const char *e = t->f->expr, *m = strrchr(e, '?');
	char *head;

	if (t->op != OP_EQ || t->prefix)
		return cc_fail(c, t, "write %s:NAME (or %s:me)", t->f->name, t->f->name);
	head = xstrndup(e, (size_t)(m - e));
	put_expr(c, head);
	free(head);
	q_text_own(c->q, xstrdup(strcmp(t->v, "me") == 0 ? c->me : t->v));
	sb_adds(&c->q->sql, m + 1);
	return 0;
}

/* Words typed by a user as an FTS5 query that cannot be a syntax error:
 * each quoted; a word is a prefix, a phrase only with '*'. */
static void fts_word(struct sbuf *b, const struct node *t)
{
	const char *p;

	if (b->len)
		sb_addc(b, ' ');
	sb_addc(b, '"');
	for (p = t->v; *p; p++) {
		if (*p == '"')
			sb_addc(b, '"');
		sb_addc(b, *p);
	}
	sb_addc(b, '"');
	if (!t->phrase || t->prefix)
		sb_addc(b, '*');
}

/* The words match no brief revision's text and fewer than RARE
 * candidates' own: the candidates can be read from the index. */
static int fts_is_rare(struct cc *c, const char *fts)
{
	db_stmt *s;
	int n = RARE;

	if (c->st == NULL || c->neg)
		return 0;
	s = st_prep(c->st, "SELECT EXISTS (SELECT 1 FROM revision_fts WHERE revision_fts MATCH ?1),"
			   " (SELECT count(*) FROM (SELECT 1 FROM candidate_fts WHERE candidate_fts MATCH ?1 LIMIT 2000))");
	if (s == NULL)
		return 0;
	st_bind_text(s, 1, fts);
	if (db_step(s) == DB_ROW && db_column_int(s, 0) == 0)
		n = db_column_int(s, 1);
	db_reset(s);
	return n < RARE;
}

/* The notes n that blind review lets me see (appended after a MATCH). */
#define NOTE_VISIBLE \
	ST_VISIBLE_TO("(SELECT nc.brief_id FROM candidate nc WHERE nc.id = n.candidate_id)", "n.candidate_id", "n.curator", "?me") ")"

/* A candidate matches through its own text, its notes or its revision's. */
static void fts_cond(struct cc *c, char *fts, int notes_only)
{
	if (notes_only) {
		sb_adds(&c->q->sql, "c.id IN (SELECT n.candidate_id FROM note_fts JOIN note n"
				    " ON n.id = note_fts.rowid WHERE note_fts MATCH ");
		q_text_own(c->q, fts);
		put_expr(c, NOTE_VISIBLE);
		return;
	}
	if (fts_is_rare(c, fts)) {
		/* Few matches: they drive the page, read by id. */
		c->q->drives |= !c->in_or;
		sb_adds(&c->q->sql, "c.id IN (SELECT rowid FROM candidate_fts WHERE candidate_fts MATCH ");
		q_text_own(c->q, fts);
		sb_adds(&c->q->sql, " UNION SELECT n.candidate_id FROM note_fts JOIN note n ON n.id = note_fts.rowid"
				    " WHERE note_fts MATCH ");
		q_text(c->q, fts);
		put_expr(c, NOTE_VISIBLE);
		return;
	}
	sb_adds(&c->q->sql, "(c.id IN (SELECT rowid FROM candidate_fts WHERE candidate_fts MATCH ");
	q_text_own(c->q, fts);
	sb_adds(&c->q->sql, ") OR c.id IN (SELECT n.candidate_id FROM note_fts JOIN note n"
			    " ON n.id = note_fts.rowid WHERE note_fts MATCH ");
	q_text(c->q, fts);
	put_expr(c, NOTE_VISIBLE " OR c.revision_id IN (SELECT rowid FROM revision_fts WHERE revision_fts MATCH ");
	q_text(c->q, fts);
	sb_adds(&c->q->sql, "))");
}

static int note_field(struct cc *c, const struct node *t)
{
	struct node w = *t;
	struct sbuf b;
	char *copy, *tok, *save = NULL;

	if (t->op != OP_EQ)
		return cc_fail(c, t, "write note:WORD or note:\"a phrase\"");
	sb_init(&b);
	if (t->phrase) {
		fts_word(&b, t);
	} else {
		copy = xstrdup(t->v);
		for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			w.v = tok;
			w.phrase = 0;
			fts_word(&b, &w);
		}
		free(copy);
	}
	fts_cond(c, sb_steal(&b), 1);
	return 0;
}

/* What `lightbox conflicts` lists by the store's rules: stars `gap` or
 * more apart, a pick against a reject (SQL), or a pairwise order against
 * the stars (store_conflicts, in temp.lb_disputed: st_disputes_ready). */
static int disputed_term(struct cc *c, const struct node *t)
{
	int gap = c->st ? c->st->dispute_gap : LB_DISPUTE_GAP;
	char *sql;

	if (c->st && st_disputes_ready(c->st, c->q->brief_id, c->q->project_id) != 0)
		return cc_fail(c, t, "disputed: %s", store_errmsg(c->st));
	sql = xasprintf("(coalesce((SELECT max(x.stars) - min(x.stars)" RATING_OF_C "), 0) >= %d OR (EXISTS (SELECT 1"
			RATING_OF_C " AND x.flag = 'pick') AND EXISTS (SELECT 1" RATING_OF_C
			" AND x.flag = 'reject'))%s)",
			gap, c->st && c->st->dispute_bt_gap > 0 ? " OR c.id IN (SELECT d.id FROM temp.lb_disputed d)" : "");
	put_expr(c, sql);
	free(sql);
	return 0;
}

/* The stacks of the query's scope, once per query. */
static int stacks_ready(struct cc *c, const struct node *t)
{
	if (c->st == NULL || c->stacks)
		return 0;
	if (st_stacks_ready(c->st, c->q->brief_id, c->q->project_id) != 0)
		return cc_fail(c, t, "%s", store_errmsg(c->st));
	c->stacks = 1;
	return 0;
}

/* stack:top (best, head), stack:rest, stack:alone, stack:stacked,
 * stack:N (the stack candidate N is in), stack>N (stacks of more than N
 * candidates).  The stacks are grouped in C (query-stacks.c). */
static int stack_field(struct cc *c, const struct node *t)
{
	static const struct {
		const char *word, *cond;
	} words[] = { { "top", "s.rank = 0" },	  { "best", "s.rank = 0" },   { "head", "s.rank = 0" },
		      { "rest", "s.rank > 0" },	  { "alone", "s.size = 1" },  { "stacked", "s.size > 1" } };
	size_t k;
	double d;

	if (t->prefix || t->op == OP_NE)
		goto bad;
	if (t->op == OP_EQ) {
		for (k = 0; k < sizeof words / sizeof words[0]; k++) {
			if (strcasecmp(t->v, words[k].word) != 0)
				continue;
			if (stacks_ready(c, t))
				return -1;
			sb_adds(&c->q->sql, "EXISTS (SELECT 1 FROM temp.lb_stack_of s WHERE s.id = c.id AND ");
			sb_adds(&c->q->sql, words[k].cond);
			sb_adds(&c->q->sql, ")");
			return 0;
		}
		if (parse_num(t->v, &d) != 0 || d != floor(d) || d < 1)
			goto bad;
		if (c->st) {
			/* The stack of candidate N, in N's brief. */
			int64_t brief = 0;
			db_stmt *s = st_prep(c->st, "SELECT brief_id FROM candidate WHERE id = ?");
			if (s == NULL)
				return cc_fail(c, t, "%s", store_errmsg(c->st));
			db_bind_int64(s, 1, (int64_t)d);
			if (db_step(s) == DB_ROW)
				brief = db_column_int64(s, 0);
			db_reset(s);
			if (brief == 0)
				return cc_fail(c, t, "there is no candidate %lld: stack:N is the stack candidate N is in",
					       (long long)d);
			if (st_stacks_ready(c->st, brief, 0) != 0)
				return cc_fail(c, t, "%s", store_errmsg(c->st));
		}
		/* A few candidates: they drive the page. */
		c->q->drives |= !c->in_or && !c->neg;
		sb_adds(&c->q->sql, "c.id IN (SELECT s.id FROM temp.lb_stack_of s WHERE s.head ="
				    " (SELECT s2.head FROM temp.lb_stack_of s2 WHERE s2.id = ");
		q_int(c->q, (int64_t)d);
		sb_adds(&c->q->sql, "))");
		return 0;
	}
	if (stacks_ready(c, t))
		return -1;
	return numeric(c, t, "(SELECT s.size FROM temp.lb_stack_of s WHERE s.id = c.id)", 1);
bad:
	{
		char *v = util_visible_dup(t->v, 0);
		cc_fail(c, t,
			"'stack%s%s' is not a stack term: write stack:top (the best of each stack), stack:rest, "
			"stack:alone, stack:stacked, stack:N (the stack of candidate N) or stack>N (stacks of "
			"more than N)",
			t->op == OP_NE ? "!=" : ":", v);
		free(v);
	}
	return -1;
}

/* My stars in a brief.  The brief's ratings are one key range of the
 * rating table, in candidate order: a list page that joins my rating
 * walks that range (query.by_my); elsewhere, when fewer than RARE_RATED
 * of my ratings of the brief qualify, they drive as an IN list.  Either
 * instead of a walk of the brief that looks up each candidate's rating. */
#define RARE_RATED 20000
static int stars_field(struct cc *c, const struct node *t)
{
	struct query cq, *outer = c->q;
	db_stmt *s;
	int n = RARE_RATED, rc;
	int64_t mark[2];
	char *key;

	if (c->st == NULL || c->neg || c->in_or || outer->brief_id == 0 || t->prefix)
		return numeric(c, t, t->f->expr, 1);
	if (outer->has_my) {
		/* A list page joins my rating: the page walks the brief's
		 * ratings in candidate order (the rating key) and stops at a
		 * page, rather than walking the brief's candidates. */
		outer->by_my = 1;
		sb_adds(&outer->sql, "my.brief_id = ");
		q_int(outer, outer->brief_id);
		sb_adds(&outer->sql, " AND ");
		return numeric(c, t, "my.stars", 1);
	}
	q_init(&cq, 1);
	c->q = &cq;
	sb_adds(&cq.sql, "SELECT count(*) FROM (SELECT 1 FROM rating x WHERE x.brief_id = ");
	q_int(&cq, outer->brief_id);
	sb_adds(&cq.sql, " AND x.curator = ");
	q_text(&cq, c->me);
	sb_adds(&cq.sql, " AND ");
	rc = numeric(c, t, "x.stars", 1);
	c->q = outer;
	sb_addf(&cq.sql, " LIMIT %d)", RARE_RATED);
	/* The next page of the same query, the store unchanged: the same count. */
	st_change_mark(c->st, mark);
	key = xasprintf("%lld|%s|%d|%s|%s", (long long)outer->brief_id, c->me, (int)t->op, t->v,
			t->v2 ? t->v2 : "");
	if (rc == 0 && c->st->stars_key && strcmp(key, c->st->stars_key) == 0 &&
	    memcmp(mark, c->st->stars_mark, sizeof mark) == 0) {
		n = c->st->stars_n;
	} else if (rc == 0 && (s = st_prep(c->st, cq.sql.s)) != NULL) {
		q_bind(s, &cq);
		if (db_step(s) == DB_ROW)
			n = db_column_int(s, 0);
		db_reset(s);
		free(c->st->stars_key);
		c->st->stars_key = key;
		key = NULL;
		c->st->stars_n = n;
		memcpy(c->st->stars_mark, mark, sizeof mark);
	}
	free(key);
	q_free(&cq);
	if (rc)
		return rc;
	if (n >= RARE_RATED)
		return numeric(c, t, t->f->expr, 1);
	c->q->drives = 1;
	sb_adds(&c->q->sql, "c.id IN (SELECT x.candidate_id FROM rating x WHERE x.brief_id = ");
	q_int(c->q, outer->brief_id);
	sb_adds(&c->q->sql, " AND x.curator = ");
	q_text(c->q, c->me);
	sb_adds(&c->q->sql, " AND ");
	numeric(c, t, "x.stars", 1);
	sb_adds(&c->q->sql, ")");
	return 0;
}

static int compile(struct cc *c, const struct node *n);

static int field_term(struct cc *c, const struct node *t)
{
	switch (t->f->type) {
	case FT_INT:
	case FT_NUM:
		if (strcmp(t->f->name, "stars") == 0)
			return stars_field(c, t);
		return numeric(c, t, t->f->expr, t->f->type == FT_INT);
	case FT_TEXT: return text_field(c, t);
	case FT_TIME: return time_field(c, t);
	case FT_ASPECT: return aspect_field(c, t);
	case FT_FLAG: return flag_field(c, t);
	case FT_TAG: return tag_field(c, t);
	case FT_LORA: return lora_field(c, t);
	case FT_PARAM: return param_field(c, t);
	case FT_CURATOR: return curator_field(c, t);
	case FT_NOTE: return note_field(c, t);
	case FT_ID: return id_field(c, t);
	case FT_STACK: return stack_field(c, t);
	}
	return -1;
}

/* AND and OR children, with the free words of an AND searched as one
 * full-text query (all words in one text, as search always did). */
static int group(struct cc *c, const struct node *n)
{
	struct sbuf words;
	int i, first = 1;

	sb_init(&words);
	sb_addc(&c->q->sql, '(');
	if (n->kind == N_OR && n->n > 1)
		c->in_or++;
	for (i = 0; i < n->n; i++) {
		if (n->kind == N_AND && n->kid[i]->kind == N_WORD) {
			fts_word(&words, n->kid[i]);
			continue;
		}
		if (!first)
			sb_adds(&c->q->sql, n->kind == N_AND ? " AND " : " OR ");
		first = 0;
		if (compile(c, n->kid[i])) {
			sb_free(&words);
			return -1;
		}
	}
	if (n->kind == N_OR && n->n > 1)
		c->in_or--;
	if (words.len) {
		if (!first)
			sb_adds(&c->q->sql, " AND ");
		fts_cond(c, sb_steal(&words), 0);
	}
	sb_free(&words);
	sb_addc(&c->q->sql, ')');
	return 0;
}

static int compile(struct cc *c, const struct node *n)
{
	struct sbuf w;
	int rc;

	switch (n->kind) {
	case N_AND:
	case N_OR:
		if (n->n == 1 && n->kid[0]->kind != N_WORD)
			return compile(c, n->kid[0]);
		return group(c, n);
	case N_NOT:
		sb_adds(&c->q->sql, "NOT ");
		c->neg = !c->neg;
		rc = compile(c, n->kid[0]);
		c->neg = !c->neg;
		return rc;
	case N_WORD:
		sb_init(&w);
		fts_word(&w, n);
		fts_cond(c, sb_steal(&w), 0);
		return 0;
	case N_FLAGWORD:
		if (strcmp(flag_words[n->flagword].word, "disputed") == 0)
			return disputed_term(c, n);
		put_expr(c, flag_words[n->flagword].sql);
		if (flag_words[n->flagword].me) {
			q_text(c->q, c->me);
			sb_adds(&c->q->sql, ")");
		}
		return 0;
	case N_FIELD:
		return field_term(c, n);
	}
	return -1;
}

/* Parses and compiles text into q (after " AND "); -1 with *err. */
static int parse_compile(struct store *st, struct query *q, const char *text, const char *me, char **err)
{
	struct lb_query *lq;
	struct cc c = { 0 };
	size_t mark = q->sql.len;
	int nb = q->n, rc = 0;

	if (lb_query_parse(text, &lq, err) != 0)
		return -1;
	if (lq->root) {
		c.st = st;
		c.q = q;
		c.me = me;
		c.now = util_now();
		sb_adds(&q->sql, " AND ");
		if (compile(&c, lq->root) != 0) {
			*err = c.err;
			rc = -1;
			while (q->n > nb)
				free(q->b[--q->n].own);
			q->sql.len = mark;
			q->sql.s[mark] = '\0';
		}
	}
	lb_query_free(lq);
	return rc;
}

int lb_query_check(const char *text, char **err)
{
	struct query q;
	int rc;

	*err = NULL;
	q_init(&q, 1);
	rc = parse_compile(NULL, &q, text ? text : "", "", err);
	q_free(&q);
	return rc;
}

int st_query_where(struct store *st, struct query *q, const char *text)
{
	char *err = NULL;

	if (text == NULL || q->err)
		return q->err;
	if (parse_compile(st, q, text, st->curator, &err) != 0) {
		q->err = st_fail(st, STORE_EINVAL, "query: %s", err);
		free(err);
	}
	return q->err;
}

char *store_query_sql(struct store *st, const char *text)
{
	struct query q;
	char *s;

	q_init(&q, 1);
	if (st_query_where(st, &q, text) != 0) {
		q_free(&q);
		return NULL;
	}
	s = sb_steal(&q.sql);
	q_free(&q);
	return s;
}
