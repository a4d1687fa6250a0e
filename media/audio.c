/*
 * audio.c - waveforms: the minimum and maximum of the mono mix in each of
 * N columns.  WAV samples are read straight from the file, 64 KiB at a
 * time, whatever their width, so an hour of 96 kHz audio costs no more
 * memory than a second of it.  Other formats are decoded by ffmpeg (when
 * installed) to 8 kHz mono 16-bit and folded into a bounded table of
 * block peaks whose resolution halves as the stream goes on.
 *
 * G.711 A-law and mu-law expansion follows ITU-T G.711.
 */
#include "config.h"

#include "media.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode-private.h"
#include "util.h"

/* ffmpeg: give up after this long, and after this much output (6 h). */
#define FFMPEG_TIMEOUT_MS 60000
#define FFMPEG_RATE 8000
#define FFMPEG_MAX_OUT ((size_t)FFMPEG_RATE * 2 * 3600 * 6)
/* Blocks kept while the length of an ffmpeg stream is unknown. */
#define ACC_BLOCKS 65536

static float alaw(unsigned char a)
{
	int t, seg;

	a ^= 0x55;
	t = (a & 0x0f) << 4;
	seg = (a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (float)((a & 0x80) ? t : -t) / 32768.0f;
}

static float mulaw(unsigned char u)
{
	int t;

	u = (unsigned char)~u;
	t = ((u & 0x0f) << 3) + 0x84;
	t <<= (u & 0x70) >> 4;
	return (float)((u & 0x80) ? (0x84 - t) : (t - 0x84)) / 32768.0f;
}

/* One sample of `bytes` bytes in WAV format fmt, as -1..1. */
static float wav_sample(const unsigned char *p, int fmt, int bytes)
{
	float v;

	if (fmt == 6)
		return alaw(p[0]);
	if (fmt == 7)
		return mulaw(p[0]);
	if (fmt == 3) {
		v = bytes == 4 ? f32_bits(rd_le32(p)) : (float)f64_bits(rd_le64(p));
		if (isnan(v))
			return 0;
		return v > 1 ? 1 : v < -1 ? -1 : v;
	}
	switch (bytes) {
	case 1:
		return (float)(p[0] - 128) / 128.0f;
	case 2:
		return (float)(int16_t)rd_le16(p) / 32768.0f;
	case 3:
		return (float)((int32_t)(rd_le24(p) << 8) >> 8) / 8388608.0f;
	case 4:
		return (float)((double)(int32_t)rd_le32(p) / 2147483648.0);
	default:
		return (float)((double)(int64_t)rd_le64(p) / 9223372036854775808.0);
	}
}

static void peaks_reset(int buckets, float *mins, float *maxs)
{
	int i;

	for (i = 0; i < buckets; i++) {
		mins[i] = INFINITY;
		maxs[i] = -INFINITY;
	}
}

/* Columns that got no sample (fewer samples than columns) take their
 * left neighbour's values, or silence. */
static void peaks_fill(int buckets, float *mins, float *maxs)
{
	int i;

	for (i = 0; i < buckets; i++) {
		if (mins[i] <= maxs[i])
			continue;
		mins[i] = i > 0 ? mins[i - 1] : 0;
		maxs[i] = i > 0 ? maxs[i - 1] : 0;
	}
}

static int wav_peaks(struct msrc *s, const struct wav_layout *w, int buckets, float *mins,
		     float *maxs, char **err)
{
	uint64_t frames = w->data_len / (uint64_t)w->block_align, f = 0, off;
	int bytes = w->block_align / w->channels, c;
	size_t chunk = (MSRC_WINDOW / (size_t)w->block_align) * (size_t)w->block_align, got, k;
	const unsigned char *p;

	if (frames == 0)
		return media_err(err, "the WAV file holds no samples");
	if (chunk == 0)
		return media_err(err, "WAV blocks of %d bytes are too large", w->block_align);
	peaks_reset(buckets, mins, maxs);
	for (off = w->data_off; f < frames; off += got) {
		p = msrc_upto(s, off, chunk, &got);
		if (p == NULL || got < (size_t)w->block_align)
			break;
		got -= got % (size_t)w->block_align;
		for (k = 0; k < got && f < frames; k += (size_t)w->block_align, f++) {
			float v = 0;
			int b = (int)(f * (uint64_t)buckets / frames);

			for (c = 0; c < w->channels; c++)
				v += wav_sample(p + k + (size_t)c * bytes, w->format, bytes);
			v /= (float)w->channels;
			if (v < mins[b])
				mins[b] = v;
			if (v > maxs[b])
				maxs[b] = v;
		}
	}
	if (s->io_error)
		return media_err(err, "read error: %s", strerror(s->io_error));
	peaks_fill(buckets, mins, maxs);
	return 0;
}

/* Block peaks of a stream of unknown length: at most ACC_BLOCKS blocks;
 * when full, neighbours merge and blocks hold twice as many samples. */
struct acc {
	float mn[ACC_BLOCKS], mx[ACC_BLOCKS];
	size_t n;           /* blocks in use */
	uint64_t per;       /* samples per block */
	uint64_t in_last;   /* samples in the last block */
	unsigned char carry; /* an odd byte left from the previous read */
	int have_carry;
};

static void acc_add(struct acc *a, float v)
{
	size_t i;

	if (a->n == 0 || a->in_last == a->per) {
		if (a->n == ACC_BLOCKS) {
			for (i = 0; i < ACC_BLOCKS / 2; i++) {
				a->mn[i] = fminf(a->mn[2 * i], a->mn[2 * i + 1]);
				a->mx[i] = fmaxf(a->mx[2 * i], a->mx[2 * i + 1]);
			}
			a->n = ACC_BLOCKS / 2;
			a->per *= 2;
			a->in_last = a->per; /* the merged last block is full */
		}
		a->mn[a->n] = v;
		a->mx[a->n] = v;
		a->n++;
		a->in_last = 1;
		return;
	}
	if (v < a->mn[a->n - 1])
		a->mn[a->n - 1] = v;
	if (v > a->mx[a->n - 1])
		a->mx[a->n - 1] = v;
	a->in_last++;
}

static int acc_feed(void *ctx, const unsigned char *p, size_t n)
{
	struct acc *a = ctx;
	size_t i = 0;

	if (a->have_carry && n > 0) {
		unsigned char two[2] = { a->carry, p[0] };
		acc_add(a, (float)(int16_t)rd_le16(two) / 32768.0f);
		a->have_carry = 0;
		i = 1;
	}
	for (; i + 1 < n; i += 2)
		acc_add(a, (float)(int16_t)rd_le16(p + i) / 32768.0f);
	if (i < n) {
		a->carry = p[i];
		a->have_carry = 1;
	}
	return 0;
}

static int ffmpeg_peaks(const char *path, int buckets, float *mins, float *maxs, char **err)
{
	struct acc *a = xcalloc(1, sizeof *a);
	char *input = xasprintf("file:%s", path);
	const char *argv[] = { media_ffmpeg_program(), "-nostdin", "-hide_banner", "-v", "error",
			       "-i", input, "-vn", "-sn", "-dn", "-f", "s16le", "-acodec",
			       "pcm_s16le", "-ac", "1", "-ar", "8000", "-", NULL };
	int missing = 0, rc = -1, i;
	char *why = NULL;

	a->per = 1;
	if (media_run(argv, FFMPEG_TIMEOUT_MS, FFMPEG_MAX_OUT, acc_feed, a, &missing, &why) < 0) {
		if (missing)
			media_err(err, "ffmpeg not installed: showing facts only (install ffmpeg "
				       "to draw waveforms of formats other than WAV)");
		else
			media_err(err, "cannot decode the audio: %s", why);
		goto out;
	}
	if (a->n == 0) {
		media_err(err, "cannot decode the audio: ffmpeg found no samples");
		goto out;
	}
	for (i = 0; i < buckets; i++) {
		size_t lo = (size_t)i * a->n / (size_t)buckets;
		size_t hi = (size_t)(i + 1) * a->n / (size_t)buckets, k;

		if (hi <= lo)
			hi = lo + 1;
		mins[i] = a->mn[lo];
		maxs[i] = a->mx[lo];
		for (k = lo + 1; k < hi; k++) {
			mins[i] = fminf(mins[i], a->mn[k]);
			maxs[i] = fmaxf(maxs[i], a->mx[k]);
		}
	}
	rc = 0;
out:
	free(why);
	free(input);
	free(a);
	return rc;
}

int media_audio_peaks(const char *path, int buckets, float *mins, float *maxs,
		      struct media_info *info, char **err)
{
	struct media_info local;
	struct wav_layout w;
	struct msrc s;
	int rc;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof *info);
	if (buckets <= 0)
		return media_err(err, "no room for a waveform (%d columns)", buckets);
	if (msrc_open(&s, path, err) < 0)
		return -1;
	s.quick = 1; /* a cut-short recording still has a waveform */
	if (probe_source(&s, info, err) < 0) {
		msrc_close(&s);
		return -1;
	}
	if (info->kind != MEDIA_AUDIO && info->kind != MEDIA_VIDEO) {
		msrc_close(&s);
		return media_err(err, "not audio: the file holds %s (%s)",
				 media_kind_name(info->kind), info->mime);
	}
	if (strcmp(info->mime, "audio/wav") == 0 && wav_layout(&s, &w, NULL) == 0 &&
	    (w.format == 1 || w.format == 3 || w.format == 6 || w.format == 7)) {
		rc = wav_peaks(&s, &w, buckets, mins, maxs, err);
		msrc_close(&s);
		return rc;
	}
	msrc_close(&s);
	return ffmpeg_peaks(path, buckets, mins, maxs, err);
}
