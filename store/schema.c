/*
 * schema.c - the schema and its migrations.  PRAGMA user_version is the
 * schema version; migrations[v] takes a store from version v to v+1, all
 * pending ones in one transaction.  doc/lightbox.1 documents the tables.
 */
#include "config.h"

#include "store.h"

#include "store-private.h"

/* Version 1: the first schema. Times are Unix seconds (UTC). */
static const char schema_v1[] =
	"PRAGMA application_id = 1279414104;\n" /* "LBOX" */
	"CREATE TABLE project (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  slug TEXT NOT NULL UNIQUE,\n"
	"  description TEXT NOT NULL DEFAULT '',\n"
	"  archived INTEGER NOT NULL DEFAULT 0,\n"
	"  created INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE brief (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  project_id INTEGER NOT NULL REFERENCES project(id),\n"
	"  revision_id INTEGER,\n" /* current revision; set right after insert */
	"  rev INTEGER NOT NULL DEFAULT 1,\n"
	"  title TEXT NOT NULL,\n"
	"  modality TEXT NOT NULL CHECK (modality IN ('image','text','audio','video')),\n"
	"  prompt TEXT NOT NULL DEFAULT '',\n"
	"  negative TEXT NOT NULL DEFAULT '',\n"
	"  params TEXT NOT NULL DEFAULT '{}',\n"
	"  constraints TEXT NOT NULL DEFAULT '',\n"
	"  refs TEXT NOT NULL DEFAULT '',\n"
	"  backend TEXT NOT NULL DEFAULT '',\n"
	"  archived INTEGER NOT NULL DEFAULT 0,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX brief_project ON brief(project_id);\n"
	"CREATE TABLE brief_revision (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  rev INTEGER NOT NULL,\n"
	"  title TEXT NOT NULL,\n"
	"  modality TEXT NOT NULL,\n"
	"  prompt TEXT NOT NULL DEFAULT '',\n"
	"  negative TEXT NOT NULL DEFAULT '',\n"
	"  params TEXT NOT NULL DEFAULT '{}',\n"
	"  constraints TEXT NOT NULL DEFAULT '',\n"
	"  refs TEXT NOT NULL DEFAULT '',\n"
	"  backend TEXT NOT NULL DEFAULT '',\n"
	"  author TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  UNIQUE (brief_id, rev)\n"
	");\n"
	"CREATE TABLE asset (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  sha256 TEXT NOT NULL UNIQUE,\n"
	"  media_type TEXT NOT NULL,\n"
	"  ext TEXT NOT NULL,\n"
	"  bytes INTEGER NOT NULL,\n"
	"  width INTEGER NOT NULL DEFAULT 0,\n"
	"  height INTEGER NOT NULL DEFAULT 0,\n"
	"  duration REAL NOT NULL DEFAULT 0,\n"
	"  created INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE job (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  revision_id INTEGER NOT NULL REFERENCES brief_revision(id),\n"
	"  parent_id INTEGER REFERENCES candidate(id),\n"
	"  kind TEXT NOT NULL DEFAULT 'generate',\n"
	"  backend TEXT NOT NULL,\n"
	"  params TEXT NOT NULL DEFAULT '{}',\n"
	"  state TEXT NOT NULL DEFAULT 'queued'\n"
	"    CHECK (state IN ('queued','running','done','failed','cancelled')),\n"
	"  progress REAL NOT NULL DEFAULT 0,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  error TEXT NOT NULL DEFAULT '',\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  started INTEGER,\n"
	"  finished INTEGER,\n"
	"  next_at INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX job_state ON job(state, next_at);\n"
	"CREATE INDEX job_brief ON job(brief_id);\n"
	"CREATE TABLE candidate (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  revision_id INTEGER NOT NULL REFERENCES brief_revision(id),\n"
	"  modality TEXT NOT NULL CHECK (modality IN ('image','text','audio','video')),\n"
	"  asset_id INTEGER REFERENCES asset(id),\n"
	"  body TEXT,\n"
	"  backend TEXT NOT NULL DEFAULT '',\n"
	"  model TEXT NOT NULL DEFAULT '',\n"
	"  seed INTEGER,\n"
	"  prompt TEXT NOT NULL DEFAULT '',\n"
	"  negative TEXT NOT NULL DEFAULT '',\n"
	"  params TEXT NOT NULL DEFAULT '{}',\n"
	"  parent_id INTEGER REFERENCES candidate(id),\n"
	"  job_id INTEGER REFERENCES job(id),\n"
	"  source TEXT NOT NULL DEFAULT '',\n"
	"  created INTEGER NOT NULL,\n"
	"  score REAL,\n" /* pooled pairwise score, written by the ranking */
	"  CHECK (asset_id IS NOT NULL OR body IS NOT NULL)\n"
	");\n"
	"CREATE INDEX candidate_brief ON candidate(brief_id);\n"
	"CREATE INDEX candidate_parent ON candidate(parent_id) WHERE parent_id IS NOT NULL;\n"
	"CREATE INDEX candidate_job ON candidate(job_id) WHERE job_id IS NOT NULL;\n"
	"CREATE INDEX candidate_asset ON candidate(asset_id);\n"
	/* Keyed by brief first: a brief's ratings are one range (counts,
	 * means, star order), and a rating touches one page of one b-tree. */
	"CREATE TABLE rating (\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  candidate_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  curator TEXT NOT NULL,\n"
	"  stars INTEGER CHECK (stars BETWEEN 0 AND 5),\n" /* NULL: flagged, not starred */
	"  flag TEXT NOT NULL DEFAULT 'none' CHECK (flag IN ('none','pick','reject')),\n"
	"  updated INTEGER NOT NULL,\n"
	"  PRIMARY KEY (brief_id, candidate_id, curator)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE tag (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"  created INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE candidate_tag (\n"
	"  candidate_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  tag_id INTEGER NOT NULL REFERENCES tag(id),\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  PRIMARY KEY (candidate_id, tag_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX candidate_tag_tag ON candidate_tag(tag_id, candidate_id);\n"
	"CREATE TABLE note (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  project_id INTEGER REFERENCES project(id),\n"
	"  brief_id INTEGER REFERENCES brief(id),\n"
	"  candidate_id INTEGER REFERENCES candidate(id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('comment','edit','integration')),\n"
	"  body TEXT NOT NULL,\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  CHECK ((project_id IS NOT NULL) + (brief_id IS NOT NULL) + (candidate_id IS NOT NULL) = 1)\n"
	");\n"
	"CREATE INDEX note_candidate ON note(candidate_id) WHERE candidate_id IS NOT NULL;\n"
	"CREATE INDEX note_brief ON note(brief_id) WHERE brief_id IS NOT NULL;\n"
	"CREATE INDEX note_project ON note(project_id) WHERE project_id IS NOT NULL;\n"
	"CREATE TABLE selection (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  project_id INTEGER NOT NULL REFERENCES project(id),\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  candidate_id INTEGER NOT NULL UNIQUE REFERENCES candidate(id),\n"
	"  intended_use TEXT NOT NULL DEFAULT '',\n"
	"  integration TEXT NOT NULL DEFAULT '',\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX selection_project ON selection(project_id, brief_id);\n"
	"CREATE TABLE comparison (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  left_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  right_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('left','right','tie','skip')),\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX comparison_brief ON comparison(brief_id, curator);\n"
	"CREATE TABLE event (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at INTEGER NOT NULL,\n"
	"  curator TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  entity TEXT NOT NULL,\n"
	"  entity_id INTEGER,\n"
	"  candidate_id INTEGER,\n"
	"  before TEXT,\n"
	"  after TEXT,\n"
	"  group_id INTEGER,\n" /* first event of the undo step; NULL: this one */
	"  undoable INTEGER NOT NULL DEFAULT 0,\n"
	"  undone INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX event_undo ON event(curator, id) WHERE undoable;\n"
	/* Full-text search: rowid is the candidate, note or revision id. */
	"CREATE VIRTUAL TABLE candidate_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');\n"
	"CREATE VIRTUAL TABLE note_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');\n"
	"CREATE VIRTUAL TABLE revision_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');\n";

/* Version 2: who really made each change, and the store's settings.
 * event.login is the Unix login of the process ('' for events made
 * before it was kept); setting holds `aliases` (on/off: may a curator
 * name differ from the login) and `shared` (the group of a shared store). */
static const char schema_v2[] =
	"ALTER TABLE event ADD COLUMN login TEXT NOT NULL DEFAULT '';\n"
	"CREATE TABLE setting (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n";

/* Version 3: the store's id, a random name in `setting` that export folders
 * carry in their marker, so `export --force` replaces only a folder this
 * store made. */
static const char schema_v3[] =
	"INSERT INTO setting VALUES ('id', lower(hex(randomblob(16))));\n";

/* Version 4: the runner working a running job (its id names its lock
 * file cache/runners/ID.lock; NULL when no runner holds the job), so a
 * runner requeues only the jobs of runners that are gone. */
static const char schema_v4[] = "ALTER TABLE job ADD COLUMN runner TEXT;\n";

/* Version 5: a perceptual fingerprint per picture or video asset
 * (store/similar.c): fp is the 64-bit pHash as a signed integer, NULL
 * when none could be made (error says why; `lightbox fingerprint
 * --retry` tries again). */
static const char schema_v5[] =
	"CREATE TABLE fingerprint (\n"
	"  asset_id INTEGER PRIMARY KEY REFERENCES asset(id),\n"
	"  fp INTEGER,\n"
	"  error TEXT NOT NULL DEFAULT '',\n"
	"  made INTEGER NOT NULL\n"
	");\n";

/* Version 6: purge and deliveries (issue 15).  asset.purged is when
 * `lightbox purge` freed the file (NULL: it is there); the row, its
 * SHA-256 and every candidate on it stay.  delivered names each asset
 * `lightbox deliver` placed in a folder, so purge never frees one. */
static const char schema_v6[] =
	"ALTER TABLE asset ADD COLUMN purged INTEGER;\n"
	"CREATE TABLE delivered (\n"
	"  asset_id INTEGER NOT NULL REFERENCES asset(id),\n"
	"  dir TEXT NOT NULL,\n"
	"  mode TEXT NOT NULL CHECK (mode IN ('copy','link','symlink')),\n"
	"  curator TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  PRIMARY KEY (asset_id, dir)\n"
	") WITHOUT ROWID;\n";

/* Version 7: a counter bumped by triggers whenever the store's set of
 * fingerprinted candidates may have changed (a candidate added, removed
 * or moved to another asset or brief; a fingerprint made, changed or
 * removed).  It keys the packed fingerprint file cache/fingerprints.bin
 * that `lightbox similar --all` maps instead of reading a million rows
 * (store/fp-cache.c). */
static const char schema_v7[] =
	"CREATE TABLE fp_generation (\n"
	"  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"  n INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO fp_generation (id, n) VALUES (1, 0);\n"
	"CREATE TRIGGER fp_gen_cand_ins AFTER INSERT ON candidate\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n"
	"CREATE TRIGGER fp_gen_cand_del AFTER DELETE ON candidate\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n"
	"CREATE TRIGGER fp_gen_cand_upd AFTER UPDATE OF brief_id, asset_id ON candidate\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n"
	"CREATE TRIGGER fp_gen_fp_ins AFTER INSERT ON fingerprint\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n"
	"CREATE TRIGGER fp_gen_fp_del AFTER DELETE ON fingerprint\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n"
	"CREATE TRIGGER fp_gen_fp_upd AFTER UPDATE OF fp, asset_id ON fingerprint\n"
	"  BEGIN UPDATE fp_generation SET n = n + 1; END;\n";


/* Version 8: saved views (a named query, its sort, its author, for one
 * project or, project_id 0, the whole store), an index on seeds so a
 * query for a seed reads the few rows it finds, not the brief, and
 * brief.blind (blind review: a curator sees no one else's judgements of
 * a candidate before judging it). */
static const char schema_v8[] =
	"CREATE TABLE saved_view (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  project_id INTEGER NOT NULL DEFAULT 0,\n" /* 0: every project */
	"  name TEXT NOT NULL COLLATE NOCASE,\n"
	"  query TEXT NOT NULL,\n"
	"  sort TEXT NOT NULL DEFAULT 'oldest',\n"
	"  author TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL,\n"
	"  UNIQUE (project_id, name)\n"
	");\n"
	"CREATE INDEX candidate_seed ON candidate(brief_id, seed) WHERE seed IS NOT NULL;\n"
	"ALTER TABLE brief ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;\n"
	/* Which curators judge which candidates (lightbox assign). */
	"CREATE TABLE assignment (\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  candidate_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  curator TEXT NOT NULL,\n"
	"  PRIMARY KEY (brief_id, curator, candidate_id)\n"
	") WITHOUT ROWID;\n"
	/* An adjudicator's final judgement of a disputed candidate. */
	"CREATE TABLE adjudication (\n"
	"  brief_id INTEGER NOT NULL REFERENCES brief(id),\n"
	"  candidate_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  adjudicator TEXT NOT NULL,\n"
	"  stars INTEGER CHECK (stars BETWEEN 0 AND 5),\n"
	"  flag TEXT NOT NULL DEFAULT 'none' CHECK (flag IN ('none','pick','reject')),\n"
	"  reason TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  PRIMARY KEY (brief_id, candidate_id)\n"
	") WITHOUT ROWID;\n";

/* Version 9: assets linked rather than copied (import --link).  link is
 * 0 for the store's own copy, 1 for a hard link to the imported file, 2
 * for a reflink of it; origin is the path it was linked from; mtime_ns
 * the file's mtime when recorded, which with bytes tells a hard-linked
 * file changed outside lightbox (the hash on demand: lightbox verify). */
static const char schema_v9[] =
	"ALTER TABLE asset ADD COLUMN link INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE asset ADD COLUMN origin TEXT;\n"
	"ALTER TABLE asset ADD COLUMN mtime_ns INTEGER;\n";

/* Version 10: the LoRAs of each candidate's parameters as rows, so the
 * query term lora:NAME is an index lookup (its candidates by name, or a
 * candidate's by id) instead of a json_each of every row of the brief.
 * Triggers keep it as the parameters are: the names are those of
 * params.loras, an array of names or of {"name": ...} objects. */
#define LORA_ROWS(c)                                                                                   \
	"INSERT OR IGNORE INTO candidate_lora (name, candidate_id) SELECT n, id FROM (SELECT " c ".id AS id," \
	" CASE l.type WHEN 'object' THEN json_extract(l.value, '$.name') ELSE l.value END AS n"          \
	" FROM json_each(CASE WHEN json_valid(" c ".params) THEN " c ".params ELSE '{}' END, '$.loras') l)" \
	" WHERE typeof(n) = 'text' AND n <> ''"
static const char schema_v10[] =
	"CREATE TABLE candidate_lora (\n"
	"  name TEXT NOT NULL COLLATE NOCASE,\n"
	"  candidate_id INTEGER NOT NULL REFERENCES candidate(id),\n"
	"  PRIMARY KEY (name, candidate_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX candidate_lora_candidate ON candidate_lora(candidate_id);\n"
	"INSERT OR IGNORE INTO candidate_lora (name, candidate_id) SELECT n, id FROM (SELECT c.id AS id,"
	" CASE l.type WHEN 'object' THEN json_extract(l.value, '$.name') ELSE l.value END AS n"
	" FROM candidate c, json_each(CASE WHEN json_valid(c.params) THEN c.params ELSE '{}' END, '$.loras') l)"
	" WHERE typeof(n) = 'text' AND n <> '';\n"
	"CREATE TRIGGER candidate_lora_ins AFTER INSERT ON candidate WHEN new.params IS NOT NULL\n"
	"  BEGIN " LORA_ROWS("new") "; END;\n"
	"CREATE TRIGGER candidate_lora_upd AFTER UPDATE OF params ON candidate\n"
	"  BEGIN DELETE FROM candidate_lora WHERE candidate_id = old.id;\n"
	"  " LORA_ROWS("new") "; END;\n"
	"CREATE TRIGGER candidate_lora_del AFTER DELETE ON candidate\n"
	"  BEGIN DELETE FROM candidate_lora WHERE candidate_id = old.id; END;\n";

/* 11 is PostgreSQL's roles and grants (schema-pg.c); SQLite's access is
 * the folder's modes, so nothing here. */
static const char schema_v11[] = "";

static const char *const migrations[STORE_SCHEMA_VERSION] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
	schema_v6,
	schema_v7,
	schema_v8,
	schema_v9,
	schema_v10,
	schema_v11,
};

int st_schema_migrate(struct store *st)
{
	/* The same versions in both dialects, each spelled in its own. */
	const char *const *steps = st_is_pg(st) ? st_pg_migrations : migrations;
	int from = store_schema_version(st), v, rc, r;

	if (from >= STORE_SCHEMA_VERSION)
		return 0;
	if (st->readonly)
		return st_fail(st, STORE_EREADONLY,
			       "the store %s needs an upgrade (schema %d to %d) but is read-only; "
			       "open it once with write access",
			       st->dir, from, STORE_SCHEMA_VERSION);
	rc = st_begin(st);
	if (rc)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	from = store_schema_version(st);
	for (v = from; v < STORE_SCHEMA_VERSION && rc == 0; v++) {
		/* each dialect's text as it is */
		if ((r = db_exec_native(st->db, steps[v])) != DB_OK)
			rc = st_sqlfail(st, r, "upgrading the store's schema");
		if (rc == 0 && (r = db_set_schema_version(st->db, v + 1)) != DB_OK)
			rc = st_sqlfail(st, r, "setting the schema version");
	}
	return st_end(st, rc);
}
