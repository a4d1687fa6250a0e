/*
 * preview-render.c - turning a file into what one preview mode sends for
 * a box of cells: character cells for symbols (libchafa), a sixel string,
 * a kitty upload (PNG, with the image id) or an iTerm2 inline image (JPEG
 * or PNG, whichever is smaller), a waveform for audio, a poster frame for
 * video.  Pure work on values: it runs in the cache's worker threads.
 *
 * Pictures are decoded at the size the box needs, through the store's
 * thumbnail cache (media_thumb_load: keyed by asset hash and a size from
 * a short list, so the pane, the zoom and the grid share thumbnails).
 * What crosses the link is what a user waits for, so kitty and iTerm2
 * payloads keep under a byte budget: a picture that encodes larger is
 * sent at a lower resolution and the terminal scales it to the cells
 * (kitty's c= r=, iTerm2's width= height=).
 *
 * Formats followed: kitty's graphics-protocol.rst (kitty 0.26 docs,
 * "Transmitting data", "Remote client" chunking: base64 chunks of at most
 * 4096 bytes, m=1 on all but the last), iTerm2's "Inline Images Protocol"
 * (OSC 1337 ; File = key=value;... : base64 BEL), RFC 4648 base64.
 */
#include "config.h"

#include "preview.h"

#include <chafa.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { KITTY_CHUNK = 4096, JPEG_QUALITY = 85, PNG_LEVEL = 1 };

/* ------------------------------------------------------------ requests */

char *pv_req_key(const struct pv_req *q)
{
	const char *who = q->sha && *q->sha ? q->sha : q->path ? q->path : "";
	char zoom[64] = "";

	if (q->zoom > 1)
		snprintf(zoom, sizeof zoom, "|zoom %g@%.4f,%.4f", q->zoom, q->cx, q->cy);
	if (q->kind == PV_K_AUDIO)
		return xasprintf("a|%s|%d", who, q->cols);
	return xasprintf("%c|%s|%s|%dx%d|%dx%d|%d|%d|%d|%zu|%lld%s%s", q->kind == PV_K_VIDEO ? 'v' : 'i', who,
			 pv_mode_name(q->mode), q->cols, q->rows, q->cell_w, q->cell_h,
			 q->mode == PV_SYMBOLS ? q->depth : 0, q->mode == PV_SYMBOLS ? q->ascii : 0,
			 q->mode == PV_SIXEL ? q->sixel_colors : 0,
			 q->mode == PV_KITTY || q->mode == PV_ITERM2 ? q->budget : 0, q->pixel_limit,
			 q->mode == PV_SYMBOLS && q->tolerance ? (q->tolerance < 0 ? "|exact" : "|runs") : "",
			 zoom);
}

void pv_req_copy(struct pv_req *dst, const struct pv_req *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path);
	dst->sha = xstrdup(src->sha);
	dst->cache_dir = xstrdup(src->cache_dir);
}

void pv_req_clear(struct pv_req *q)
{
	xfree(&q->path);
	xfree(&q->sha);
	xfree(&q->cache_dir);
}

void pv_render_free(struct pv_render *r)
{
	if (r == NULL)
		return;
	free(r->key);
	free(r->cells);
	free(r->blob);
	free(r->error);
	free(r->mins);
	free(r->maxs);
	free(r);
}

/* ------------------------------------------------------------ decoding */

static const int sizes[] = { 128, 160, 200, 256, 320, 400, 512, 640, 800, 1024, 1280, 1600, 2048, 2560,
			     3200, 4096 };

void pv_decode_size(const struct pv_req *q, int *w, int *h)
{
	int cw = q->cell_w > 0 ? q->cell_w : 10, ch = q->cell_h > 0 ? q->cell_h : 20;
	int need_w, need_h, need, i;

	if (q->mode == PV_SYMBOLS) {
		/* chafa looks at 8x8 samples per cell, cells being cw:ch tall */
		need_w = q->cols * 8;
		need_h = q->rows * 8 * ch / cw;
	} else {
		need_w = q->cols * cw;
		need_h = q->rows * ch;
	}
	need = need_w > need_h ? need_w : need_h;
	if (q->zoom > 1)
		need = (int)ceil(need * q->zoom); /* the crop is 1/zoom of the picture */
	for (i = 0; i < (int)(sizeof sizes / sizeof sizes[0]) - 1 && sizes[i] < need; i++)
		;
	*w = *h = sizes[i];
}

