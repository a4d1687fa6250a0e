/*
 * builtin-image.c - the builtin backend's pictures: five procedural
 * families (gradient, noise, plasma, voronoi, stripes), the family and a
 * three-colour palette chosen from the prompt and the seed (colour words
 * in the prompt win), any size.
 * Deterministic: the same prompt, seed and size give the same bytes.
 */
#include "config.h"

#include "backends-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rgb {
	double r, g, b;
};

static struct rgb hsv(double h, double s, double v)
{
	double c = v * s, hp = fmod(h, 360.0) / 60.0, x = c * (1 - fabs(fmod(hp, 2.0) - 1)), m = v - c;
	struct rgb o = { 0, 0, 0 };

	if (hp < 0)
		hp += 6;
	if (hp < 1)
		o = (struct rgb){ c, x, 0 };
	else if (hp < 2)
		o = (struct rgb){ x, c, 0 };
	else if (hp < 3)
		o = (struct rgb){ 0, c, x };
	else if (hp < 4)
		o = (struct rgb){ 0, x, c };
	else if (hp < 5)
		o = (struct rgb){ x, 0, c };
	else
		o = (struct rgb){ c, 0, x };
	o.r += m;
	o.g += m;
	o.b += m;
	return o;
}

/* Words that set a hue (and how bright and saturated it is). */
static const struct {
	const char *word;
	double hue, sat, val;
} colour_words[] = {
	{ "red", 0, .8, .85 },	    { "crimson", 350, .85, .7 }, { "orange", 28, .85, .95 },
	{ "amber", 40, .85, .95 },  { "gold", 48, .75, .95 },    { "yellow", 55, .8, .98 },
	{ "lime", 90, .75, .9 },    { "green", 125, .65, .7 },   { "forest", 135, .6, .45 },
	{ "teal", 175, .7, .65 },   { "cyan", 185, .7, .9 },     { "ice", 195, .3, .97 },
	{ "sky", 200, .55, .95 },   { "ocean", 205, .75, .65 },  { "sea", 195, .65, .7 },
	{ "blue", 220, .75, .85 },  { "navy", 228, .8, .35 },    { "night", 240, .6, .25 },
	{ "indigo", 255, .7, .55 }, { "violet", 275, .6, .8 },   { "purple", 285, .65, .65 },
	{ "dusk", 300, .5, .55 },   { "magenta", 305, .8, .9 },  { "pink", 330, .45, .97 },
	{ "rose", 345, .5, .9 },    { "sunset", 18, .8, .95 },   { "fire", 12, .9, .95 },
	{ "autumn", 26, .75, .75 }, { "desert", 35, .45, .9 },   { "sand", 40, .3, .9 },
	{ "coffee", 25, .6, .4 },   { "cafe", 25, .55, .45 },    { "café", 25, .55, .45 },
	{ "mint", 150, .4, .9 },    { "lavender", 265, .3, .92 }, { "grey", 0, 0, .6 },
	{ "gray", 0, 0, .6 },       { "black", 0, 0, .08 },      { "white", 0, 0, .97 },
	{ "lighthouse", 8, .75, .9 },
};

static const char *const families[] = { "gradient", "noise", "plasma", "voronoi", "stripes" };

/* Family words in a prompt pick the family. */
static const struct {
	const char *word;
	int family;
} family_words[] = {
	{ "gradient", 0 }, { "fade", 0 },    { "sky", 0 },    { "noise", 1 },  { "cloud", 1 },   { "fog", 1 },
	{ "mist", 1 },     { "plasma", 2 },  { "psychedelic", 2 }, { "swirl", 2 }, { "voronoi", 3 },
	{ "cells", 3 },    { "mosaic", 3 },  { "stone", 3 },  { "stripes", 4 }, { "striped", 4 }, { "lines", 4 },
	{ "waves", 4 },
};

