/*
 * db-pg.c - the PostgreSQL dialect of db.h, through libpq (issue 18).
 *
 * A statement is written once, in SQLite's dialect; db_pg_translate
 * rewrites it when it is prepared, so everything that differs between the
 * two is in this file (and the schema in schema-pg.c):
 *
 *   ?N and ?                 $N (a bare ? is one more than the largest so far)
 *   INSERT OR IGNORE         INSERT ... ON CONFLICT DO NOTHING
 *   INSERT OR REPLACE        INSERT ... ON CONFLICT (key) DO UPDATE SET ...
 *                            (the keys of the tables it is used on: upsert_keys)
 *   INSERT INTO <id table>   ... RETURNING id (db_last_insert_rowid)
 *   a IS b, a IS NOT b       IS [NOT] DISTINCT FROM (SQLite's IS compares values)
 *   ifnull, max(a, b), min(a, b), group_concat, printf, instr, round(x, n), char,
 *   length(CAST(x AS BLOB)), CAST(x AS INTEGER/REAL/BLOB)
 *                            coalesce, greatest, least, string_agg, concat of
 *                            pieces, strpos, octet_length, bigint/float8/bytea
 *   an integer where a truth value is wanted (WHERE undoable, NOT b.archived,
 *   ?3 OR ...)               (x <> 0)
 *   FROM (subquery)          FROM (subquery) AS _lbN (PostgreSQL wants a name)
 *   t_fts MATCH q            t_fts.tsv @@ lb_tsquery(q) (schema-pg.c)
 *   json_extract, json_tree, pg_temp.lb_json_extract, lb_json_tree, lb_json_each
 *   json_each                (pg_json_sql:
 *                            the same results, as text), and CAST(... AS REAL or
 *                            INTEGER) of one (or of json_tree's atom) lb_json_num
 *   x COLLATE NOCASE         CAST(x AS citext) (query.c puts it on both operands)
 *   LIKE                     ILIKE (SQLite's LIKE ignores case)
 *
 * Parameters go as text with their types (int8, float8, bytea; text is
 * left for the server to infer, as a quoted literal would be).  A
 * statement is prepared on the server at its first step (PQprepare, named
 * lbN), with the types bound then; a later step with other types runs
 * unnamed.  Results are read as text.  Writers take a transaction-scoped
 * advisory lock at BEGIN, so they are serialised as on SQLite (whose
 * BEGIN IMMEDIATE the store's transactions were written for); a reader's
 * plain BEGIN is REPEATABLE READ, one snapshot as in SQLite.
 */
#include "config.h"

#include "db.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* The store's write lock: pg_advisory_xact_lock of "LBOX". */
#define PG_WRITE_LOCK "SELECT pg_advisory_xact_lock(1279414104)"

struct pg {
	struct db base;
	PGconn *c;
	int64_t last_id;
	int changes;
	int64_t total;  /* rows changed since opened (db_total_changes64) */
	int last_rc;    /* the code of the last failure (db_errcode) */
	int readonly;
	unsigned long names; /* prepared statements named so far */
	int listening;       /* LISTEN lightbox sent */
	int json_fns;        /* pg_json_sql made for the session */
	int64_t heard;       /* notifications received (data_version) */
	char *payload;       /* what the next commit's NOTIFY says (NULL: nothing) */
	struct db_heard what; /* what the notifications heard said (db_changes_heard) */
	struct sbuf err;
};

struct pg_stmt {
	db_stmt base;
	struct pg *db;
	char *sql;        /* PostgreSQL's text */
	int np;           /* parameters */
	int returning;    /* an INSERT given RETURNING id */
	char **vals;      /* np bound values as text (NULL: SQL NULL) */
	int *lens;
	Oid *types;
	Oid *ptypes;      /* the types it was prepared with */
	int prepared;
	char name[24];
	PGresult *res;
	int row, nrows, done;
	char *blob;       /* the last column_blob, decoded */
};

static const struct db_ops pg_ops;

/* ------------------------------------------------------------ translation */

enum { T_END, T_WS, T_IDENT, T_NUM, T_STR, T_QIDENT, T_PARAM, T_PUNCT };

struct tok {
	int kind;
	const char *p;
	size_t n;
	int match; /* for "(": the index of its ")" */
};

struct tr {
	struct tok *t;
	int nt;
	struct sbuf out;
	int maxp;
	int alias;
	int bad; /* a construct not translated: the message */
	char *why;
	int id_from, id_to; /* the value given for an identity id: NULL takes the next */
	char table[64];
};

static void lex(const char *sql, struct tr *tr)
{
	const char *p = sql;
	int cap = 64, stack[256], depth = 0;

	tr->t = xmalloc(cap * sizeof *tr->t);
	tr->nt = 0;
	while (*p) {
		struct tok k = { T_PUNCT, p, 1, -1 };

		if (isspace((unsigned char)*p)) {
			k.kind = T_WS;
			while (isspace((unsigned char)p[k.n]))
				k.n++;
		} else if (p[0] == '-' && p[1] == '-') {
			k.kind = T_WS;
			while (p[k.n] && p[k.n] != '\n')
				k.n++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			k.kind = T_WS;
			k.n = e ? (size_t)(e + 2 - p) : strlen(p);
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			k.kind = T_IDENT;
			while (isalnum((unsigned char)p[k.n]) || p[k.n] == '_' || p[k.n] == '$' ||
			       (p[k.n] == '.' && (isalpha((unsigned char)p[k.n + 1]) || p[k.n + 1] == '_')))
				k.n++;
		} else if (isdigit((unsigned char)*p)) {
			k.kind = T_NUM;
			while (isalnum((unsigned char)p[k.n]) || p[k.n] == '.')
				k.n++;
		} else if (*p == '\'' || *p == '"') {
			k.kind = *p == '\'' ? T_STR : T_QIDENT;
			for (;;) {
				if (p[k.n] == '\0')
					break;
				if (p[k.n] == *p) {
					if (p[k.n + 1] == *p) {
						k.n += 2;
						continue;
					}
					k.n++;
					break;
				}
				k.n++;
			}
		} else if (*p == '?') {
			k.kind = T_PARAM;
			while (isdigit((unsigned char)p[k.n]))
				k.n++;
		} else if (strchr("<>!=|", p[0]) && p[1] && strchr("<>=|", p[1])) {
			k.n = 2;
		}
		if (tr->nt + 1 >= cap) {
			cap *= 2;
			tr->t = xrealloc(tr->t, cap * sizeof *tr->t);
		}
		if (k.kind == T_PUNCT && *p == '(' && depth < 256)
			stack[depth++] = tr->nt;
		if (k.kind == T_PUNCT && *p == ')' && depth > 0)
			tr->t[stack[--depth]].match = tr->nt;
		tr->t[tr->nt++] = k;
		p += k.n;
	}
	tr->t[tr->nt] = (struct tok){ T_END, p, 0, -1 };
}

static int is(const struct tok *k, const char *word)
{
	return (k->kind == T_IDENT || k->kind == T_PUNCT) && k->n == strlen(word) &&
	       strncasecmp(k->p, word, k->n) == 0;
}

/* The next / previous token that is not white space, or -1 / nt. */
static int next_sig(const struct tr *tr, int i)
{
	for (i++; i < tr->nt && tr->t[i].kind == T_WS; i++)
		;
	return i;
}

static int prev_sig(const struct tr *tr, int i)
{
	for (i--; i >= 0 && tr->t[i].kind == T_WS; i--)
		;
	return i;
}