/* Two workers may want the same thumbnail (say the symbols and the sixel
 * of one box): the second waits for the first instead of writing the
 * same file at the same time. */
static pthread_mutex_t thumb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thumb_done = PTHREAD_COND_INITIALIZER;
static char *thumb_busy[8];

static int thumb_claim(const char *path)
{
	int i, free_slot;

	pthread_mutex_lock(&thumb_lock);
	for (;;) {
		free_slot = -1;
		for (i = 0; i < 8; i++) {
			if (thumb_busy[i] && strcmp(thumb_busy[i], path) == 0)
				break;
			if (!thumb_busy[i] && free_slot < 0)
				free_slot = i;
		}
		if (i == 8 && free_slot >= 0)
			break;
		pthread_cond_wait(&thumb_done, &thumb_lock);
	}
	thumb_busy[free_slot] = xstrdup(path);
	pthread_mutex_unlock(&thumb_lock);
	return free_slot;
}

static void thumb_release(int slot)
{
	pthread_mutex_lock(&thumb_lock);
	xfree(&thumb_busy[slot]);
	pthread_cond_broadcast(&thumb_done);
	pthread_mutex_unlock(&thumb_lock);
}

static int valid_sha(const char *s)
{
	int i;

	if (s == NULL)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* Zoomed in: the part of src the request names, in the picture's own
 * coordinates (the same part of pictures of any size), into *out (its
 * facts copied, its pixels owned). */
static void crop_copy(const struct pv_req *q, const struct media_image *src, struct media_image *out)
{
	int cw = (int)lround(src->width / q->zoom), ch = (int)lround(src->height / q->zoom), x, y, row;

	*out = *src;
	cw = cw < 1 ? 1 : cw;
	ch = ch < 1 ? 1 : ch;
	x = (int)lround(q->cx * src->width - cw / 2.0);
	y = (int)lround(q->cy * src->height - ch / 2.0);
	x = x < 0 ? 0 : x > src->width - cw ? src->width - cw : x;
	y = y < 0 ? 0 : y > src->height - ch ? src->height - ch : y;
	out->rgba = xmalloc((size_t)cw * ch * 4);
	for (row = 0; row < ch; row++)
		memcpy(out->rgba + (size_t)row * cw * 4, src->rgba + ((size_t)(y + row) * src->width + x) * 4,
		       (size_t)cw * 4);
	out->width = cw;
	out->height = ch;
}

/* The last pictures decoded for zoomed renders, whole: each zoom or pan
 * step is a new crop of the same picture (compare: two pictures), and
 * decoding it again cost 100-250 ms a step (`make bench`); a crop of a
 * kept one costs a copy.  Most recent first, within a byte budget. */
enum { ZOOM_KEEP = 4, ZOOM_BUDGET = 128 << 20 }; /* two 4096x4096 pictures */
static pthread_mutex_t zoom_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *key;
	struct media_image img;
} zoom_kept[ZOOM_KEEP];

/* Under zoom_lock: a crop of the kept picture key into *out; 0, or -1
 * when it is not kept. */
static int zoom_kept_crop(const char *key, const struct pv_req *q, struct media_image *out)
{
	int i;

	for (i = 0; i < ZOOM_KEEP && zoom_kept[i].key; i++)
		if (strcmp(zoom_kept[i].key, key) == 0) {
			crop_copy(q, &zoom_kept[i].img, out);
			for (; i > 0; i--) { /* to the front */
				char *k = zoom_kept[i].key;
				struct media_image m = zoom_kept[i].img;
				zoom_kept[i].key = zoom_kept[i - 1].key;
				zoom_kept[i].img = zoom_kept[i - 1].img;
				zoom_kept[i - 1].key = k;
				zoom_kept[i - 1].img = m;
			}
			return 0;
		}
	return -1;
}

/* Under zoom_lock: keeps img (taken over) as key, first; the oldest go
 * beyond ZOOM_KEEP or the budget. */
