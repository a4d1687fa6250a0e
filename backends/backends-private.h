/*
 * backends-private.h - what the files of backends/ share: a configured
 * backend, the ops every type implements, a job in progress (a "call"),
 * its HTTP requests and its outputs, and the reply parsers.
 *
 * Flow of one job: the runner claims the row and makes a bk_call; the
 * type's start() queues requests (or makes outputs at once: builtin, or
 * spawns a child: exec); the runner drives the requests on a curl multi
 * handle and hands each finished one to reply(), which adds outputs and
 * further requests, or fails or retries the call; once the call is
 * finished the runner stores the outputs as assets and then, in one
 * transaction, the candidates and the job's `done`.
 */
#ifndef LB_BACKENDS_PRIVATE_H
#define LB_BACKENDS_PRIVATE_H

#include <curl/curl.h>
#include <jansson.h>
#include <sys/types.h>

#include "backend.h"
#include "util.h"

/* ------------------------------------------------------------ parameters */

enum bk_ptype { BK_INT = 0, BK_NUM, BK_STR };

/* A parameter a type takes: settable in the definition (steps=30), in a
 * brief's params JSON and with --set. */
struct bk_param {
	const char *name; /* as the user spells it: "cfg-scale" */
	int type;         /* enum bk_ptype */
	double min, max;  /* for numbers */
	const char *help;
};

/* Parses text as the parameter's type into a new JSON value, or NULL
 * with *err (owned) naming the parameter and what it takes. */
json_t *bk_param_value(const struct bk_param *p, const char *text, char **err);
/* Converts a JSON value (from a brief's params) the same way. */
json_t *bk_param_json(const struct bk_param *p, const json_t *v, char **err);
const struct bk_param *bk_param_find(const struct bk_param *list, const char *name);

/* ------------------------------------------------------------ definitions */

enum bk_auth { BK_AUTH_NONE = 0, BK_AUTH_BEARER, BK_AUTH_BASIC };

struct bk_call;
struct bk_req;
struct bk_jscan;

struct bk_ops {
	const char *type;
	const struct bk_param *params;    /* {NULL}-terminated */
	const char *const *settings;      /* definition-only keys, NULL-terminated */
	unsigned can_make;                /* modalities the type can make */
	unsigned default_make;            /* when the definition names none */
	unsigned caps;                    /* enum backend_cap */
	int needs_url, needs_model;
	int auth;                         /* enum bk_auth, for key-env */
	int default_concurrency;
	long default_timeout;             /* seconds */
	/* Validates the type-specific settings; may set be->priv. 0 or -1
	 * with *err (owned, without the file:line prefix). */
	int (*configure)(struct backend *be, char **err);
	void (*release)(struct backend *be);
	int (*can_vary)(const struct backend *be, int modality);
	/* Begins a job: queue requests, spawn, or add outputs and finish. */
	void (*start)(struct bk_call *c);
	/* A request of the call came back with a 2xx status. */
	void (*reply)(struct bk_call *c, struct bk_req *req);
	/* Called on every runner loop while the call is live (optional). */
	void (*tick)(struct bk_call *c);
	/* The call ends (finished, failed, cancelled): free c->priv, kill
	 * children (optional). */
	void (*stop)(struct bk_call *c);
	/* `backends --check`: queue one cheap request on c (optional; NULL:
	 * check() below says everything) and judge its reply into *msg. */
	void (*check)(struct bk_call *c);
	int (*check_reply)(struct bk_call *c, struct bk_req *req, char **msg);
};

extern const struct bk_ops bk_builtin_ops, bk_exec_ops, bk_openai_ops, bk_a1111_ops, bk_comfyui_ops,
	bk_ollama_ops;