static const char *const keywords[] = {
	"select", "from", "where", "and", "or", "not", "null", "true", "false", "is", "in", "exists",
	"case", "when", "then", "else", "end", "as", "on", "join", "left", "inner", "cross", "group",
	"order", "by", "limit", "offset", "having", "union", "except", "intersect", "distinct", "all",
	"asc", "desc", "values", "set", "insert", "update", "delete", "into", "returning", "like",
	"between", "filter", "window", "using", "collate", "escape", "match", "cast", NULL,
};

static int keyword(const struct tok *k)
{
	size_t i;

	if (k->kind != T_IDENT)
		return 0;
	for (i = 0; keywords[i]; i++)
		if (is(k, keywords[i]))
			return 1;
	return 0;
}

static int at(const struct tr *tr, int i, const char *word)
{
	return i >= 0 && i < tr->nt && is(&tr->t[i], word);
}

/* Whether tokens [first, last] stand where a truth value is wanted (and
 * so, being an integer in SQLite, must be compared with 0). */
static int bool_span(const struct tr *tr, int first, int last)
{
	int p = prev_sig(tr, first), n = next_sig(tr, last), j, ok_before = 0, ok_after = n >= tr->nt;
	static const char *const before[] = { "where", "and", "or", "not", "when", "having", NULL };
	static const char *const after[] = { "and", "or", ")", "order", "group", "limit", "then",
					     "having", "union", ";", NULL };

	/* BETWEEN a AND b: that AND is not a truth value's */
	if (at(tr, p, "and") && at(tr, prev_sig(tr, prev_sig(tr, p)), "between"))
		return 0;
	if ((at(tr, n, "and") || at(tr, n, "or")) &&
	    (at(tr, p, "select") || at(tr, p, ",") || at(tr, p, "(") || at(tr, p, "then") || at(tr, p, "else")) &&
	    !at(tr, prev_sig(tr, p), "between"))
		return 1; /* SELECT x AND ... */
	for (j = 0; after[j] && !ok_after; j++)
		ok_after = at(tr, n, after[j]);
	if (!ok_after)
		return 0;
	if (at(tr, p, "("))
		p = prev_sig(tr, p);
	for (j = 0; before[j] && !ok_before; j++)
		ok_before = at(tr, p, before[j]);
	return ok_before;
}

/* An integer operand standing where a truth value is wanted. */
static int bool_operand(const struct tr *tr, int i)
{
	const struct tok *k = &tr->t[i];
	int n = next_sig(tr, i);

	if (!((k->kind == T_IDENT && !keyword(k)) || k->kind == T_PARAM || k->kind == T_NUM))
		return 0;
	if (n < tr->nt && is(&tr->t[n], "("))
		return 0; /* a function */
	return bool_span(tr, i, i);
}

static void emit(struct tr *tr, int i0, int i1);

static void emit_tok(struct tr *tr, const struct tok *k)
{
	sb_add(&tr->out, k->p, k->n);
}

/* The translated text of tokens [i0, i1), owned. */
static char *text_of(struct tr *tr, int i0, int i1)
{
	struct sbuf save = tr->out;
	char *s;

	sb_init(&tr->out);
	emit(tr, i0, i1);
	s = sb_steal(&tr->out);
	sb_free(&tr->out);
	tr->out = save;
	return s;
}

/* The arguments of the call whose "(" is token open: starts[k], ends[k]. */
static int split_args(const struct tr *tr, int open, int *starts, int *ends, int max)
{
	int close = tr->t[open].match, i, n = 0, s = open + 1;

	for (i = open + 1; i <= close && n < max; i++) {
		if (i == close || is(&tr->t[i], ",")) {
			starts[n] = s;
			ends[n++] = i;
			s = i + 1;
		} else if (is(&tr->t[i], "(") && tr->t[i].match > i) {
			i = tr->t[i].match;
		}
	}
	return n;
}

/* Whether tokens [i0, i1) are a comparison or a logical expression at
 * their top level (a truth value in PostgreSQL). */
static int truth(const struct tr *tr, int i0, int i1)
{
	static const char *const ops[] = { "=", "<", ">", "<=", ">=", "<>", "!=", "==", "is", "in",
					   "like", "between", "and", "or", "not", "exists", NULL };
	int i, j;

	for (i = i0; i < i1; i++) {
		if (is(&tr->t[i], "(") && tr->t[i].match > i) {
			i = tr->t[i].match;
			continue;
		}
		for (j = 0; ops[j]; j++)
			if (is(&tr->t[i], ops[j]))
				return 1;
	}
	return 0;
}

/* printf(fmt, args...) as concat(...) of its pieces. */
static void emit_printf(struct tr *tr, int open)
{
	int st[16], en[16], n = split_args(tr, open, st, en, 16), a = 1, f = next_sig(tr, st[0] - 1);
	const struct tok *k = &tr->t[f];
	const char *p, *e;
	char *arg;

	if (k->kind != T_STR) {
		tr->bad = 1;
		tr->why = xstrdup("printf with a format that is not a literal");
		return;
	}
	sb_adds(&tr->out, "concat(''");
	p = k->p + 1;
	e = k->p + k->n - 1;
	while (p < e) {
		const char *q = p;
		int prec = 6;

		while (q < e && *q != '%')
			q++;
		if (q > p) {
			sb_adds(&tr->out, ", '");
			sb_add(&tr->out, p, q - p);
			sb_adds(&tr->out, "'");
		}
		if (q >= e)
			break;
		q++;
		if (*q == '%') {
			sb_adds(&tr->out, ", '%'");
			p = q + 1;
			continue;
		}
		if (*q == '.') {
			prec = atoi(q + 1);
			q++;
			while (isdigit((unsigned char)*q))
				q++;
		}
		arg = a < n ? text_of(tr, st[a], en[a]) : xstrdup("NULL");
		a++;
		if (*q == 'd')
			sb_addf(&tr->out, ", CAST(trunc(%s) AS bigint)", arg);
		else if (*q == 'f')
			sb_addf(&tr->out, ", round(CAST(%s AS numeric), %d)", arg, prec);
		else
			sb_addf(&tr->out, ", CAST(%s AS text)", arg);
		free(arg);
		p = q + 1;
	}
	sb_adds(&tr->out, ")");
}

/* A function call or CAST whose name is token i and "(" token open;
 * returns 1 when translated (else the caller copies it). */