static int word_in(const char *prompt, const char *word)
{
	size_t n = strlen(word);
	const char *p = prompt;

	while ((p = strcasestr(p, word)) != NULL) {
		int before = p == prompt || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'));
		char a = p[n];
		int after = !((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z')) || a == 's';

		if (before && after)
			return 1;
		p += n;
	}
	return 0;
}

static void palette(const char *prompt, uint64_t *rs, struct rgb pal[3], unsigned packed[3])
{
	double hue[3], sat[3], val[3];
	int found = 0, i;
	size_t w;

	for (w = 0; w < sizeof colour_words / sizeof colour_words[0] && found < 3; w++)
		if (word_in(prompt, colour_words[w].word)) {
			hue[found] = colour_words[w].hue;
			sat[found] = colour_words[w].sat;
			val[found] = colour_words[w].val;
			found++;
		}
	if (found == 0) {
		hue[0] = (double)(bk_hash(prompt) % 360);
		sat[0] = 0.55 + 0.35 * bk_rand01(rs);
		val[0] = 0.6 + 0.35 * bk_rand01(rs);
		found = 1;
	}
	for (i = found; i < 3; i++) {
		/* Harmony from the seed: analogous, complementary or triadic. */
		static const double step[][2] = { { 30, -30 }, { 180, 150 }, { 120, 240 } };
		int h = (int)(bk_rand_next(rs) % 3);

		hue[i] = hue[0] + step[h][i - 1] + (bk_rand01(rs) - 0.5) * 20;
		sat[i] = sat[0] * (0.6 + 0.4 * bk_rand01(rs));
		val[i] = i == 1 ? val[0] * 0.45 : fmin(1, val[0] * 1.15 + 0.1);
	}
	for (i = 0; i < 3; i++) {
		pal[i] = hsv(hue[i] < 0 ? hue[i] + 360 : hue[i], sat[i], val[i]);
		packed[i] = (unsigned)(pal[i].r * 255.0 + 0.5) << 16 | (unsigned)(pal[i].g * 255.0 + 0.5) << 8 |
			    (unsigned)(pal[i].b * 255.0 + 0.5);
	}
}

static struct rgb mix(struct rgb a, struct rgb b, double t)
{
	return (struct rgb){ a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t };
}

/* t in [0,1] across the three colours, smoothly. */
static struct rgb ramp(const struct rgb pal[3], double t)
{
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	t = t * t * (3 - 2 * t);
	return t < 0.5 ? mix(pal[0], pal[1], t * 2) : mix(pal[1], pal[2], t * 2 - 1);
}

/* Value noise on a lattice hashed from the seed. */
static double lattice(uint64_t seed, int x, int y)
{
	uint64_t s = seed ^ ((uint64_t)(uint32_t)x * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(uint32_t)y * 0xC2B2AE3D27D4EB4FULL);

	return bk_rand01(&s);
}

static double vnoise(uint64_t seed, double x, double y)
{
	int xi = (int)floor(x), yi = (int)floor(y);
	double fx = x - xi, fy = y - yi, a, b, c, d;

	fx = fx * fx * (3 - 2 * fx);
	fy = fy * fy * (3 - 2 * fy);
	a = lattice(seed, xi, yi);
	b = lattice(seed, xi + 1, yi);
	c = lattice(seed, xi, yi + 1);
	d = lattice(seed, xi + 1, yi + 1);
	return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

static double fbm(uint64_t seed, double x, double y, int octaves)
{
	double sum = 0, amp = 0.5, norm = 0;
	int i;

	for (i = 0; i < octaves; i++) {
		sum += amp * vnoise(seed + (uint64_t)i * 7919, x, y);
		norm += amp;
		x *= 2.03;
		y *= 2.03;
		amp *= 0.5;
	}
	return sum / norm;
}

struct pattern {
	int family;
	uint64_t seed;
	struct rgb pal[3];
	double angle, freq, f2, f3, phase, warp;
	int npts;
	double *px, *py;
	struct rgb *pc;
};

static struct rgb shade(const struct pattern *p, double u, double v)
{
	double t, d1, d2, x, y;
	int i;

	switch (p->family) {
	case 0:
		t = u * cos(p->angle) + v * sin(p->angle);
		t = (t + 1.2) / 2.4 + (fbm(p->seed, u * 3, v * 3, 2) - 0.5) * 0.15;
		return ramp(p->pal, t);
	case 1:
		t = fbm(p->seed, u * p->freq + p->warp * fbm(p->seed + 1, u * 2, v * 2, 3),
			v * p->freq + p->warp * fbm(p->seed + 2, u * 2, v * 2, 3), 5);
		return ramp(p->pal, (t - 0.25) * 2);
	case 2:
		t = sin(u * p->freq + p->phase) + sin(v * p->f2 - p->phase) + sin((u + v) * p->f3) +
		    sin(sqrt((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)) * p->freq * 1.7);
		return ramp(p->pal, 0.5 + 0.5 * sin(t * 1.3));
	case 3:
		d1 = d2 = 1e9;
		x = u + (fbm(p->seed, u * 4, v * 4, 2) - 0.5) * p->warp;
		y = v + (fbm(p->seed + 5, u * 4, v * 4, 2) - 0.5) * p->warp;
		{
			int best = 0;
			for (i = 0; i < p->npts; i++) {
				double dx = x - p->px[i], dy = y - p->py[i], d = dx * dx + dy * dy;
				if (d < d1) {
					d2 = d1;
					d1 = d;
					best = i;
				} else if (d < d2) {
					d2 = d;
				}
			}
			t = sqrt(d2) - sqrt(d1);
			struct rgb c = mix(p->pc[best], p->pal[1], fmin(1, sqrt(d1) * 2.5) * 0.5);
			return t < 0.008 ? mix(c, (struct rgb){ 0.05, 0.05, 0.05 }, 0.7) : c;
		}
	default:
		t = u * cos(p->angle) + v * sin(p->angle);
		t += sin((u * sin(p->angle) - v * cos(p->angle)) * p->f2 + p->phase) * p->warp;
		t = fmod(t * p->freq, 3.0);
		if (t < 0)
			t += 3;
		i = (int)t;
		t -= i;
		return mix(p->pal[i], p->pal[(i + 1) % 3], t > 0.85 ? (t - 0.85) / 0.15 : 0);
	}
}

unsigned char *bk_builtin_pixels(const char *prompt, int64_t seed, int w, int h, const char *family,
				 const char **family_used, unsigned packed[3])
{
	struct pattern p;
	uint64_t rs = bk_hash(prompt) ^ ((uint64_t)seed * 0x2545F4914F6CDD1DULL);
	unsigned char *px = xmalloc((size_t)w * (size_t)h * 4);
	double scale = w > h ? w : h;
	size_t f;
	int x, y, i;

	memset(&p, 0, sizeof p);
	p.family = -1;
	for (i = 0; family && i < 5; i++)
		if (strcmp(family, families[i]) == 0)
			p.family = i;
	for (f = 0; p.family < 0 && f < sizeof family_words / sizeof family_words[0]; f++)
		if (word_in(prompt, family_words[f].word))
			p.family = family_words[f].family;
	if (p.family < 0)
		p.family = (int)(bk_rand_next(&rs) % 5);
	*family_used = families[p.family];
	palette(prompt, &rs, p.pal, packed);
	p.seed = bk_rand_next(&rs);
	p.angle = bk_rand01(&rs) * 2 * M_PI;
	p.freq = 2 + bk_rand01(&rs) * 8;
	p.f2 = 2 + bk_rand01(&rs) * 9;
	p.f3 = 1 + bk_rand01(&rs) * 6;
	p.phase = bk_rand01(&rs) * 2 * M_PI;
	p.warp = 0.2 + bk_rand01(&rs) * 0.8;
	if (p.family == 3) {
		p.npts = 8 + (int)(bk_rand_next(&rs) % 32);
		p.px = xmalloc((size_t)p.npts * sizeof *p.px);
		p.py = xmalloc((size_t)p.npts * sizeof *p.py);
		p.pc = xmalloc((size_t)p.npts * sizeof *p.pc);
		for (i = 0; i < p.npts; i++) {
			p.px[i] = bk_rand01(&rs) * (double)w / scale;
			p.py[i] = bk_rand01(&rs) * (double)h / scale;
			p.pc[i] = ramp(p.pal, bk_rand01(&rs));
		}
		p.warp *= 0.15;
	}
	for (y = 0; y < h; y++) {
		unsigned char *row = px + (size_t)y * (size_t)w * 4;

		for (x = 0; x < w; x++) {
			struct rgb c = shade(&p, (x + 0.5) / scale, (y + 0.5) / scale);
			double grain = (lattice(p.seed ^ 0xabcdef, x, y) - 0.5) * 0.02;

			row[x * 4 + 0] = (unsigned char)fmax(0, fmin(255, (c.r + grain) * 255 + 0.5));
			row[x * 4 + 1] = (unsigned char)fmax(0, fmin(255, (c.g + grain) * 255 + 0.5));
			row[x * 4 + 2] = (unsigned char)fmax(0, fmin(255, (c.b + grain) * 255 + 0.5));
			row[x * 4 + 3] = 255;
		}
	}
	free(p.px);
	free(p.py);
	free(p.pc);
	return px;
}