struct backend {
	char *name;
	const struct bk_ops *ops;
	char *url;              /* without a trailing '/', "" when none */
	char *model;            /* "" when none */
	char *key_env;          /* "" when none */
	unsigned modalities;
	int modality_set;       /* modality= was given */
	int concurrency;
	long timeout;           /* seconds for one request (or one exec run) */
	long connect_timeout;
	long low_speed;         /* bytes/s under which a started reply is dropped */
	long low_speed_time;    /* ... for this many seconds */
	int retries;            /* retries after the first attempt */
	double backoff;         /* seconds before the first retry */
	double max_backoff;
	double max_retry_after; /* longest Retry-After honoured; longer fails */
	size_t max_reply;       /* bytes */
	int redirects;
	int is_default;
	json_t *settings;       /* typed parameters and definition-only keys given */
	char *file;             /* where defined, "" built in */
	int line;
	char *dir;              /* folder of file, for relative paths */
	const char **pnames;    /* owned NULL-terminated parameter names */
	void *priv;             /* the type's own (workflow, argv template) */
};

/* A definition's string setting or def. */
const char *bk_setting(const struct backend *be, const char *key, const char *def);

/* ------------------------------------------------------------ a job in progress */

enum bk_status { BK_RUNNING = 0, BK_FINISHED, BK_FAILED, BK_RETRY, BK_DROPPED /* cancelled elsewhere */ };

struct bk_output {
	unsigned char *data;    /* owned bytes, or NULL */
	size_t len;
	char *file;             /* owned path of a file to import instead */
	char *text;             /* owned: a text candidate's body */
	char media_type[40];
	char ext[12];
	int width, height;
	double duration;
	int has_seed;
	int64_t seed;
	char *model;            /* owned; NULL: the backend's */
	json_t *params;         /* owned: effective parameters of this output */
};

struct runner;

struct bk_call {
	struct runner *runner;  /* NULL for checks and tests */
	const struct backend *be;
	struct lb_job job;      /* the claimed row (owned copy) */
	int modality;
	char *prompt;           /* effective prompt (one-off or the revision's) */
	char *negative;
	char *constraints;
	int one_off;            /* prompt or negative differ from the revision */
	json_t *params;         /* effective parameters: definition < brief < job */
	int count;
	int seed_mode;
	int64_t seed;
	int has_parent;
	struct lb_candidate parent; /* the candidate varied (has_parent) */
	struct bk_output *out;
	size_t nout, capout;
	struct bk_req **reqs;   /* requests not yet handed back */
	size_t nreqs, capreqs;
	int status;             /* enum bk_status */
	char *error;            /* owned, when FAILED or RETRY */
	long retry_after;       /* seconds from the server, -1 none */
	double progress;        /* 0..1 */
	int again;              /* tick() has more to do at once: do not wait */
	int step, index;        /* the type's own counters */
	void *priv;             /* the type's own state */
	char *store_dir;        /* for private work folders */
	char *workdir;          /* owned: made by bk_call_workdir */
	double started_ms;
	char *key;              /* owned: the key read from key-env, scrubbed from messages */
};

/* The seed of the i-th candidate (0-based). */
int64_t bk_seed(const struct bk_call *c, int i);
/* Effective parameters. */
const char *bk_str(const struct bk_call *c, const char *name, const char *def);
long long bk_int(const struct bk_call *c, const char *name, long long def);
double bk_num(const struct bk_call *c, const char *name, double def);
int bk_has(const struct bk_call *c, const char *name);
/* The prompt with the brief's constraints appended for text models. */
char *bk_text_prompt(const struct bk_call *c);

/* Ends the call: a permanent failure, or one worth retrying after
 * retry_after seconds (-1: the backoff decides).  The message is scrubbed
 * of the key and clipped.  Only the first ending counts. */