static int emit_call(struct tr *tr, int i, int open)
{
	int st[16], en[16], n = split_args(tr, open, st, en, 16), close = tr->t[open].match;
	const struct tok *k = &tr->t[i];
	char *a, *b;

	if (is(k, "ifnull")) {
		sb_adds(&tr->out, "coalesce");
		emit(tr, open, close + 1);
		return 1;
	}
	if ((is(k, "sum") || is(k, "avg") || is(k, "total")) && n == 1 && truth(tr, st[0], en[0])) {
		/* sum(next_at <= ?1): SQLite's truth values are numbers */
		a = text_of(tr, st[0], en[0]);
		sb_addf(&tr->out, "%s(CAST((%s) AS int))", is(k, "avg") ? "avg" : "sum", a);
		free(a);
		return 1;
	}
	if (is(k, "json_extract") || is(k, "json_tree") || is(k, "json_each")) {
		/* The query language's parameter terms: functions of the same
		 * results, made in the session when first used (pg_json_fns). */
		sb_addf(&tr->out, "pg_temp.lb_%.*s", (int)k->n, k->p);
		emit(tr, open, close + 1);
		return 1;
	}
	if (k->n > 5 && strncasecmp(k->p, "json_", 5) == 0) {
		/* Other JSON functions of SQLite: not used by the store */
		tr->bad = 1;
		free(tr->why);
		tr->why = xasprintf("the query's parameter terms (%.*s: steps, cfg, sampler, scheduler, param:, "
				    "...) are not yet supported on a PostgreSQL store",
				    (int)k->n, k->p);
		return 1;
	}
	if (is(k, "coalesce") && n >= 2) {
		/* coalesce(a.width > 100, 0): a truth value is a number */
		int cmp = 0;

		for (int m = 0; m < n; m++)
			cmp |= truth(tr, st[m], en[m]);
		if (cmp) {
			sb_adds(&tr->out, "coalesce(");
			for (int m = 0; m < n; m++) {
				char *x = text_of(tr, st[m], en[m]);

				if (truth(tr, st[m], en[m]))
					sb_addf(&tr->out, "%sCAST((%s) AS int)", m ? ", " : "", x);
				else
					sb_addf(&tr->out, "%s%s", m ? ", " : "", x);
				free(x);
			}
			sb_adds(&tr->out, ")");
			return 1;
		}
	}
	if (is(k, "coalesce") && n >= 2) {
		/* coalesce(x.stars, '-'): SQLite mixes types, PostgreSQL wants text */
		int lit = 0;

		for (int m = 0; m < n; m++) {
			int f = next_sig(tr, st[m] - 1);

			lit |= tr->t[f].kind == T_STR && next_sig(tr, f) == en[m];
		}
		if (lit) {
			sb_adds(&tr->out, "coalesce(");
			for (int m = 0; m < n; m++) {
				char *x = text_of(tr, st[m], en[m]);

				sb_addf(&tr->out, "%sCAST(%s AS text)", m ? ", " : "", x);
				free(x);
			}
			sb_adds(&tr->out, ")");
			return 1;
		}
	}
	if (is(k, "char") && n >= 1) {
		/* char(27, 7): the characters of those code points */
		sb_adds(&tr->out, "(");
		for (int m = 0; m < n; m++) {
			a = text_of(tr, st[m], en[m]);
			sb_addf(&tr->out, "%schr(CAST(%s AS int))", m ? " || " : "", a);
			free(a);
		}
		sb_adds(&tr->out, ")");
		return 1;
	}
	if (is(k, "round") && n == 2) {
		/* round(x, digits): PostgreSQL's takes a numeric */
		a = text_of(tr, st[0], en[0]);
		b = text_of(tr, st[1], en[1]);
		sb_addf(&tr->out, "round(CAST(%s AS numeric), %s)", a, b);
		free(a);
		free(b);
		return 1;
	}
	if ((is(k, "max") || is(k, "min")) && n >= 2) {
		sb_adds(&tr->out, is(k, "max") ? "greatest" : "least");
		emit(tr, open, close + 1);
		return 1;
	}
	if (is(k, "instr")) {
		sb_adds(&tr->out, "strpos");
		emit(tr, open, close + 1);
		return 1;
	}
	if (is(k, "group_concat")) {
		a = text_of(tr, st[0], en[0]);
		b = n > 1 ? text_of(tr, st[1], en[1]) : xstrdup("','");
		sb_addf(&tr->out, "string_agg(CAST(%s AS text), %s)", a, b);
		free(a);
		free(b);
		return 1;
	}
	if (is(k, "printf")) {
		emit_printf(tr, open);
		return 1;
	}
	if (is(k, "length") && n == 1 && is(&tr->t[next_sig(tr, open)], "cast")) {
		/* length(CAST(x AS BLOB)): the bytes of x */
		int c = next_sig(tr, next_sig(tr, open)), last = prev_sig(tr, tr->t[c].match);

		if (is(&tr->t[last], "blob") && at(tr, prev_sig(tr, last), "as")) {
			a = text_of(tr, c + 1, prev_sig(tr, last));
			sb_addf(&tr->out, "octet_length(%s)", a);
			free(a);
			return 1;
		}
	}
	if (is(k, "cast")) {
		int last = prev_sig(tr, close);
		const char *to = is(&tr->t[last], "integer") ? "bigint"
				 : is(&tr->t[last], "real")  ? "double precision"
				 : is(&tr->t[last], "blob")  ? "bytea"
							     : NULL;
		if (to && at(tr, prev_sig(tr, last), "as")) {
			int json = 0;

			for (int j = open + 1; j < last; j++)
				json |= is(&tr->t[j], "json_extract") || is(&tr->t[j], "atom");
			a = text_of(tr, open + 1, prev_sig(tr, last));
			if (json && strcmp(to, "bytea") != 0)
				/* A JSON value (text here): SQLite's CAST reads a
				 * number's prefix, else 0; PostgreSQL's would fail. */
				sb_addf(&tr->out, *to == 'd' ? "pg_temp.lb_json_num(%s)"
							     : "CAST(trunc(pg_temp.lb_json_num(%s)) AS bigint)",
					a);
			else
				sb_addf(&tr->out, "CAST(%s AS %s)", a, to);
			free(a);
			return 1;
		}
	}
	return 0;
}

/* Tables whose INSERT OR REPLACE needs its conflict target named. */
static const char *upsert_key(const char *table, size_t n)
{
	if (n > 5 && strncasecmp(table, "temp.", 5) == 0) {
		table += 5;
		n -= 5;
	}
	static const char *const keys[][2] = {
		{ "setting", "key" },
		{ "fingerprint", "asset_id" },
		{ "delivered", "asset_id, dir" },
		{ "rating", "brief_id, candidate_id, curator" },
		{ "adjudication", "brief_id, candidate_id" },
		{ "assignment", "brief_id, curator, candidate_id" },
		{ "lb_stack_of", "id" }, /* query-stacks.c's temporary table */
		{ "lb_disputed", "id" }, /* review.c's */
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i][0]) == n && strncasecmp(keys[i][0], table, n) == 0)
			return keys[i][1];
	return NULL;
}

/* Whether column is one of key's ("a, b, c"). */
static int in_key(const char *key, const char *column)
{
	size_t n = strlen(column);

	while (*key) {
		size_t k = strcspn(key, ",");

		if (k == n && strncmp(key, column, n) == 0)
			return 1;
		key += k;
		key += strspn(key, ", ");
	}
	return 0;
}

/* Tables with an id column the store reads back (db_last_insert_rowid). */
static int has_id(const char *table, size_t n)
{
	static const char *const t[] = { "project", "brief", "brief_revision", "asset", "job",
					 "candidate", "tag", "note", "selection", "comparison",
					 "event", "saved_view", NULL };
	size_t i;

	for (i = 0; t[i]; i++)
		if (strlen(t[i]) == n && strncasecmp(t[i], table, n) == 0)
			return 1;
	return 0;
}