static void zoom_keep(char *key, struct media_image *img)
{
	size_t bytes = (size_t)img->width * img->height * 4;
	int i;

	if (bytes > ZOOM_BUDGET) {
		free(key);
		media_image_free(img);
		return;
	}
	free(zoom_kept[ZOOM_KEEP - 1].key);
	media_image_free(&zoom_kept[ZOOM_KEEP - 1].img);
	memmove(&zoom_kept[1], &zoom_kept[0], (ZOOM_KEEP - 1) * sizeof zoom_kept[0]);
	zoom_kept[0].key = key;
	zoom_kept[0].img = *img;
	memset(img, 0, sizeof *img);
	for (i = 1; i < ZOOM_KEEP && zoom_kept[i].key; i++) {
		bytes += (size_t)zoom_kept[i].img.width * zoom_kept[i].img.height * 4;
		if (bytes > ZOOM_BUDGET)
			break;
	}
	for (; i < ZOOM_KEEP; i++) {
		xfree(&zoom_kept[i].key);
		media_image_free(&zoom_kept[i].img);
	}
}

void pv_zoom_forget(void)
{
	int i;

	pthread_mutex_lock(&zoom_lock);
	for (i = 0; i < ZOOM_KEEP; i++) {
		xfree(&zoom_kept[i].key);
		media_image_free(&zoom_kept[i].img);
	}
	pthread_mutex_unlock(&zoom_lock);
}

/* Zoomed in: the crop, from a kept picture or decoded from the file (at
 * zoom times the box's size: no thumbnail, the real pixels). */
static int load_zoomed(const struct pv_req *q, int w, int h, struct media_image *img, char **err)
{
	char *key = xasprintf("%c|%s|%s|%dx%d|%lld", q->kind == PV_K_VIDEO ? 'v' : 'i', q->sha ? q->sha : "",
			      q->path, w, h, q->pixel_limit);
	struct media_image whole;
	int rc;

	pthread_mutex_lock(&zoom_lock);
	rc = zoom_kept_crop(key, q, img);
	pthread_mutex_unlock(&zoom_lock);
	if (rc == 0) {
		free(key);
		return 0;
	}
	memset(&whole, 0, sizeof whole);
	if (q->kind == PV_K_VIDEO)
		rc = media_video_poster(q->path, w, h, q->pixel_limit, &whole, NULL, err);
	else
		rc = media_image_load(q->path, w, h, q->pixel_limit, &whole, err);
	if (rc != 0) {
		free(key);
		return -1;
	}
	crop_copy(q, &whole, img);
	pthread_mutex_lock(&zoom_lock);
	zoom_keep(key, &whole);
	pthread_mutex_unlock(&zoom_lock);
	return 0;
}

/* The picture of q (a still, or a video's poster frame) at decode size. */
static int load_pixels(const struct pv_req *q, struct pv_render *r, struct media_image *img, char **err)
{
	int w, h, rc, slot;
	char *tp;

	pv_decode_size(q, &w, &h);
	if (q->zoom > 1)
		return load_zoomed(q, w, h, img, err);
	if (q->cache_dir && valid_sha(q->sha)) {
		tp = media_thumb_path(q->cache_dir, q->sha, w, h);
		slot = thumb_claim(tp);
		rc = media_thumb_load(q->cache_dir, q->sha, q->path, w, h, q->pixel_limit, img, err);
		thumb_release(slot);
		free(tp);
		if (rc >= 0) {
			r->from_thumb = rc == 1;
			return 0;
		}
		return -1;
	}
	if (q->kind == PV_K_VIDEO)
		return media_video_poster(q->path, w, h, q->pixel_limit, img, NULL, err);
	return media_image_load(q->path, w, h, q->pixel_limit, img, err);
}

/* ------------------------------------------------------------ symbols */

static ChafaCanvasMode canvas_mode(int depth)
{
	if (depth >= 16777216)
		return CHAFA_CANVAS_MODE_TRUECOLOR;
	if (depth >= 256)
		return CHAFA_CANVAS_MODE_INDEXED_240;
	if (depth >= 16)
		return CHAFA_CANVAS_MODE_INDEXED_16;
	if (depth >= 8)
		return CHAFA_CANVAS_MODE_INDEXED_8;
	return CHAFA_CANVAS_MODE_FGBG;
}

/* The glyph showing the same two colours the other way round, or 0. */
static uint32_t mirror(uint32_t ch)
{
	switch (ch) {
	case 0x2580: return 0x2584; /* upper half <-> lower half */
	case 0x2584: return 0x2580;
	case 0x258c: return 0x2590; /* left half <-> right half */
	case 0x2590: return 0x258c;
	default: return 0;
	}
}