void bk_fail(struct bk_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bk_retry(struct bk_call *c, long retry_after, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bk_finish(struct bk_call *c);
void bk_progress(struct bk_call *c, double p);
/* A private folder for the call under the store's cache (made 0700 on
 * first use, removed with the call).  NULL and the call failed when it
 * cannot be made. */
const char *bk_call_workdir(struct bk_call *c);

/* Adds an output; the data/text/params passed are taken over.  The
 * image and audio forms check the bytes (a complete PNG, JPEG, WebP, GIF;
 * WAV, MP3, Ogg, FLAC...) and fail the call with a message when they are
 * not what was asked for.  0 or -1 (the call failed). */
int bk_out_image(struct bk_call *c, unsigned char *data, size_t len, int has_seed, int64_t seed,
		 const char *model, json_t *params);
int bk_out_b64_image(struct bk_call *c, const char *b64, size_t n, int has_seed, int64_t seed,
		     const char *model, json_t *params);
int bk_out_audio(struct bk_call *c, unsigned char *data, size_t len, int has_seed, int64_t seed,
		 const char *model, json_t *params);
int bk_out_text(struct bk_call *c, const char *text, int has_seed, int64_t seed, const char *model,
		json_t *params);
/* The same for any kind (LB_IMAGE, LB_AUDIO, LB_VIDEO). */
int bk_out_media(struct bk_call *c, unsigned char *data, size_t len, int kind, int has_seed, int64_t seed,
		 const char *model, json_t *params);
/* A file written by a command: its type is read from its bytes. */
int bk_out_file(struct bk_call *c, const char *path, int has_seed, int64_t seed, json_t *params);

/* Reads the job's parameters, brief revision and parent candidate (c->job
 * and c->be set) into the call.  0, or -1 with *err (owned). */
int bk_call_setup(struct bk_call *c, struct store *st, char **err);
/* The parameters recorded on a candidate: the call's merged with the
 * output's own.  Owned JSON text. */
char *bk_candidate_params(const struct bk_call *c, const struct bk_output *o);

struct bk_call *bk_call_new(const struct backend *be);
void bk_call_free(struct bk_call **c);
void bk_output_clear(struct bk_output *o);

/* ------------------------------------------------------------ HTTP requests */

/* Text as it arrives: in memory up to LB_TEXT_INLINE_MAX, then in a file
 * of dir (named .text-*, removed by bk_sink_free unless taken), never more
 * than max bytes (then `over` is set and the rest is dropped). */
struct bk_sink {
	struct sbuf mem;        /* the text while it is short */
	int fd;                 /* the file once long, else -1 */
	char *path;             /* owned path of that file */
	char *dir;              /* owned; NULL: the call's folder */
	struct bk_call *call;   /* for that folder, made when first needed */
	size_t len, max;
	size_t inline_max;      /* LB_TEXT_INLINE_MAX (smaller in the fuzzer) */
	int over;               /* more than max was offered */
	int err;                /* errno of a failed write, 0 */
};


struct bk_req {
	struct bk_call *call;
	CURL *easy;
	struct curl_slist *hdrs;
	curl_mime *mime;
	char *what;             /* "POST /sdapi/v1/txt2img": for messages, no host */
	char *url;
	char *body;             /* owned request body */
	struct sbuf reply;
	size_t max;             /* reply limit */
	int too_big;
	int too_slow;
	long status;
	char ctype[96];         /* Content-Type of the reply, lower-case */
	long retry_after;       /* seconds, -1 none */
	char location[8];       /* "yes" when a redirect was seen */
	char errbuf[CURL_ERROR_SIZE];
	CURLcode result;
	int kind, index;        /* the type's tags */
	int optional;           /* its failure does not end the call (progress polls) */
	double not_before;      /* monotonic ms; 0: now */
	int state;              /* 0 waiting, 1 in the multi handle, 2 finished */
	long low_speed, low_speed_time;
	double drip_t0;         /* monotonic ms of the current low-speed window */
	curl_off_t drip_b0;     /* bytes received when it began */
	int started;            /* the reply began */
	/* Replies that may be long text (bk_req_spill): the body goes into a
	 * sink, a file past LB_TEXT_INLINE_MAX; `reply` then holds its first
	 * 64 KiB only (for error messages) and bk_req_parse_json reads the
	 * file through a skeleton (js). */
	int spill;
	struct bk_sink sink;
	struct bk_jscan *js;
};

/* A request to be->url + path (path starts with '/'), with the
 * definition's timeouts, limits, redirects and key.  Queued on the call;
 * the runner sends it.  NULL only when the call has failed (missing key). */
struct bk_req *bk_req_new(struct bk_call *c, const char *method, const char *path, int kind, int index);
/* A GET of an absolute URL (an image a server names), with no key sent. */
struct bk_req *bk_req_new_url(struct bk_call *c, const char *url, int kind, int index);
/* Sets a JSON body (taken over) and its Content-Type. */
void bk_req_json(struct bk_req *r, json_t *body);
/* The multipart body to fill (curl_mime_addpart ...). */
curl_mime *bk_req_mime(struct bk_req *r);
void bk_req_delay(struct bk_req *r, double ms);
/* The request a CURLMSG_DONE message is about, taken out of the multi
 * handle with its result and status noted; NULL for other messages. */
struct bk_req *bk_req_finished(CURLM *multi, CURLMsg *m);
void bk_req_free(struct bk_req **r);
/* Runs one request of c at once, outside the runner's multi handle: for
 * cleaning up after a call ended (a cancelled ComfyUI prompt).  Blocks
 * at most timeout seconds; body (taken over) is sent as JSON when not
 * NULL.  Returns the HTTP status (0: no answer); the reply body in *reply
 * (owned, NULL when empty) when reply is not NULL. */
long bk_req_now(struct bk_call *c, const char *method, const char *path, json_t *body, long timeout,
		char **reply);
/* Lets r's reply be longer than memory should hold (text models): see
 * the spill fields above. */
void bk_req_spill(struct bk_req *r);
/* The long string a placeholder of a spilled reply's JSON stands for
 * (decoded into a sink), else NULL: v is then an ordinary string. */
struct bk_sink *bk_req_sink(struct bk_req *r, const json_t *v);
/* Detaches r from its call (after it finished). */
void bk_req_detach(struct bk_req *r);
/* Parses a JSON reply; on a wrong Content-Type, bad JSON or an error
 * object inside a 2xx reply, fails the call with a message and returns
 * NULL.  Owned result. */
json_t *bk_req_parse_json(struct bk_call *c, struct bk_req *r);
/* Judges a finished transfer: 0 when it is a 2xx reply to hand to the
 * type; else ends the call (fail or retry) unless r->optional, and
 * returns -1. */
int bk_req_judge(struct bk_call *c, struct bk_req *r);
/* Library start-up (curl_global_init once, thread-safe). */
void bk_http_init(void);

/* ------------------------------------------------------------ reply parsers (reply.c) */

/* Decodes base64 (standard alphabet, padding optional, whitespace
 * skipped; a "data:...;base64," prefix is allowed).  0 and an owned
 * buffer, or -1 with *err when a character is not base64 or the text is
 * truncated mid-group. */
int bk_b64_decode(const char *s, size_t n, unsigned char **out, size_t *len, char **err);
/* Encodes n bytes; owned NUL-terminated result. */
char *bk_b64_encode(const void *data, size_t n);

/* What bytes hold, read from them (media_probe_mem).  kind is LB_IMAGE,
 * LB_AUDIO, LB_VIDEO, LB_TEXT or -1 when unknown.  Truncated or corrupt
 * data of a known format is refused with *err (owned). */
struct bk_sniff {
	int kind;
	char media_type[32];
	char ext[8];
	int width, height;
	double duration;
};
int bk_sniff(const unsigned char *d, size_t n, struct bk_sniff *out, char **err);

/* The message of an error reply in any of the shapes the protocols use:
 * {"error":{"message":..}} (OpenAI, ComfyUI), {"error":"..."} (Ollama),
 * {"error":"Type","detail":".."} (A1111), {"detail":[{"msg":..}]}
 * (FastAPI), {"object":"error","message":..} (vLLM), {"node_errors":..}.
 * Owned, or NULL when j is not an error. */
char *bk_json_error(const json_t *j);
/* The same for any reply body: JSON error shapes, else the first line of
 * text (clipped), else NULL.  Owned. */
char *bk_body_error(const char *ctype, const char *body, size_t n);

/* Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date (IMF-
 * fixdate, RFC 850 or asctime form).  0 and *secs >= 0 (a past date gives
 * 0), or -1 when the value is neither. */
int bk_retry_after_parse(const char *v, int64_t now, long *secs);
/* Delay before retry number attempt (1-based): base * 2^(attempt-1),
 * capped at cap, scaled by jitter01 into [0.5, 1.0] of that ("equal
 * jitter"), and never below retry_after (>= 0) when the server set one. */
double bk_backoff(int attempt, double base, double cap, double jitter01, long retry_after);

/* A1111's reply: `info` is a JSON string inside the JSON.  Fills seeds[]
 * (the seeds really used, one per image after index_of_first_image),
 * *first (index of the first real image in images[]), *model and *info
 * (the parsed object, owned).  0, or -1 with *err (owned). */
struct bk_a1111_info {
	json_t *info;           /* owned parsed object */
	int first;              /* index_of_first_image */
	int64_t *seeds;         /* owned, nseeds */
	size_t nseeds;
	const char *model;      /* borrowed from info: sd_model_name */
};
int bk_a1111_parse_info(const json_t *reply, struct bk_a1111_info *out, char **err);
void bk_a1111_info_clear(struct bk_a1111_info *i);

/* A ComfyUI /history/{id} reply.  *done is 0 while it is {} (queued or
 * running); when done, files[] lists the saved outputs (type "output")
 * of every node.  A filename or subfolder that could escape (.., a slash
 * in the name, an absolute path, a control character) is an error. */
struct bk_comfy_file {
	char *filename, *subfolder, *type; /* owned */
};
int bk_comfy_history(const json_t *reply, const char *prompt_id, int *done, struct bk_comfy_file **files,
		     size_t *n, char **err);
void bk_comfy_files_free(struct bk_comfy_file **f, size_t n);

/* Ollama /api/generate or /api/chat reply, either one JSON object or
 * NDJSON lines (streamed despite "stream": false): the text concatenated,
 * the model named.  An {"error":..} line is an error.  Owned results. */
int bk_ollama_text(const char *body, size_t n, int chat, char **text, char **model, char **err);
/* The same into a sink; js (may be NULL) resolves the placeholders of a
 * skeleton made from a spilled reply. */
int bk_ollama_sink(const char *body, size_t n, int chat, struct bk_jscan *js, struct bk_sink *out, char **model,
		   char **err);

/* ------------------------------------------------------------ long text (spill.c) */

void bk_sink_init(struct bk_sink *s, const char *dir, size_t max);
/* 0, or -1 once over max or after a write error (the rest is dropped). */
int bk_sink_add(struct bk_sink *s, const void *p, size_t n);
/* Adds all of src (closed) to dst, reading its file a piece at a time. */
int bk_sink_append(struct bk_sink *dst, struct bk_sink *src);
/* Closes the file (the text stays): 0, or -1 when a write failed. */
int bk_sink_close(struct bk_sink *s);
void bk_sink_free(struct bk_sink *s);
/* Adds a text output from a sink (closed): in memory as bk_out_text; from
 * its file as an asset-to-be (checked as UTF-8 a piece at a time; the
 * file is taken over).  what names the source for messages ("the
 * command's standard output").  0 or -1 (the call failed). */
int bk_out_text_sink(struct bk_call *c, struct bk_sink *s, const char *what, int has_seed, int64_t seed,
		     const char *model, json_t *params);
/* How many of n bytes end on a whole UTF-8 character (the rest, at most
 * 3 bytes, is the start of one cut off). */
size_t bk_utf8_complete(const unsigned char *b, size_t n);
/* Whether a file holds UTF-8 text without NUL and not only blanks,
 * reading it a piece at a time: 0, or -1 with *err (owned). */
int bk_text_file_check(const char *path, char **err);

/* A JSON text read in pieces into a skeleton: the same text with every
 * string longer than spill_at (64 KiB) decoded into a sink of its own and
 * replaced by a placeholder string (U+FFFF "lightbox-spill:N").  The
 * skeleton (out) is at most skeleton_max bytes. */
struct bk_jscan {
	struct sbuf out;        /* the skeleton */
	struct sbuf raw;        /* the current string while short */
	struct bk_sink *sinks;  /* the long strings */
	size_t nsinks;
	char *dir;
	size_t max, out_max, spill_at;
	size_t sink_inline;     /* the sinks' inline_max */
	int in_str, spilling, esc, too_big;
	unsigned u, hi;
	char *error;            /* owned: what is wrong with the text */
};
void bk_jscan_init(struct bk_jscan *j, const char *dir, size_t max, size_t skeleton_max);
void bk_jscan_feed(struct bk_jscan *j, const void *data, size_t n);
/* After the last piece: 0, or -1 with j->error. */
int bk_jscan_end(struct bk_jscan *j);
/* Feeds a whole file and ends. */
int bk_jscan_file(struct bk_jscan *j, const char *path);
/* The sink a placeholder string of the skeleton stands for, else NULL. */
struct bk_sink *bk_jscan_sink(struct bk_jscan *j, const json_t *v);
void bk_jscan_free(struct bk_jscan *j);

/* ------------------------------------------------------------ exec argv templates */

/* Splits a command template into words without a shell: blanks
 * separate; '...' quotes literally; "..." quotes with \" and \\; a
 * backslash outside quotes escapes the next character.  Placeholders
 * stay in the words.  0 and an owned NULL-terminated vector, or -1 with
 * *err (owned). */
int bk_argv_split(const char *tmpl, char ***words, char **err);
/* Checks the placeholders of the words: only {prompt} {negative} {seed}
 * {width} {height} {out} {n} {init} and {{ }}; the program is not one. */
int bk_argv_check(char *const *words, char **err);
struct bk_argv_vars {
	const char *prompt, *negative, *out, *init;
	int64_t seed;
	int width, height, n;
};
/* Substitutes the placeholders of each word as data: a value never
 * splits a word or is parsed again.  Owned vector. */
char **bk_argv_expand(char *const *words, const struct bk_argv_vars *v);
void bk_argv_free(char ***v);
/* Whether any word holds {name}. */
int bk_argv_uses(char *const *words, const char *name);

/* ------------------------------------------------------------ builtin generators */

/* A procedural image: RGBA w*h*4 (owned), its family name (static). */
unsigned char *bk_builtin_pixels(const char *prompt, int64_t seed, int w, int h, const char *family,
				 const char **family_used, unsigned palette[3]);
/* A text variation assembled from the brief.  Owned. */
char *bk_builtin_text(const char *prompt, const char *constraints, const char *parent, int64_t seed,
		      int sentences);
/* A WAV (16-bit PCM mono) sound bed.  Owned, *len; *desc (static) names the scale. */
unsigned char *bk_builtin_wav(const char *prompt, int64_t seed, double seconds, size_t *len,
			      const char **desc);

/* 64-bit FNV-1a of a string, for seeding from text. */
uint64_t bk_hash(const char *s);
/* splitmix64 step. */
uint64_t bk_rand_next(uint64_t *state);
/* Uniform in [0, 1). */
double bk_rand01(uint64_t *state);
/* A random 32-bit seed / value in [0,1) from the system. */
int64_t bk_random_seed(void);
double bk_random01(void);

/* Reads a whole file with a size limit (0 or -1 with *err owned). */
int bk_read_limited(const char *path, size_t max, unsigned char **out, size_t *len, char **err);
/* Removes a folder tree made by the runner (never follows links). */
void bk_rmtree(const char *path);

#endif