static void emit(struct tr *tr, int i0, int i1)
{
	int i, n;

	for (i = i0; i < i1 && !tr->bad; i++) {
		const struct tok *k = &tr->t[i];

		if ((k->kind == T_IDENT && !keyword(k)) || k->kind == T_PARAM || (is(k, "(") && k->match > i)) {
			/* x COLLATE NOCASE (x a name, ?, f(...) or (...)): citext,
			 * whose comparisons ignore case as NOCASE does (both
			 * sides: citext = text compares as text) */
			int e = i, c;

			if (is(k, "("))
				e = k->match;
			else if (at(tr, next_sig(tr, i), "(") && tr->t[next_sig(tr, i)].match > i)
				e = tr->t[next_sig(tr, i)].match;
			c = next_sig(tr, e);
			if (c < i1 && at(tr, c, "collate") && at(tr, next_sig(tr, c), "nocase")) {
				char *x = text_of(tr, i, e + 1);

				sb_addf(&tr->out, "CAST(%s AS citext)", x);
				free(x);
				i = next_sig(tr, c);
				continue;
			}
		}
		if (k->kind == T_IDENT && is(k, "like")) {
			/* SQLite's LIKE ignores case (of ASCII letters) */
			sb_adds(&tr->out, "ILIKE");
			continue;
		}
		if (i == tr->id_from && tr->id_to > i) {
			/* SQLite gives a NULL INTEGER PRIMARY KEY the next id */
			int to = tr->id_to;

			tr->id_from = -1;
			sb_adds(&tr->out, "coalesce(");
			emit(tr, i, to);
			sb_addf(&tr->out, ", nextval(pg_get_serial_sequence('%s', 'id')))", tr->table);
			i = to - 1;
			continue;
		}

		if (k->kind == T_PARAM) {
			int p = k->n > 1 ? atoi(k->p + 1) : tr->maxp + 1;

			if (p > tr->maxp)
				tr->maxp = p;
			if (bool_operand(tr, i))
				sb_addf(&tr->out, "($%d <> 0)", p);
			else
				sb_addf(&tr->out, "$%d", p);
			continue;
		}
		if (k->kind == T_NUM && bool_operand(tr, i)) {
			sb_adds(&tr->out, "(");
			emit_tok(tr, k);
			sb_adds(&tr->out, " <> 0)");
			continue;
		}
		if (k->kind == T_IDENT && is(k, "is")) {
			n = next_sig(tr, i);
			if (at(tr, n, "null") || at(tr, n, "true") || at(tr, n, "false") || at(tr, n, "distinct")) {
				emit_tok(tr, k);
			} else if (at(tr, n, "not")) {
				int m = next_sig(tr, n);
				if (at(tr, m, "null") || at(tr, m, "true") || at(tr, m, "false") ||
				    at(tr, m, "distinct"))
					emit_tok(tr, k);
				else {
					sb_adds(&tr->out, "IS DISTINCT FROM");
					i = n;
				}
			} else {
				sb_adds(&tr->out, "IS NOT DISTINCT FROM");
			}
			continue;
		}
		if (k->kind == T_IDENT && is(k, "match")) {
			while (tr->out.len && tr->out.s[tr->out.len - 1] == ' ')
				tr->out.s[--tr->out.len] = '\0';
			n = next_sig(tr, i);
			sb_adds(&tr->out, ".tsv @@ lb_tsquery(");
			emit(tr, n, n + 1);
			sb_adds(&tr->out, ")");
			i = n;
			continue;
		}
		if (k->kind == T_IDENT && k->n > 5 && strncasecmp(k->p, "temp.", 5) == 0) {
			/* SQLite's temp schema is PostgreSQL's pg_temp */
			sb_adds(&tr->out, "pg_temp.");
			sb_add(&tr->out, k->p + 5, k->n - 5);
			continue;
		}
		if (k->kind == T_IDENT && !keyword(k)) {
			n = next_sig(tr, i);
			if (n < tr->nt && is(&tr->t[n], "(") && tr->t[n].match > n) {
				/* f(...) where a truth value is wanted: a number */
				int close = tr->t[n].match, wrap = bool_span(tr, i, close);

				if (wrap)
					sb_adds(&tr->out, "(");
				if (!emit_call(tr, i, n)) {
					emit_tok(tr, k);
					emit(tr, i + 1, close + 1);
				}
				if (wrap)
					sb_adds(&tr->out, " <> 0)");
				i = close;
				continue;
			} else if (bool_operand(tr, i)) {
				sb_adds(&tr->out, "(");
				emit_tok(tr, k);
				sb_adds(&tr->out, " <> 0)");
				continue;
			}
		}
		if (is(k, "cast")) {
			n = next_sig(tr, i);
			if (n < tr->nt && is(&tr->t[n], "(") && tr->t[n].match > n && emit_call(tr, i, n)) {
				i = tr->t[n].match;
				continue;
			}
		}
		if (is(k, "(") && k->match > i && at(tr, next_sig(tr, i), "select") && bool_span(tr, i, k->match)) {
			/* (SELECT b.blind ...) AND ...: a scalar subquery as a truth value */
			int close = k->match;

			sb_adds(&tr->out, "((");
			emit(tr, i + 1, close);
			sb_adds(&tr->out, ") <> 0)");
			i = close;
			continue;
		}
		if (is(k, "(") && k->match > i && (at(tr, prev_sig(tr, i), "from") || at(tr, prev_sig(tr, i), "join")) &&
		    at(tr, next_sig(tr, i), "select")) {
			int close = k->match;

			sb_adds(&tr->out, "(");
			emit(tr, i + 1, close);
			sb_adds(&tr->out, ")");
			n = next_sig(tr, close);
			if (n >= tr->nt || tr->t[n].kind != T_IDENT || keyword(&tr->t[n]))
				if (!at(tr, n, "as"))
					sb_addf(&tr->out, " AS _lb%d", ++tr->alias);
			i = close;
			continue;
		}
		emit_tok(tr, k);
	}
}

/* Fragments spelled otherwise, found verbatim: what no rule above
 * covers.  A fragment that stops matching leaves the statement as it is
 * (PostgreSQL then says what it refuses; tests/cli/pg-slice.sh runs the
 * commands these serve). */
static const char *const rewrites[][2] = {
	/* review.c's disputes: PostgreSQL wants the outer column the
	 * subqueries use grouped.  r is a rating (or an assignment or an
	 * adjudication): a candidate is of one brief, so the groups are the
	 * same. */
	{ " GROUP BY r.candidate_id", " GROUP BY r.brief_id, r.candidate_id" },
};

/* sql with the fragments of rewrites[] replaced; owned. */
static char *rewrite(const char *sql)
{
	struct sbuf b;
	size_t i;
	const char *p;

	sb_init(&b);
	sb_adds(&b, sql);
	for (i = 0; i < sizeof rewrites / sizeof rewrites[0]; i++) {
		p = strstr(b.s, rewrites[i][0]);
		if (p && !isalnum((unsigned char)p[strlen(rewrites[i][0])]) && p[strlen(rewrites[i][0])] != '_') {
			struct sbuf o;

			sb_init(&o);
			sb_add(&o, b.s, (size_t)(p - b.s));
			sb_adds(&o, rewrites[i][1]);
			sb_adds(&o, p + strlen(rewrites[i][0]));
			sb_free(&b);
			b = o;
		}
	}
	return sb_steal(&b);
}