/* Fewer colour changes for the terminal: ncurses sends a colour only when
 * it differs from the cell before, so where a colour does not show (the
 * foreground of a blank, the background of a full block) the last one is
 * kept, a one-colour cell is written whichever way continues the run,
 * and a half block may be mirrored to swap its colours.  The picture is
 * the same; on noisy pictures this saves about a fifth of the bytes. */
static void fewer_changes(struct pv_cell *cells, int n)
{
	int32_t pf = INT32_MIN, pb = INT32_MIN;
	struct pv_cell *c;
	uint32_t m;
	int i, keep, swap;

	for (i = 0; i < n; i++) {
		c = &cells[i];
		if (c->ch == ' ' || c->ch == 0x2588 || c->fg == c->bg) {
			int32_t col = c->ch == ' ' ? c->bg : c->fg;
			if (pb == col || pf != col) {
				c->ch = ' ';
				c->bg = col;
				if (pf != INT32_MIN)
					c->fg = pf;
			} else {
				c->ch = 0x2588;
				c->fg = col;
				if (pb != INT32_MIN)
					c->bg = pb;
			}
		} else if ((m = mirror(c->ch)) != 0) {
			keep = (c->fg != pf) + (c->bg != pb);
			swap = (c->bg != pf) + (c->fg != pb);
			if (swap < keep) {
				int32_t t = c->fg;
				c->ch = m;
				c->fg = c->bg;
				c->bg = t;
			}
		}
		pf = c->fg;
		pb = c->bg;
	}
}

static int near(int32_t a, int32_t b, int t)
{
	int k;

	if (a < 0 || b < 0)
		return a == b;
	for (k = 0; k < 24; k += 8) {
		int d = (int)((a >> k) & 255) - (int)((b >> k) & 255);
		if (d > t || d < -t)
			return 0;
	}
	return 1;
}

/* 24-bit colours in runs: a cell whose colour is within t of the run's
 * (the colour of the cell before, as sent) takes the run's colour, so
 * ncurses sends no change; the error stays under t per channel.  A
 * palette per picture (median cut to 48 colours) saved as much but
 * banded smooth pictures: runs keep every colour change that shows. */
static void to_runs(struct pv_cell *cells, size_t n, int cols, int t)
{
	int32_t pf = -2, pb = -2;
	size_t i;

	for (i = 0; i < n; i++) {
		if (cols > 0 && i % (size_t)cols == 0)
			pf = pb = -2; /* a new row: ncurses moves there and may change colours */
		if (pf != -2 && near(cells[i].fg, pf, t))
			cells[i].fg = pf;
		if (pb != -2 && near(cells[i].bg, pb, t))
			cells[i].bg = pb;
		pf = cells[i].fg;
		pb = cells[i].bg;
	}
}

static void render_symbols(const struct pv_req *q, const struct media_image *img, struct pv_render *r)
{
	ChafaSymbolMap *map = chafa_symbol_map_new();
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	ChafaCanvas *cv;
	int cols = q->cols, rows = q->rows, x, y, fg, bg;
	gunichar ch;

	if (q->ascii) {
		chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_ASCII);
	} else {
		chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_BORDER |
							  CHAFA_SYMBOL_TAG_SPACE);
		chafa_symbol_map_remove_by_tags(map, CHAFA_SYMBOL_TAG_WIDE);
	}
	chafa_calc_canvas_geometry(img->width, img->height, &cols, &rows,
				   (gfloat)(q->cell_w > 0 ? q->cell_w : 10) / (gfloat)(q->cell_h > 0 ? q->cell_h : 20),
				   TRUE, FALSE);
	if (cols > q->cols)
		cols = q->cols;
	if (rows > q->rows)
		rows = q->rows;
	if (cols < 1)
		cols = 1;
	if (rows < 1)
		rows = 1;
	chafa_canvas_config_set_geometry(cfg, cols, rows);
	chafa_canvas_config_set_canvas_mode(cfg, canvas_mode(q->depth));
	chafa_canvas_config_set_pixel_mode(cfg, CHAFA_PIXEL_MODE_SYMBOLS);
	chafa_canvas_config_set_symbol_map(cfg, map);
	cv = chafa_canvas_new(cfg);
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, img->rgba, img->width, img->height,
				     img->width * 4);
	r->cols = cols;
	r->rows = rows;
	r->cells = xmalloc((size_t)cols * rows * sizeof *r->cells);
	for (y = 0; y < rows; y++)
		for (x = 0; x < cols; x++) {
			struct pv_cell *c = &r->cells[(size_t)y * cols + x];
			ch = chafa_canvas_get_char_at(cv, x, y);
			c->ch = ch ? ch : ' ';
			if (q->depth == 0) {
				c->fg = c->bg = -1;
				continue;
			}
			chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
			c->fg = fg;
			c->bg = bg;
		}
	if (q->depth >= 16777216 && q->tolerance >= 0)
		to_runs(r->cells, (size_t)cols * rows, cols, q->tolerance ? q->tolerance : PV_RUN_TOLERANCE);
	if (q->depth > 0)
		fewer_changes(r->cells, cols * rows);
	r->mem += (size_t)cols * rows * sizeof *r->cells;
	chafa_canvas_unref(cv);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(map);
}

