/*
 * backend-builtin.c - the offline, deterministic default backend, so a
 * new user sees the whole loop with no key and no network.  It is not a
 * model and says so: every candidate's model is "builtin procedural (not
 * a model)".  Images come from builtin-image.c; text is assembled from the
 * brief's own words with templates; audio is a short WAV bed (a chord, an
 * arpeggio, a little wind) synthesised from the seed.  Variations: a
 * picture is warped and blended with a new pattern, a text is rebuilt
 * from the parent's words, a sound keeps the parent's key and changes the
 * arpeggio.
 */
#include "config.h"

#include "backends-private.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

#define BUILTIN_MODEL "builtin procedural (not a model)"
#define MAX_PIXELS (36L * 1000 * 1000)

static const struct bk_param params[] = {
	{ "width", BK_INT, 1, 8192, "picture width in pixels (default 512)" },
	{ "height", BK_INT, 1, 8192, "picture height in pixels (default 512)" },
	{ "family", BK_STR, 0, 0, "gradient, noise, plasma, voronoi or stripes (default: from the prompt)" },
	{ "strength", BK_NUM, 0, 1, "how far a variation moves from its parent (default 0.35)" },
	{ "sentences", BK_INT, 1, 8, "sentences in a text (default 2)" },
	{ "duration", BK_NUM, 0.5, 60, "seconds of audio (default 4)" },
	{ NULL, 0, 0, 0, NULL },
};

/* ------------------------------------------------------------ text */

static const char *const stop[] = {
	"the", "and", "for", "with", "that", "this", "from", "into", "onto", "over", "under", "about", "your",
	"our", "their", "its", "are", "was", "were", "will", "would", "should", "could", "can", "must", "not",
	"but", "all", "any", "some", "one", "two", "three", "write", "make", "create", "give", "generate",
	"tagline", "taglines", "headline", "copy", "text", "words", "word", "max", "min", "under", "less",
	"more", "than", "very", "which", "who", "what", "when", "where", "how", "why", "has", "have", "had",
	"them", "they", "you", "also", "only", "just", "like", "such", "each", "every", "per", "via", "a", "an",
	NULL,
};

static int stopword(const char *w)
{
	size_t i;

	for (i = 0; stop[i]; i++)
		if (strcmp(stop[i], w) == 0)
			return 1;
	return 0;
}

struct words {
	char **w;
	size_t n, cap;
};