char *db_pg_translate(const char *sql0, int *nparams)
{
	struct tr tr = { .id_from = -1 };
	char *sql = rewrite(sql0);
	int i, start = 0, mode = 0; /* 1 ignore, 2 replace */
	int tbl = -1, cols = -1, returning = 0, insert;
	char *out;

	lex(sql, &tr);
	sb_init(&tr.out);
	i = next_sig(&tr, -1);
	insert = at(&tr, i, "insert");
	if (insert && at(&tr, next_sig(&tr, i), "or")) {
		int o = next_sig(&tr, i), m = next_sig(&tr, o);

		mode = at(&tr, m, "ignore") ? 1 : at(&tr, m, "replace") ? 2 : 0;
		sb_adds(&tr.out, "INSERT");
		start = m + 1;
	}
	if (insert) {
		int into = i;

		while (into < tr.nt && !at(&tr, into, "into"))
			into++;
		tbl = next_sig(&tr, into);
		cols = next_sig(&tr, tbl);
		if (!at(&tr, cols, "("))
			cols = -1;
	}
	if (cols >= 0 && tr.t[cols].match > cols && has_id(tr.t[tbl].p, tr.t[tbl].n) &&
	    tr.t[tbl].n < sizeof tr.table) {
		int st[64], en[64], nc = split_args(&tr, cols, st, en, 64), v, k;

		v = next_sig(&tr, tr.t[cols].match);
		for (k = 0; k < nc; k++)
			if (at(&tr, next_sig(&tr, st[k] - 1), "id") && at(&tr, v, "values")) {
				int open = next_sig(&tr, v), vs[64], ve[64];

				if (at(&tr, open, "(") && tr.t[open].match > open &&
				    split_args(&tr, open, vs, ve, 64) > k) {
					tr.id_from = vs[k];
					tr.id_to = ve[k];
					snprintf(tr.table, sizeof tr.table, "%.*s", (int)tr.t[tbl].n, tr.t[tbl].p);
				}
			}
	}
	for (int j = 0; j < tr.nt; j++)
		if (is(&tr.t[j], "returning"))
			returning = 1;
	emit(&tr, start, tr.nt);
	while (tr.out.len && (tr.out.s[tr.out.len - 1] == ';' || isspace((unsigned char)tr.out.s[tr.out.len - 1])))
		tr.out.s[--tr.out.len] = '\0';
	if (mode == 1)
		sb_adds(&tr.out, " ON CONFLICT DO NOTHING");
	if (mode == 2) {
		const char *key = tbl < tr.nt ? upsert_key(tr.t[tbl].p, tr.t[tbl].n) : NULL;
		int first = 1;

		if (key == NULL || cols < 0) {
			tr.bad = 1;
			free(tr.why);
			tr.why = xasprintf("INSERT OR REPLACE INTO %.*s: no key known for PostgreSQL",
					   tbl < tr.nt ? (int)tr.t[tbl].n : 0, tbl < tr.nt ? tr.t[tbl].p : "");
		} else {
			sb_addf(&tr.out, " ON CONFLICT (%s) DO UPDATE SET ", key);
			for (int j = cols + 1; j < tr.t[cols].match; j++) {
				const struct tok *c = &tr.t[j];
				char name[64];

				if (c->kind != T_IDENT || c->n >= sizeof name)
					continue;
				snprintf(name, sizeof name, "%.*s", (int)c->n, c->p);
				if (in_key(key, name))
					continue; /* key columns stay */
				sb_addf(&tr.out, "%s%s = excluded.%s", first ? "" : ", ", name, name);
				first = 0;
			}
		}
	}
	if (insert && !returning && tbl < tr.nt && has_id(tr.t[tbl].p, tr.t[tbl].n))
		sb_adds(&tr.out, " RETURNING id");
	*nparams = tr.maxp;
	free(tr.t);
	free(sql);
	if (tr.bad) {
		sb_free(&tr.out);
		out = xasprintf("\x01%s", tr.why ? tr.why : "cannot translate");
		free(tr.why);
		return out;
	}
	free(tr.why);
	out = sb_steal(&tr.out);
	sb_free(&tr.out);
	return out;
}

/* ------------------------------------------------------------ errors */

static int pg_code(const char *state)
{
	if (state == NULL)
		return DB_IOERR;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strcmp(state, "25006") == 0)
		return DB_READONLY;
	if (strcmp(state, "42501") == 0)
		return DB_PERM;
	if (strcmp(state, "53100") == 0)
		return DB_FULL;
	if (strncmp(state, "08", 2) == 0)
		return DB_IOERR;
	if (strncmp(state, "XX", 2) == 0)
		return DB_CORRUPT;
	return DB_ERROR;
}

/* Records the failure of res (or of the connection) and returns its code. */
static int pg_fail(struct pg *db, const PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	sb_reset(&db->err);
	sb_adds(&db->err, msg ? msg : PQerrorMessage(db->c));
	n = db->err.len;
	while (n > 0 && (db->err.s[n - 1] == '\n' || db->err.s[n - 1] == ' '))
		db->err.s[--n] = '\0';
	db->err.len = n;
	db->last_rc = PQstatus(db->c) != CONNECTION_OK ? DB_IOERR : pg_code(state);
	return db->last_rc;
}

static int pg_run(struct pg *db, const char *sql)
{
	PGresult *res = PQexec(db->c, sql);
	int st = PQresultStatus(res), rc = DB_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_fail(db, res);
	PQclear(res);
	return rc;
}

/* ------------------------------------------------------------ connections */

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs are not the user's business */
}

int db_open_pg(const char *url, struct db **out, char **err)
{
	struct pg *db = xcalloc(1, sizeof *db);
	PGresult *res;

	*out = NULL;
	*err = NULL;
	db->base.ops = &pg_ops;
	sb_init(&db->err);
	db->c = PQconnectdb(url);
	if (db->c == NULL || PQstatus(db->c) != CONNECTION_OK) {
		char *m = xstrdup(db->c ? PQerrorMessage(db->c) : "out of memory");
		size_t n = strlen(m);

		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		*err = m;
		PQfinish(db->c);
		sb_free(&db->err);
		free(db);
		return DB_CANTOPEN;
	}
	PQsetNoticeProcessor(db->c, quiet, NULL);
	pg_run(db, "SET client_min_messages = warning");
	res = PQexec(db->c, "SHOW transaction_read_only");
	db->readonly = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		       strcmp(PQgetvalue(res, 0, 0), "on") == 0;
	PQclear(res);
	*out = &db->base;
	return DB_OK;
}

#define PG(x) ((struct pg *)(x))

static int pg_close(struct db *d)
{
	struct pg *db = PG(d);

	PQfinish(db->c);
	sb_free(&db->err);
	free(db->payload);
	free(db);
	return DB_OK;
}

static const char *pg_errmsg(struct db *d)
{
	return PG(d)->err.s;
}

static int pg_system_errno(struct db *d)
{
	(void)d;
	return 0;
}

static int pg_extended(struct db *d, int on)
{
	(void)d;
	(void)on;
	return DB_OK;
}

static int pg_busy_handler(struct db *d, int (*fn)(void *, int), void *arg)
{
	(void)d;
	(void)fn;
	(void)arg; /* lock_timeout waits instead */
	return DB_OK;
}

static int pg_lock_timeout(struct db *d, int ms)
{
	char sql[64];

	snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms > 0 ? ms : 1);
	return pg_run(PG(d), sql);
}

static int pg_readonly(struct db *d)
{
	return PG(d)->readonly;
}

static int pg_autocommit(struct db *d)
{
	return PQtransactionStatus(PG(d)->c) == PQTRANS_IDLE;
}

static int64_t pg_last_insert_rowid(struct db *d)
{
	return PG(d)->last_id;
}

static int pg_changes(struct db *d)
{
	return PG(d)->changes;
}

static int64_t pg_total_changes(struct db *d)
{
	return PG(d)->total;
}

static int pg_errcode(struct db *d)
{
	return PG(d)->last_rc;
}

static int pg_wal_autocheckpoint(struct db *d, int pages)
{
	(void)d;
	(void)pages; /* the server checkpoints */
	return DB_OK;
}

static int pg_wal_checkpoint(struct db *d, int *log, int *done)
{
	(void)d;
	if (log)
		*log = 0;
	if (done)
		*done = 0;
	return DB_OK;
}

static int pg_exec_native(struct db *d, const char *sql)
{
	return pg_run(PG(d), sql);
}

/* SQL of SQLite's dialect, translated as a prepared statement is. */
static int pg_exec(struct db *d, const char *sql)
{
	struct pg *db = PG(d);
	int np, rc;
	char *text = db_pg_translate(sql, &np);

	if (text[0] == '\x01') {
		sb_reset(&db->err);
		sb_adds(&db->err, text + 1);
		free(text);
		return db->last_rc = DB_ERROR;
	}
	/* A reader's BEGIN (export.c): SQLite's deferred transaction reads
	 * one snapshot; PostgreSQL's default reads the latest commit at
	 * each statement. */
	if (strcasecmp(text, "BEGIN") == 0)
		rc = pg_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	else
		rc = pg_run(db, text);
	free(text);
	return rc;
}