/* ------------------------------------------------------------ pixel payloads */

static void base64(struct sbuf *out, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	char q[4];

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = tab[p[i] >> 2];
		q[1] = tab[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = tab[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		q[3] = tab[p[i + 2] & 63];
		sb_add(out, q, 4);
	}
	if (i < n) {
		q[0] = tab[p[i] >> 2];
		q[1] = tab[(p[i] & 3) << 4 | (i + 1 < n ? p[i + 1] >> 4 : 0)];
		q[2] = i + 1 < n ? tab[(p[i + 1] & 15) << 2] : '=';
		q[3] = '=';
		sb_add(out, q, 4);
	}
}

static int has_alpha(const struct media_image *img)
{
	size_t i, n = (size_t)img->width * img->height;

	for (i = 0; i < n; i++)
		if (img->rgba[4 * i + 3] != 255)
			return 1;
	return 0;
}

/* Pixels of the display box (the picture fitted into the box, enlarged
 * when smaller) and the cells it covers. */
static void display_box(const struct pv_req *q, int sw, int sh, int *dw, int *dh)
{
	double bw = (double)q->cols * q->cell_w, bh = (double)q->rows * q->cell_h;
	double s = bw / sw < bh / sh ? bw / sw : bh / sh;

	*dw = (int)floor(sw * s + 0.5);
	*dh = (int)floor(sh * s + 0.5);
	if (*dw < 1)
		*dw = 1;
	if (*dh < 1)
		*dh = 1;
	if (*dw > (int)bw)
		*dw = (int)bw;
	if (*dh > (int)bh)
		*dh = (int)bh;
}

static unsigned char *scaled(const struct media_image *img, int w, int h)
{
	if (w == img->width && h == img->height) {
		unsigned char *p = xmalloc((size_t)w * h * 4);
		memcpy(p, img->rgba, (size_t)w * h * 4);
		return p;
	}
	return media_rgba_resize(img->rgba, img->width, img->height, w, h);
}

static void render_sixel(const struct pv_req *q, const struct media_image *img, struct pv_render *r)
{
	int dw, dh, colors = q->sixel_colors >= 2 ? q->sixel_colors : 256;
	unsigned char *px;
	struct sbuf out;

	display_box(q, img->width, img->height, &dw, &dh);
	/* Whole bands of six rows: a sixel never spills into the row below. */
	if (dh >= 6)
		dh -= dh % 6;
	px = scaled(img, dw, dh);
	sb_init(&out);
	pv_sixel_encode(px, dw, dh, colors, &out);
	free(px);
	r->px_w = dw;
	r->px_h = dh;
	r->cols = (dw + q->cell_w - 1) / q->cell_w;
	r->rows = (dh + q->cell_h - 1) / q->cell_h;
	r->len = out.len;
	r->blob = (unsigned char *)sb_steal(&out);
	r->format = "sixel";
}

static atomic_uint next_image_id;

static uint32_t new_image_id(void)
{
	/* Unique within this process and unlikely to meet another's. */
	uint32_t base = ((uint32_t)getpid() & 0x3fff) << 16;

	return base | ((atomic_fetch_add(&next_image_id, 1) & 0xffff) + 1);
}

/* Bytes per 1000 pixels the last PNG and JPEG came out at (0: none yet),
 * shared by the render workers: a picture that will not fit the budget at
 * full size starts at the size the last one predicts, which saves the
 * largest (wasted) encode of a cold picture. */
static atomic_uint last_density[2];

static void predict_size(const struct pv_req *q, int jpeg, int *w, int *h)
{
	unsigned d = atomic_load(&last_density[jpeg != 0]);
	double want, f;

	if (q->budget == 0 || d == 0)
		return;
	want = (double)*w * *h * d / 1000.0;
	if (want <= (double)q->budget)
		return;
	/* Aim a little under: a miss costs one more encode. */
	f = sqrt((double)q->budget / want) * 0.9;
	*w = (int)(*w * f) < 16 ? 16 : (int)(*w * f);
	*h = (int)(*h * f) < 16 ? 16 : (int)(*h * f);
}

/* Encodes px (w x h) as PNG or JPEG under the budget, scaling down when
 * it does not fit.  *out is owned. */
static int encode_budget(const struct pv_req *q, const struct media_image *img, int w, int h, int jpeg,
			 unsigned char **out, size_t *len, int *ow, int *oh, char **err)
{
	int tries;
	unsigned char *px;

	int fw = w, fh = h, guessed;

	*out = NULL;
	predict_size(q, jpeg, &w, &h);
	guessed = w != fw || h != fh;
	for (tries = 0; tries < 5; tries++) {
		px = scaled(img, w, h);
		if (jpeg) {
			if (media_jpeg_encode(px, w, h, JPEG_QUALITY, out, len, err) != 0) {
				free(px);
				return -1;
			}
		} else if (media_png_encode(px, w, h, PNG_LEVEL, out, len, err) != 0) {
			free(px);
			return -1;
		}
		if (jpeg == 1 && *len * 16 < (size_t)w * h) {
			/* Under half a bit per pixel: a flat picture, PNG may be smaller. */
			unsigned char *png = NULL;
			size_t plen = 0;
			char *e2 = NULL;
			if (media_png_encode(px, w, h, PNG_LEVEL, &png, &plen, &e2) == 0 && plen <= *len) {
				free(*out);
				*out = png;
				*len = plen;
				jpeg = 0;
			} else {
				free(png);
			}
			free(e2);
		}
		free(px);
		*ow = w;
		*oh = h;
		atomic_store(&last_density[jpeg != 0], (unsigned)(*len * 1000 / ((size_t)w * h)) + 1);
		if (guessed) {
			/* The guess came from another picture: when this one is
			 * much sparser, it deserves a larger size (once). */
			double full = (double)*len * fw * fh / ((double)w * h), f;
			guessed = 0;
			if (*len * 2 < q->budget) {
				f = full <= (double)q->budget ? 1.0 : sqrt((double)q->budget / full) * 0.92;
				if ((int)(fw * f) > w * 5 / 4) {
					w = (int)(fw * f);
					h = (int)(fh * f);
					free(*out);
					*out = NULL;
					continue;
				}
			}
		}
		if (q->budget == 0 || *len <= q->budget || (w <= 16 && h <= 16))
			return jpeg;
		double f = sqrt((double)q->budget / (double)*len) * 0.92;
		w = (int)(w * f);
		h = (int)(h * f);
		if (w < 16)
			w = 16;
		if (h < 16)
			h = 16;
		free(*out);
		*out = NULL;
		if (jpeg)
			jpeg = 2; /* no second try of PNG for a scaled-down one */
	}
	return jpeg ? 1 : 0;
}

/* The file a terminal scales to the cells (kitty, iTerm2): the picture at
 * its display size or smaller, encoded under the budget (as PNG, or as
 * JPEG or PNG when jpeg_ok), and the cells it covers.  -1 with r->error
 * set, else whether it came out JPEG; *data is owned. */
static int scaled_file(const struct pv_req *q, const struct media_image *img, int jpeg_ok, struct pv_render *r,
		       unsigned char **data, size_t *len)
{
	int dw, dh, jpeg;
	char *err = NULL;

	display_box(q, img->width, img->height, &dw, &dh);
	jpeg = encode_budget(q, img, dw < img->width ? dw : img->width, dh < img->height ? dh : img->height,
			     jpeg_ok, data, len, &r->px_w, &r->px_h, &err);
	if (jpeg < 0) {
		r->error = xasprintf("cannot encode the picture: %s", err);
		free(err);
		return -1;
	}
	r->cols = (int)floor((double)dw / q->cell_w + 0.5);
	r->rows = (int)floor((double)dh / q->cell_h + 0.5);
	if (r->cols < 1)
		r->cols = 1;
	if (r->rows < 1)
		r->rows = 1;
	return jpeg;
}

static void render_kitty(const struct pv_req *q, const struct media_image *img, struct pv_render *r)
{
	unsigned char *png;
	size_t len, off, n;
	struct sbuf b64, out;

	if (scaled_file(q, img, 0, r, &png, &len) < 0)
		return;
	r->image_id = new_image_id();
	sb_init(&b64);
	base64(&b64, png, len);
	free(png);
	sb_init(&out);
	for (off = 0; off < b64.len; off += n) {
		n = b64.len - off > KITTY_CHUNK ? KITTY_CHUNK : b64.len - off;
		if (off == 0)
			sb_addf(&out, "\033_Ga=t,f=100,t=d,i=%u,q=2,m=%d;", r->image_id, off + n < b64.len);
		else
			sb_addf(&out, "\033_Gm=%d;", off + n < b64.len);
		sb_add(&out, b64.s + off, n);
		sb_adds(&out, "\033\\");
	}
	sb_free(&b64);
	r->len = out.len;
	r->blob = (unsigned char *)sb_steal(&out);
	r->format = "png";
}

static void render_iterm2(const struct pv_req *q, const struct media_image *img, struct pv_render *r)
{
	unsigned char *data;
	size_t len;
	int jpeg = scaled_file(q, img, has_alpha(img) ? 0 : 1, r, &data, &len);
	struct sbuf out;

	if (jpeg < 0)
		return;
	sb_init(&out);
	sb_addf(&out, "\033]1337;File=inline=1;size=%zu;width=%d;height=%d;preserveAspectRatio=0;"
		      "doNotMoveCursor=1:",
		len, r->cols, r->rows);
	base64(&out, data, len);
	sb_addc(&out, '\a');
	free(data);
	r->len = out.len;
	r->blob = (unsigned char *)sb_steal(&out);
	r->format = jpeg ? "jpeg" : "png";
}

/* ------------------------------------------------------------ the entry point */

static void picture(const struct pv_req *q, const struct media_image *img, struct pv_render *r)
{
	switch (q->mode) {
	case PV_SIXEL:
		render_sixel(q, img, r);
		break;
	case PV_KITTY:
		render_kitty(q, img, r);
		break;
	case PV_ITERM2:
		render_iterm2(q, img, r);
		break;
	default:
		render_symbols(q, img, r);
		break;
	}
	r->mem += r->len;
}

struct pv_render *pv_render_run(const struct pv_req *q)
{
	struct pv_render *r = xcalloc(1, sizeof *r);
	struct media_image img;
	char *err = NULL;
	double t0 = util_mono_ms();

	r->refs = 1;
	r->key = pv_req_key(q);
	r->kind = q->kind;
	r->mode = q->kind == PV_K_AUDIO ? PV_NONE : q->mode;
	r->mem = sizeof *r + strlen(r->key);
	memset(&img, 0, sizeof img);
	if (q->path == NULL || access(q->path, F_OK) != 0) {
		r->error = xasprintf("the file is gone from disk: %s", q->path ? q->path : "(no path)");
		goto out;
	}
	if (media_probe_file(q->path, &r->info, &err) != 0) {
		r->error = err;
		err = NULL;
		goto out;
	}
	if (q->kind == PV_K_AUDIO) {
		int n = q->cols > 0 ? q->cols : 1;
		r->mins = xcalloc((size_t)n, sizeof *r->mins);
		r->maxs = xcalloc((size_t)n, sizeof *r->maxs);
		if (media_audio_peaks(q->path, n, r->mins, r->maxs, NULL, &err) != 0) {
			r->error = err;
			err = NULL;
			xfree(&r->mins);
			xfree(&r->maxs);
		} else {
			r->npeaks = n;
			r->mem += 2 * (size_t)n * sizeof(float);
		}
		goto out;
	}
	if (q->cols < 1 || q->rows < 1 || q->cell_w < 1 || q->cell_h < 1) {
		r->error = xstrdup("the pane is too small for a picture");
		goto out;
	}
	if (load_pixels(q, r, &img, &err) != 0) {
		r->error = err;
		err = NULL;
		goto out;
	}
	r->src_w = img.src_width;
	r->src_h = img.src_height;
	r->frames = img.frames;
	picture(q, &img, r);
out:
	media_image_free(&img);
	free(err);
	r->ms = util_mono_ms() - t0;
	return r;
}