static void words_add_from(struct words *ws, const char *text)
{
	const char *p = text ? text : "";

	while (*p) {
		char buf[48];
		size_t n = 0, i;
		int dup = 0;

		while (*p && !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
			p++;
		while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 || *p == '\'' || *p == '-')) {
			if (n + 1 < sizeof buf)
				buf[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		buf[n] = '\0';
		if (n < 3 || stopword(buf) || !util_utf8_valid(buf, n))
			continue;
		for (i = 0; i < ws->n; i++)
			if (strcmp(ws->w[i], buf) == 0)
				dup = 1;
		if (dup)
			continue;
		if (ws->n == ws->cap) {
			ws->cap = ws->cap ? ws->cap * 2 : 16;
			ws->w = xrealloc(ws->w, ws->cap * sizeof *ws->w);
		}
		ws->w[ws->n++] = xstrdup(buf);
	}
}

static void words_free(struct words *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
}

static const char *const templates[] = {
	"%A for %B.",
	"Where %A meets %B.",
	"%A, %B, and nothing else.",
	"Made for %A. Kept for %B.",
	"Every %A tells a %B story.",
	"Come for the %A, stay for the %B.",
	"%A, reimagined as %B.",
	"Less noise, more %A.",
	"The %A you have been waiting for.",
	"Quietly %B. Unmistakably %A.",
	"From %A to %B, in one breath.",
	"%A at heart, %B by nature.",
	"A little %A, a lot of %B.",
	"Slow %A, bright %B.",
};

static int word_limit(const char *constraints)
{
	const char *p = constraints;

	/* "max 8 words", "under 10 words", "at most 6 words", "8 words" */
	while (p && *p) {
		if (isdigit((unsigned char)*p)) {
			char *end;
			long n = strtol(p, &end, 10);
			while (*end == ' ')
				end++;
			if (strncasecmp(end, "word", 4) == 0 && n > 0 && n < 1000)
				return (int)n;
			p = end;
			continue;
		}
		p++;
	}
	return 0;
}

static void cap_first(char *s)
{
	if (s && (unsigned char)*s < 0x80)
		*s = (char)toupper((unsigned char)*s);
}

static int count_words(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (*s == ' ')
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* One sentence from a template and two of the words. */
static char *sentence(struct words *ws, uint64_t *rs, int first_from_parent)
{
	const char *t = templates[bk_rand_next(rs) % (sizeof templates / sizeof templates[0])];
	size_t a = (size_t)(bk_rand_next(rs) % ws->n), b = (size_t)(bk_rand_next(rs) % ws->n);
	struct sbuf sent;

	if (first_from_parent)
		a = (size_t)(bk_rand_next(rs) % (ws->n < 4 ? ws->n : 4));
	if (b == a)
		b = (a + 1) % ws->n;
	sb_init(&sent);
	for (; *t; t++) {
		if (t[0] == '%' && (t[1] == 'A' || t[1] == 'B')) {
			sb_adds(&sent, ws->w[t[1] == 'A' ? a : b]);
			t++;
		} else {
			sb_addc(&sent, *t);
		}
	}
	cap_first(sent.s);
	return sb_steal(&sent);
}

char *bk_builtin_text(const char *prompt, const char *constraints, const char *parent, int64_t seed,
		      int sentences)
{
	struct words ws = { 0 };
	struct sbuf out;
	uint64_t rs = bk_hash(prompt) ^ ((uint64_t)seed * 0x9E3779B97F4A7C15ULL) ^ bk_hash(parent);
	int limit = word_limit(constraints), i, tries, words = 0;

	if (parent)
		words_add_from(&ws, parent);
	words_add_from(&ws, prompt);
	if (ws.n == 0)
		words_add_from(&ws, "light colour form story");
	if (ws.n == 1)
		words_add_from(&ws, "story");
	sb_init(&out);
	for (i = 0; i < sentences; i++) {
		char *s = NULL;

		/* Under "max N words", take only sentences that still fit. */
		for (tries = 0; tries < 12; tries++) {
			free(s);
			s = sentence(&ws, &rs, parent && i == 0);
			if (limit <= 0 || words + count_words(s) <= limit)
				break;
		}
		if (limit > 0 && words + count_words(s) > limit) {
			if (i == 0) {
				/* Nothing fits: cut the first sentence short. */
				char *p = s;
				int n = 0, in = 0;
				for (; *p; p++) {
					if (*p == ' ')
						in = 0;
					else if (!in && ++n > limit)
						break;
					else
						in = 1;
				}
				while (p > s && (p[-1] == ' ' || p[-1] == ',' || p[-1] == '.'))
					p--;
				strcpy(p, ".");
				sb_adds(&out, s);
			}
			free(s);
			break;
		}
		words += count_words(s);
		sb_addf(&out, "%s%s", out.len ? " " : "", s);
		free(s);
	}
	words_free(&ws);
	return sb_steal(&out);
}

/* ------------------------------------------------------------ audio */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static double note_hz(double midi)
{
	return 440.0 * pow(2.0, (midi - 69) / 12.0);
}

static const struct {
	const char *name;
	int steps[7];
	int n;
} scales[] = {
	{ "major", { 0, 2, 4, 5, 7, 9, 11 }, 7 },
	{ "minor", { 0, 2, 3, 5, 7, 8, 10 }, 7 },
	{ "pentatonic", { 0, 2, 4, 7, 9, 0, 0 }, 5 },
	{ "dorian", { 0, 2, 3, 5, 7, 9, 10 }, 7 },
};

static const char *const note_names[] = { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };

unsigned char *bk_builtin_wav(const char *prompt, int64_t seed, double seconds, size_t *len, const char **desc)
{
	static __thread char d[64];
	const int rate = 22050;
	uint64_t ks = bk_hash(prompt), rs = ks ^ ((uint64_t)seed * 0xD6E8FEB86659FD93ULL);
	size_t n = (size_t)(seconds * rate), i;
	float *buf = xcalloc(n, sizeof *buf);
	unsigned char *wav = xmalloc(44 + n * 2);
	int root = 45 + (int)(ks % 12), sc = (int)((ks >> 8) % 4), bpm = 70 + (int)(bk_rand_next(&rs) % 50);
	double step = 60.0 / bpm / 2, peak = 1e-9, lp = 0;
	int chord[3] = { 0, 2, 4 }, k;

	/* The pad: a triad of the scale, slow swell. */
	for (k = 0; k < 3; k++) {
		int deg = chord[k] % scales[sc].n;
		double f = note_hz(root + scales[sc].steps[deg] + (chord[k] >= scales[sc].n ? 12 : 0));
		double det = 1.0 + (bk_rand01(&rs) - 0.5) * 0.004;

		for (i = 0; i < n; i++) {
			double t = (double)i / rate, env = fmin(1, t / 0.8) * fmin(1, (seconds - t) / 0.8);
			buf[i] += (float)(0.18 * env *
					  (sin(2 * M_PI * f * t) + 0.35 * sin(2 * M_PI * 2 * f * det * t) +
					   0.15 * sin(2 * M_PI * 3 * f * t)));
		}
	}
	/* The arpeggio: plucked notes of the scale, an octave up. */
	for (k = 0; (double)k * step < seconds; k++) {
		int deg = (int)(bk_rand_next(&rs) % (uint64_t)scales[sc].n);
		double f = note_hz(root + 12 + scales[sc].steps[deg]), t0 = k * step;
		size_t s0 = (size_t)(t0 * rate), s1 = s0 + (size_t)(step * 1.8 * rate);

		if (bk_rand01(&rs) < 0.25)
			continue;
		for (i = s0; i < s1 && i < n; i++) {
			double t = (double)(i - s0) / rate;
			buf[i] += (float)(0.22 * exp(-t * 5) * (sin(2 * M_PI * f * t) + 0.3 * sin(2 * M_PI * 2 * f * t)));
		}
	}
	/* Wind: low-passed noise. */
	for (i = 0; i < n; i++) {
		lp += (bk_rand01(&rs) - 0.5 - lp) * 0.02;
		buf[i] += (float)(lp * 0.6);
	}
	for (i = 0; i < n; i++) {
		double t = (double)i / rate, fade = fmin(1, fmin(t, seconds - t) / 0.05);
		buf[i] *= (float)fade;
		if (fabs(buf[i]) > peak)
			peak = fabs(buf[i]);
	}
	memcpy(wav, "RIFF", 4);
	put32(wav + 4, (uint32_t)(36 + n * 2));
	memcpy(wav + 8, "WAVEfmt ", 8);
	put32(wav + 16, 16);
	put16(wav + 20, 1);
	put16(wav + 22, 1);
	put32(wav + 24, rate);
	put32(wav + 28, rate * 2);
	put16(wav + 32, 2);
	put16(wav + 34, 16);
	memcpy(wav + 36, "data", 4);
	put32(wav + 40, (uint32_t)(n * 2));
	for (i = 0; i < n; i++) {
		long v = lrint(buf[i] / peak * 0.7 * 32767);
		put16(wav + 44 + i * 2, (unsigned)(v & 0xffff));
	}
	free(buf);
	snprintf(d, sizeof d, "%s %s, %d bpm", note_names[root % 12], scales[sc].name, bpm);
	*desc = d;
	*len = 44 + n * 2;
	return wav;
}

/* ------------------------------------------------------------ variations of pictures */

/* The parent picture, resampled to w x h, or NULL with the call failed. */
static unsigned char *parent_pixels(struct bk_call *c, int w, int h)
{
	struct media_image img;
	unsigned char *out;
	char *err = NULL;

	memset(&img, 0, sizeof img);
	if (c->parent.path == NULL ||
	    media_image_load(c->parent.path, 0, 0, MEDIA_PIXEL_LIMIT_DEFAULT, &img, &err) < 0) {
		bk_fail(c, "cannot read candidate #%lld's picture: %s", (long long)c->parent.id,
			err ? err : "it has no file");
		free(err);
		return NULL;
	}
	out = media_rgba_resize(img.rgba, img.width, img.height, w, h);
	media_image_free(&img);
	return out;
}

static void vary(unsigned char *dst, const unsigned char *parent, int w, int h, double strength, uint64_t seed)
{
	unsigned char *tmp = xmalloc((size_t)w * (size_t)h * 4);
	double amp = strength * 0.04 * (w > h ? w : h);
	int x, y, k;

	/* Warp the parent by a smooth field, then blend the new pattern in. */
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			double a = sin((x * 0.013 + (double)(seed % 97)) * 1.7 + cos(y * 0.011)) * amp;
			double b = cos((y * 0.012 + (double)(seed % 89)) * 1.3 + sin(x * 0.009)) * amp;
			int sx = x + (int)a, sy = y + (int)b;

			sx = sx < 0 ? 0 : sx >= w ? w - 1 : sx;
			sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
			memcpy(tmp + ((size_t)y * (size_t)w + (size_t)x) * 4,
			       parent + ((size_t)sy * (size_t)w + (size_t)sx) * 4, 4);
		}
	for (k = 0; k < w * h * 4; k++)
		dst[k] = (k & 3) == 3 ? 255 : (unsigned char)(tmp[k] * (1 - strength) + dst[k] * strength + 0.5);
	free(tmp);
}

/* ------------------------------------------------------------ the backend */

static json_t *palette_json(const unsigned pal[3])
{
	json_t *a = json_array();
	char hex[8];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(hex, sizeof hex, "#%06x", pal[i]);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

static int make_image(struct bk_call *c, int i)
{
	int w = (int)bk_int(c, "width", 512), h = (int)bk_int(c, "height", 512);
	int64_t seed = bk_seed(c, i);
	const char *family = bk_str(c, "family", NULL), *used;
	unsigned char *px, *png = NULL, *par = NULL;
	unsigned pal[3];
	size_t len = 0;
	char *err = NULL;
	json_t *p;

	if (family && strcmp(family, "auto") == 0)
		family = NULL;
	if (c->has_parent && c->parent.asset_id && !family) {
		/* A variation keeps its parent's family. */
		json_t *pp = json_loads(c->parent.params ? c->parent.params : "{}", 0, NULL);
		const char *f = json_string_value(json_object_get(pp, "family"));
		static __thread char fam[16];
		snprintf(fam, sizeof fam, "%s", f ? f : "");
		family = *fam ? fam : NULL;
		json_decref(pp);
		if (!bk_has(c, "width") && c->parent.width > 0)
			w = c->parent.width;
		if (!bk_has(c, "height") && c->parent.height > 0)
			h = c->parent.height;
	}
	if ((long)w * h > MAX_PIXELS) {
		bk_fail(c, "builtin draws at most %ld megapixels; %dx%d is too large", MAX_PIXELS / 1000000, w, h);
		return -1;
	}
	if (family && strcmp(family, "gradient") && strcmp(family, "noise") && strcmp(family, "plasma") &&
	    strcmp(family, "voronoi") && strcmp(family, "stripes")) {
		bk_fail(c, "family=%.40s is not one builtin draws — use gradient, noise, plasma, voronoi or stripes",
			family);
		return -1;
	}
	px = bk_builtin_pixels(c->prompt, seed, w, h, family, &used, pal);
	p = json_pack("{s:s, s:o, s:i, s:i}", "family", used, "palette", palette_json(pal), "width", w, "height", h);
	if (c->has_parent && c->parent.asset_id) {
		double strength = bk_num(c, "strength", 0.35);
		par = parent_pixels(c, w, h);
		if (par == NULL) {
			free(px);
			json_decref(p);
			return -1;
		}
		vary(px, par, w, h, strength, (uint64_t)seed);
		json_object_set_new(p, "strength", json_real(strength));
		free(par);
	}
	if (media_png_encode(px, w, h, 6, &png, &len, &err) < 0) {
		bk_fail(c, "encoding the picture failed: %s", err);
		free(err);
		free(px);
		json_decref(p);
		return -1;
	}
	free(px);
	return bk_out_image(c, png, len, 1, seed, BUILTIN_MODEL, p);
}

static int make_text(struct bk_call *c, int i)
{
	int64_t seed = bk_seed(c, i);
	int sentences = (int)bk_int(c, "sentences", 2);
	const char *parent = c->has_parent && c->parent.body ? c->parent.body : NULL;
	char *t = bk_builtin_text(c->prompt, c->constraints, parent, seed, sentences);
	int rc = bk_out_text(c, t, 1, seed, BUILTIN_MODEL, json_pack("{s:s, s:i}", "generator", "templates",
								       "sentences", sentences));

	free(t);
	return rc;
}

static int make_audio(struct bk_call *c, int i)
{
	int64_t seed = bk_seed(c, i);
	double secs = bk_num(c, "duration", 4);
	const char *desc;
	unsigned char *wav;
	size_t len;

	if (c->has_parent && c->parent.has_seed && !bk_has(c, "duration") && c->parent.duration > 0.4)
		secs = c->parent.duration;
	wav = bk_builtin_wav(c->prompt, seed, secs, &len, &desc);
	return bk_out_audio(c, wav, len, 1, seed, BUILTIN_MODEL,
			    json_pack("{s:s, s:f}", "sound", desc, "duration", secs));
}

/* One candidate per runner tick, so that progress shows, a cancel is
 * seen between them and other jobs' transfers keep moving. */
static void builtin_tick(struct bk_call *c)
{
	int rc;

	if (c->index >= c->count) {
		bk_finish(c);
		return;
	}
	if (c->modality == LB_IMAGE)
		rc = make_image(c, c->index);
	else if (c->modality == LB_TEXT)
		rc = make_text(c, c->index);
	else if (c->modality == LB_AUDIO)
		rc = make_audio(c, c->index);
	else {
		bk_fail(c, "builtin makes no %s", lb_modality_name(c->modality));
		rc = -1;
	}
	if (rc < 0)
		return;
	c->index++;
	bk_progress(c, (double)c->index / c->count);
	if (c->index >= c->count)
		bk_finish(c);
	else
		c->again = 1;
}

static void builtin_start(struct bk_call *c)
{
	c->index = 0;
	builtin_tick(c);
}

static int builtin_can_vary(const struct backend *be, int modality)
{
	(void)be;
	return modality == LB_IMAGE || modality == LB_TEXT || modality == LB_AUDIO;
}

static int builtin_check_reply(struct bk_call *c, struct bk_req *req, char **msg)
{
	(void)c;
	(void)req;
	*msg = xstrdup("ok: offline, procedural (not a model)");
	return 1;
}

const struct bk_ops bk_builtin_ops = {
	.type = "builtin",
	.params = params,
	.can_make = 1u << LB_IMAGE | 1u << LB_TEXT | 1u << LB_AUDIO,
	.default_make = 1u << LB_IMAGE | 1u << LB_TEXT | 1u << LB_AUDIO,
	.caps = BACKEND_CAP_SEED | BACKEND_CAP_COUNT | BACKEND_CAP_INIT_IMAGE | BACKEND_CAP_OFFLINE,
	.default_concurrency = 2,
	.default_timeout = 600,
	.can_vary = builtin_can_vary,
	.start = builtin_start,
	.tick = builtin_tick,
	.check_reply = builtin_check_reply,
};