static int pg_tx(struct db *d, int which)
{
	struct pg *db = PG(d);
	PGresult *res;
	int rc;

	if (which == 0) {
		rc = pg_run(db, "BEGIN");
		if (rc == DB_OK)
			rc = pg_run(db, PG_WRITE_LOCK);
		if (rc != DB_OK && PQtransactionStatus(db->c) != PQTRANS_IDLE) {
			struct sbuf keep = db->err;

			sb_init(&db->err);
			pg_run(db, "ROLLBACK");
			sb_free(&db->err);
			db->err = keep;
		}
		return rc;
	}
	if (which == 2) {
		xfree(&db->payload);
		return pg_run(db, "ROLLBACK");
	}
	/* Every change tells the listeners (the interfaces): delivered only
	 * if the commit holds, and in the same round trip. */
	{
		/* The payload, "KINDS;BRIEFS", tells listeners what changed. */
		const char *p = db->payload;
		char *lit = p ? PQescapeLiteral(db->c, p, strlen(p)) : NULL;
		char *sql = xasprintf("NOTIFY lightbox%s%s; COMMIT", lit ? ", " : "", lit ? lit : "");

		xfree(&db->payload);
		if (lit)
			PQfreemem(lit);
		res = PQexec(db->c, sql);
		free(sql);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = pg_fail(db, res);
	} else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		/* A statement of the transaction failed: the server rolled back. */
		sb_reset(&db->err);
		sb_adds(&db->err, "a statement of the change failed, so PostgreSQL rolled it back");
		rc = DB_ERROR;
	} else {
		rc = DB_OK;
	}
	PQclear(res);
	return rc;
}

static int pg_schema_version(struct db *d, int *v)
{
	struct pg *db = PG(d);
	PGresult *res = PQexec(db->c, "SELECT to_regclass('lb_schema') IS NOT NULL");
	int rc = DB_OK, has;

	*v = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(db, res);
		PQclear(res);
		return rc;
	}
	has = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!has)
		return DB_OK;
	res = PQexec(db->c, "SELECT max(version) FROM lb_schema");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_fail(db, res);
	else if (PQntuples(res) == 1)
		*v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

static int pg_set_schema_version(struct db *d, int v)
{
	char sql[160];

	snprintf(sql, sizeof sql,
		 "CREATE TABLE IF NOT EXISTS lb_schema (version integer NOT NULL);"
		 " DELETE FROM lb_schema; INSERT INTO lb_schema VALUES (%d)",
		 v);
	return pg_run(PG(d), sql);
}

/* Adds a payload "KINDS;BRIEFS" (db_notify_payload) to h: BRIEFS is ids
 * separated by commas, "*" for a change not tied to briefs; empty (a
 * commit that wrote no event: job bookkeeping) adds no brief.  A payload
 * without the ';' (another program's NOTIFY, an older lightbox) is all. */
static void heard_add(struct db_heard *h, const char *p)
{
	const char *semi = p ? strchr(p, ';') : NULL, *b;
	size_t len, k;
	char *end;
	long long id;
	int i;

	if (semi == NULL) {
		h->all = 1;
		return;
	}
	len = (size_t)(semi - p);
	k = strlen(h->kinds);
	if (len && k + len + 2 < sizeof h->kinds) {
		if (k)
			h->kinds[k++] = ',';
		memcpy(h->kinds + k, p, len);
		h->kinds[k + len] = '\0';
	}
	for (b = semi + 1; *b && !h->all; b = *end == ',' ? end + 1 : end) {
		if (*b == '*') {
			h->all = 1;
			break;
		}
		id = strtoll(b, &end, 10);
		if (end == b || (*end != ',' && *end != '\0')) {
			h->all = 1;
			break;
		}
		for (i = 0; i < h->n && h->brief[i] != id; i++)
			;
		if (i < h->n)
			continue;
		if (h->n == DB_HEARD_MAX)
			h->all = 1;
		else
			h->brief[h->n++] = id;
	}
}

/* LISTENs on first use; then counts the notifications that came. */
static int pg_listen(struct pg *db)
{
	PGnotify *n;
	int rc;

	if (!db->listening) {
		rc = pg_run(db, "LISTEN lightbox");
		if (rc != DB_OK)
			return rc;
		db->listening = 1;
	}
	if (!PQconsumeInput(db->c))
		return pg_fail(db, NULL);
	while ((n = PQnotifies(db->c)) != NULL) {
		db->heard++;
		heard_add(&db->what, n->extra);
		PQfreemem(n);
	}
	return DB_OK;
}

static void pg_notify_payload(struct db *d, const char *payload)
{
	struct pg *db = PG(d);

	free(db->payload);
	db->payload = payload ? xstrdup(payload) : NULL;
}

static void pg_changes_heard(struct db *d, struct db_heard *out)
{
	struct pg *db = PG(d);

	pg_listen(db);
	*out = db->what;
	memset(&db->what, 0, sizeof db->what);
}

/* The number of commits heard of: every write transaction NOTIFYs.
 * Out of a transaction, one round trip first: the server sends the
 * notifications it holds before it says it is ready, so every commit that
 * ended before this call is counted (as SQLite's data_version would),
 * not only those whose message has already crossed the socket. */
static int pg_data_version(struct db *d, int64_t *v)
{
	struct pg *db = PG(d);
	int rc = pg_listen(db);

	if (rc == DB_OK && PQtransactionStatus(db->c) == PQTRANS_IDLE) {
		rc = pg_run(db, "SELECT 1");
		if (rc == DB_OK)
			rc = pg_listen(db);
	}

	*v = db->heard;
	return rc;
}

static int pg_change_fd(struct db *d)
{
	struct pg *db = PG(d);

	return pg_listen(db) == DB_OK ? PQsocket(db->c) : -1;
}

/* ------------------------------------------------------------ statements */

#define PS(x) ((struct pg_stmt *)(x))

static int pg_prepare(struct db *d, const char *sql, db_stmt **out)
{
	struct pg *db = PG(d);
	struct pg_stmt *s;
	int np;
	char *text = db_pg_translate(sql, &np);

	*out = NULL;
	if (text[0] == '\x01') {
		sb_reset(&db->err);
		sb_adds(&db->err, text + 1);
		free(text);
		return DB_ERROR;
	}
	s = xcalloc(1, sizeof *s);
	s->base.ops = &pg_ops;
	s->db = db;
	s->sql = text;
	s->np = np;
	s->returning = strstr(text, " RETURNING id") != NULL && strncasecmp(text, "INSERT", 6) == 0;
	s->vals = xcalloc(np + 1, sizeof *s->vals);
	s->lens = xcalloc(np + 1, sizeof *s->lens);
	s->types = xcalloc(np + 1, sizeof *s->types);
	s->ptypes = xcalloc(np + 1, sizeof *s->ptypes);
	*out = &s->base;
	return DB_OK;
}

/* Whether the bindings fit the types the statement was prepared with:
 * text and NULL (sent untyped) fit any, as a quoted literal would. */
static int same_types(const struct pg_stmt *s)
{
	for (int i = 0; i < s->np; i++)
		if (s->types[i] != 0 && s->types[i] != s->ptypes[i])
			return 0;
	return 1;
}

/* SQLite's JSON functions the query language (parameter terms) and wins
 * (--by a parameter, lora) use,
 * with the same results, as functions of the session (pg_temp: nothing
 * to migrate, nothing a role needs but TEMP, which PUBLIC has), made the
 * first time a statement needs them.  Values are text: a string's text,
 * a number's, true 1 and false 0 (as SQLite's json_extract returns them),
 * JSON null NULL; an object or array is its JSON for lb_json_extract and
 * NULL as json_tree's atom.  Params that are not JSON fail the statement,
 * as SQLite's "malformed JSON".  lb_json_num(x) is SQLite's CAST(x AS
 * REAL) of such a value: the number its text begins with, else 0. */
static const char pg_json_sql[] =
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_atom(v jsonb, whole boolean) RETURNS text\n"
	"  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}'\n"
	"  WHEN 'number' THEN v::text WHEN 'boolean' THEN CASE WHEN v = 'true' THEN '1' ELSE '0' END\n"
	"  WHEN 'null' THEN NULL ELSE CASE WHEN whole THEN v::text END END $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_type(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS\n"
	"  $$ SELECT CASE jsonb_typeof(v) WHEN 'string' THEN 'text' WHEN 'boolean' THEN v::text\n"
	"  WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END\n"
	"  ELSE jsonb_typeof(v) END $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_path(path text) RETURNS text[]\n"
	"  LANGUAGE plpgsql IMMUTABLE AS $$\n"
	"DECLARE k text[] := '{}'; i int := 2; n int := length(path); s text;\n"
	"BEGIN\n"
	"  IF left(path, 1) <> '$' THEN RAISE EXCEPTION 'JSON path error near ''%''', path; END IF;\n"
	"  WHILE i <= n LOOP\n"
	"    IF substr(path, i, 1) = '.' AND substr(path, i + 1, 1) = '\"' THEN\n"
	"      s := ''; i := i + 2;\n"
	"      WHILE i <= n AND substr(path, i, 1) <> '\"' LOOP\n"
	"        IF substr(path, i, 1) = '\\' THEN i := i + 1; END IF;\n"
	"        s := s || substr(path, i, 1); i := i + 1;\n"
	"      END LOOP;\n"
	"      i := i + 1;\n"
	"    ELSIF substr(path, i, 1) = '.' THEN\n"
	"      s := substring(substr(path, i + 1) from '^[^.\\[]*'); i := i + 1 + length(s);\n"
	"    ELSIF substr(path, i, 1) = '[' THEN\n"
	"      s := substring(substr(path, i + 1) from '^[0-9]+');\n"
	"      IF s IS NULL THEN RAISE EXCEPTION 'JSON path error near ''%''', path; END IF;\n"
	"      i := i + 2 + length(s);\n"
	"    ELSE RAISE EXCEPTION 'JSON path error near ''%''', path;\n"
	"    END IF;\n"
	"    k := k || s;\n"
	"  END LOOP;\n"
	"  RETURN k;\n"
	"END $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_extract(p text, path text) RETURNS text\n"
	"  LANGUAGE sql IMMUTABLE AS\n"
	"  $$ SELECT pg_temp.lb_json_atom(p::jsonb #> pg_temp.lb_json_path(path), true) $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_num(x text) RETURNS double precision\n"
	"  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN x IS NOT NULL THEN coalesce(substring(x from\n"
	"  '^\\s*([-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?)')::double precision, 0) END $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_tree(p text)\n"
	"  RETURNS TABLE (key text, atom text, type text, path text, fullkey text)\n"
	"  LANGUAGE sql IMMUTABLE AS $$\n"
	"WITH RECURSIVE t(key, v, path, fullkey) AS (\n"
	"  SELECT NULL::text, p::jsonb, '$'::text, '$'::text WHERE p IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT e.key, e.value, t.fullkey, t.fullkey || e.sub FROM t, LATERAL (\n"
	"    SELECT o.key, o.value, CASE WHEN o.key ~ '^[A-Za-z_][A-Za-z0-9_]*$' THEN '.' || o.key\n"
	"      ELSE '.\"' || o.key || '\"' END\n"
	"    FROM jsonb_each(CASE WHEN jsonb_typeof(t.v) = 'object' THEN t.v END) o\n"
	"    UNION ALL\n"
	"    SELECT (a.n - 1)::text, a.value, '[' || (a.n - 1) || ']'\n"
	"    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.v) = 'array' THEN t.v END)\n"
	"      WITH ORDINALITY a(value, n)) e(key, value, sub))\n"
	"SELECT t.key, pg_temp.lb_json_atom(t.v, false), pg_temp.lb_json_type(t.v), t.path, t.fullkey FROM t $$;\n"
	"CREATE OR REPLACE FUNCTION pg_temp.lb_json_each(p text, path text)\n"
	"  RETURNS TABLE (key text, value text, type text, atom text) LANGUAGE sql IMMUTABLE AS $$\n"
	"WITH r(v) AS (SELECT p::jsonb #> pg_temp.lb_json_path(path))\n"
	"SELECT e.key, pg_temp.lb_json_atom(e.value, true), pg_temp.lb_json_type(e.value),\n"
	"  pg_temp.lb_json_atom(e.value, false) FROM r, LATERAL (\n"
	"    SELECT o.key, o.value FROM jsonb_each(CASE WHEN jsonb_typeof(r.v) = 'object' THEN r.v END) o\n"
	"    UNION ALL\n"
	"    SELECT (a.n - 1)::text, a.value\n"
	"    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.v) = 'array' THEN r.v END)\n"
	"      WITH ORDINALITY a(value, n)) e $$;\n";

/* Makes the functions above in this session unless they are there; made
 * outside a transaction they stay for the session (made inside one, they
 * go if it rolls back, so that is asked again next time). */
static int pg_json_fns(struct pg *db)
{
	PGresult *res;
	int there, idle = PQtransactionStatus(db->c) == PQTRANS_IDLE;

	if (db->json_fns)
		return DB_OK;
	res = PQexec(db->c, "SELECT to_regprocedure('pg_temp.lb_json_each(text, text)') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int rc = pg_fail(db, res);

		PQclear(res);
		return rc;
	}
	there = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!there && pg_run(db, pg_json_sql) != DB_OK)
		return db->last_rc;
	db->json_fns = idle;
	return DB_OK;
}

static int pg_execute(struct pg_stmt *s)
{
	struct pg *db = s->db;
	PGresult *res;
	int st, rc;

	if (strstr(s->sql, "pg_temp.lb_json") && (rc = pg_json_fns(db)) != DB_OK)
		return rc;

	if (!s->prepared) {
		/* A parameter whose type the server cannot infer (?1 IS NULL
		 * OR ...) with a NULL bound fails to prepare: then it is text.
		 * In a transaction the failure must not doom it: a savepoint. */
		int unknown = 0, sp;

		for (int i = 0; i < s->np; i++)
			unknown |= s->types[i] == 0;
		sp = unknown && PQtransactionStatus(db->c) == PQTRANS_INTRANS;
		snprintf(s->name, sizeof s->name, "lb%lu", ++db->names);
		if (sp)
			PQclear(PQexec(db->c, "SAVEPOINT lb_prepare"));
		res = PQprepare(db->c, s->name, s->sql, s->np, s->types);
		if (PQresultStatus(res) != PGRES_COMMAND_OK && unknown) {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

			if (state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0)) {
				PQclear(res);
				if (sp)
					PQclear(PQexec(db->c, "ROLLBACK TO SAVEPOINT lb_prepare"));
				for (int i = 0; i < s->np; i++)
					if (s->types[i] == 0)
						s->types[i] = OID_TEXT;
				res = PQprepare(db->c, s->name, s->sql, s->np, s->types);
			}
		}
		if (sp && PQresultStatus(res) == PGRES_COMMAND_OK)
			PQclear(PQexec(db->c, "RELEASE SAVEPOINT lb_prepare"));
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = pg_fail(db, res);
			if (getenv("LB_PG_DEBUG"))
				fprintf(stderr, "SQL: %s\n", s->sql);
			PQclear(res);
			return rc;
		}
		PQclear(res);
		memcpy(s->ptypes, s->types, s->np * sizeof *s->types);
		s->prepared = 1;
	}
	if (same_types(s))
		res = PQexecPrepared(db->c, s->name, s->np, (const char *const *)s->vals, s->lens, NULL, 0);
	else
		res = PQexecParams(db->c, s->sql, s->np, s->types, (const char *const *)s->vals, s->lens, NULL,
				   0);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK) {
		db->changes = atoi(PQcmdTuples(res));
		db->total += db->changes;
		PQclear(res);
		s->done = 1;
		return DB_DONE;
	}
	if (st != PGRES_TUPLES_OK) {
		rc = pg_fail(db, res);
		if (getenv("LB_PG_DEBUG"))
			fprintf(stderr, "SQL: %s\n", s->sql);
		PQclear(res);
		return rc;
	}
	if (s->returning) {
		int n = PQntuples(res);

		db->changes = n;
		db->total += n;
		if (n > 0)
			db->last_id = strtoll(PQgetvalue(res, n - 1, 0), NULL, 10);
		PQclear(res);
		s->done = 1;
		return DB_DONE;
	}
	s->res = res;
	s->nrows = PQntuples(res);
	s->row = 0;
	if (s->nrows == 0) {
		s->done = 1;
		return DB_DONE;
	}
	return DB_ROW;
}

static int pg_step(db_stmt *x)
{
	struct pg_stmt *s = PS(x);

	if (s->done)
		return DB_DONE;
	if (s->res == NULL)
		return pg_execute(s);
	if (++s->row < s->nrows)
		return DB_ROW;
	s->done = 1;
	return DB_DONE;
}

static int pg_reset(db_stmt *x)
{
	struct pg_stmt *s = PS(x);

	PQclear(s->res);
	s->res = NULL;
	s->done = 0;
	s->row = s->nrows = 0;
	xfree(&s->blob);
	return DB_OK;
}

static int pg_clear_bindings(db_stmt *x)
{
	struct pg_stmt *s = PS(x);

	for (int i = 0; i < s->np; i++) {
		xfree(&s->vals[i]);
		s->lens[i] = 0;
		s->types[i] = 0;
	}
	return DB_OK;
}

static int pg_finalize(db_stmt *x)
{
	struct pg_stmt *s = PS(x);
	char sql[48];

	pg_reset(x);
	if (s->prepared && PQstatus(s->db->c) == CONNECTION_OK &&
	    PQtransactionStatus(s->db->c) != PQTRANS_INERROR) {
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->db->c, sql));
	}
	pg_clear_bindings(x);
	free(s->vals);
	free(s->lens);
	free(s->types);
	free(s->ptypes);
	free(s->sql);
	free(s);
	return DB_OK;
}

static int bind(struct pg_stmt *s, int i, char *v, Oid type)
{
	if (i < 1 || i > s->np) {
		free(v);
		return DB_MISUSE; /* SQLite: SQLITE_RANGE */
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = v;
	s->types[i - 1] = type;
	return DB_OK;
}

static int pg_bind_int64(db_stmt *x, int i, int64_t v)
{
	return bind(PS(x), i, xasprintf("%lld", (long long)v), OID_INT8);
}

static int pg_bind_double(db_stmt *x, int i, double v)
{
	return bind(PS(x), i, xasprintf("%.17g", v), OID_FLOAT8);
}

static int pg_bind_null(db_stmt *x, int i)
{
	return bind(PS(x), i, NULL, 0);
}

static int pg_bind_text(db_stmt *x, int i, const char *v, int n)
{
	size_t len = n < 0 ? strlen(v) : (size_t)n;
	char *t;

	if (!util_utf8_valid(v, len) && strncasecmp(PS(x)->sql, "SELECT", 6) == 0) {
		/* PostgreSQL holds UTF-8 only, so a value with other bytes
		 * (a hostile query's) can equal no text it holds: its bad
		 * bytes are sent as U+FFFD, and a reader finds nothing where
		 * it would have failed.  A writer's such value fails, saying
		 * so (nothing is stored other than it was given). */
		struct sbuf b;
		uint32_t cp;

		sb_init(&b);
		for (size_t k = 0; k < len;) {
			size_t m = util_utf8_decode(v + k, len - k, &cp);

			if (m == 0 || cp == 0) {
				sb_adds(&b, "\xef\xbf\xbd");
				k += m ? m : 1;
			} else {
				sb_add(&b, v + k, m);
				k += m;
			}
		}
		return bind(PS(x), i, sb_steal(&b), 0);
	}
	t = xmalloc(len + 1);
	memcpy(t, v, len);
	t[len] = '\0';
	return bind(PS(x), i, t, 0);
}

static int pg_bind_blob(db_stmt *x, int i, const void *v, int n)
{
	const unsigned char *b = v;
	char *t = xmalloc(2 * (size_t)n + 3);
	int k;

	memcpy(t, "\\x", 2);
	for (k = 0; k < n; k++)
		snprintf(t + 2 + 2 * k, 3, "%02x", b[k]);
	t[2 + 2 * n] = '\0';
	return bind(PS(x), i, t, OID_BYTEA);
}

static int have(struct pg_stmt *s, int i)
{
	return s->res && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static int pg_column_type(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return DB_NULL;
	switch (PQftype(s->res, i)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_BOOL:
		return DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int64_t pg_column_int64(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);
	const char *v;

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	if (PQftype(s->res, i) == OID_BOOL)
		return v[0] == 't';
	if (PQftype(s->res, i) == OID_NUMERIC || PQftype(s->res, i) == OID_FLOAT8 ||
	    PQftype(s->res, i) == OID_FLOAT4)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_column_double(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return 0;
	if (PQftype(s->res, i) == OID_BOOL)
		return PQgetvalue(s->res, s->row, i)[0] == 't';
	return strtod(PQgetvalue(s->res, s->row, i), NULL);
}

static const unsigned char *pg_column_text(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return NULL;
	if (PQftype(s->res, i) == OID_BOOL)
		return (const unsigned char *)(PQgetvalue(s->res, s->row, i)[0] == 't' ? "1" : "0");
	return (const unsigned char *)PQgetvalue(s->res, s->row, i);
}

static const void *pg_column_blob(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);
	size_t n = 0;
	unsigned char *u;

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return NULL;
	if (PQftype(s->res, i) != OID_BYTEA)
		return PQgetvalue(s->res, s->row, i);
	xfree(&s->blob);
	u = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &n);
	if (u == NULL)
		return NULL;
	s->blob = xmalloc(n + 1);
	memcpy(s->blob, u, n);
	PQfreemem(u);
	return s->blob;
}

static int pg_column_bytes(db_stmt *x, int i)
{
	struct pg_stmt *s = PS(x);
	size_t n = 0;
	unsigned char *u;

	if (!have(s, i) || PQgetisnull(s->res, s->row, i))
		return 0;
	if (PQftype(s->res, i) != OID_BYTEA)
		return PQgetlength(s->res, s->row, i);
	u = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &n);
	PQfreemem(u);
	return (int)n;
}

static const struct db_ops pg_ops = {
	.dialect = DB_PG,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.system_errno = pg_system_errno,
	.extended_result_codes = pg_extended,
	.busy_handler = pg_busy_handler,
	.lock_timeout = pg_lock_timeout,
	.readonly = pg_readonly,
	.autocommit = pg_autocommit,
	.last_insert_rowid = pg_last_insert_rowid,
	.changes = pg_changes,
	.total_changes = pg_total_changes,
	.errcode = pg_errcode,
	.notify_payload = pg_notify_payload,
	.changes_heard = pg_changes_heard,
	.wal_autocheckpoint = pg_wal_autocheckpoint,
	.wal_checkpoint = pg_wal_checkpoint,
	.exec = pg_exec,
	.exec_native = pg_exec_native,
	.tx = pg_tx,
	.schema_version = pg_schema_version,
	.set_schema_version = pg_set_schema_version,
	.data_version = pg_data_version,
	.change_fd = pg_change_fd,
	.prepare = pg_prepare,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
};
