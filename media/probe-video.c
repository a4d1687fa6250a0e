/*
 * probe-video.c - facts of video (and MP4 audio, HEIF/AVIF stills) from
 * their containers: ISO base media files and QuickTime movies (a bounded
 * box walk: mvhd/mehd for the duration, tkhd for the displayed size and
 * rotation, hdlr for the track kind, stsd for the codec and audio format,
 * ispe for HEIF image sizes; 32- and 64-bit box sizes), and Matroska/WebM
 * (EBML: DocType, Info's TimecodeScale and Duration, Tracks' video and
 * audio settings).
 *
 * Formats followed: ISO/IEC 14496-12 (boxes, mvhd, tkhd, hdlr, stsd,
 * sample entries), ISO/IEC 23008-12 (HEIF ispe), Apple's QuickTime File
 * Format reference, RFC 8794 (EBML) and the Matroska element
 * specification (matroska.org / RFC 9559).  Walks are bounded in depth
 * and in the number of elements.
 */
#include "config.h"

#include "media.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "decode-private.h"

#define MAX_DEPTH 10
#define MAX_ELEMENTS 200000

/* ---------------------------------------------------------------- ISO BMFF */

struct box {
	uint64_t off;  /* of the header */
	uint64_t body; /* of the payload */
	uint64_t end;  /* one past the payload */
	char type[5];
};

/* Reads the box header at off inside [.., limit).  1 with *b, 0 at the
 * end, -1 when the box is cut by the limit (*b still filled), -2 when its
 * size is smaller than its own header. */
static int box_at(struct msrc *s, uint64_t off, uint64_t limit, struct box *b)
{
	const unsigned char *p;
	uint64_t size;

	if (off + 8 > limit)
		return 0;
	p = msrc_at(s, off, 8);
	if (p == NULL)
		return 0;
	size = rd_be32(p);
	fourcc_str(p + 4, b->type);
	b->off = off;
	b->body = off + 8;
	if (size == 1) {
		p = msrc_at(s, off + 8, 8);
		if (p == NULL || off + 16 > limit)
			return 0;
		size = rd_be64(p);
		b->body = off + 16;
	} else if (size == 0) {
		size = limit - off;
	}
	if (size < b->body - off)
		return -2;
	b->end = size > UINT64_MAX - off ? UINT64_MAX : off + size;
	return b->end > limit ? -1 : 1;
}

int probe_looks_isobmff(struct msrc *s)
{
	static const char *const first[] = { "ftyp", "moov", "mdat", "free", "skip", "wide",
					     "pnot", NULL };
	const unsigned char *p = msrc_at(s, 0, 8);
	uint64_t size;
	int i;

	if (p == NULL)
		return 0;
	size = rd_be32(p);
	for (i = 0; first[i]; i++)
		if (memcmp(p + 4, first[i], 4) == 0)
			break;
	if (first[i] == NULL)
		return 0;
	if (i == 0)
		return size >= 8;
	return size == 0 || size == 1 || (size >= 8 && size <= s->size);
}

struct track {
	char handler[5];
	char codec[5];
	int w, h;         /* from tkhd, display size */
	int ew, eh;       /* from the sample entry */
	int rotated;
	int channels, rate, bits;
	uint32_t timescale;
	uint64_t duration;
};

struct bmff {
	struct media_info *info;
	struct track trk;
	int in_trak;
	int have_video, have_audio, have_moov;
	uint32_t timescale;
	uint64_t duration;    /* in timescale units */
	uint64_t frag_duration;
	int ispe_w, ispe_h;
	long elements;
};

static void track_done(struct bmff *m)
{
	struct track *t = &m->trk;
	struct media_info *info = m->info;
	const char *codec = t->codec;

	if (strcmp(codec, "avc1") == 0 || strcmp(codec, "avc3") == 0)
		codec = "h264";
	else if (strcmp(codec, "hvc1") == 0 || strcmp(codec, "hev1") == 0)
		codec = "hevc";
	else if (strcmp(codec, "av01") == 0)
		codec = "av1";
	else if (strcmp(codec, "vp09") == 0)
		codec = "vp9";
	else if (strcmp(codec, "vp08") == 0)
		codec = "vp8";
	else if (strcmp(codec, "mp4a") == 0)
		codec = "aac";
	else if (strcmp(codec, "Opus") == 0)
		codec = "opus";
	else if (strcmp(codec, "fLaC") == 0)
		codec = "flac";
	else if (strcmp(codec, ".mp3") == 0)
		codec = "mp3";
	if (strcmp(t->handler, "vide") == 0 && !m->have_video) {
		m->have_video = 1;
		info->width = t->w > 0 ? t->w : t->ew;
		info->height = t->h > 0 ? t->h : t->eh;
		if (t->rotated && t->w <= 0) {
			info->width = t->eh;
			info->height = t->ew;
		}
		snprintf(info->codec, sizeof info->codec, "%s", codec);
	} else if (strcmp(t->handler, "soun") == 0 && !m->have_audio) {
		m->have_audio = 1;
		info->channels = t->channels;
		info->sample_rate = t->rate;
		info->bits = t->bits;
		if (!m->have_video)
			snprintf(info->codec, sizeof info->codec, "%s", codec);
	}
	if (m->duration == 0 && t->timescale > 0 && t->duration > 0 &&
	    t->duration != UINT32_MAX && t->duration != UINT64_MAX) {
		m->duration = t->duration;
		m->timescale = t->timescale;
	}
}

/* An MPEG-4 descriptor's tag and length at *off (ISO/IEC 14496-1 8.3.3:
 * the length in up to four 7-bit groups); 0 when cut short. */
static int descriptor(struct msrc *s, uint64_t *off, uint64_t end, int *tag, uint32_t *len)
{
	const unsigned char *p;
	int i;

	p = msrc_at(s, *off, 1);
	if (p == NULL || *off >= end)
		return 0;
	*tag = p[0];
	*len = 0;
	for (i = 1; i <= 4; i++) {
		p = msrc_at(s, *off + (uint64_t)i, 1);
		if (p == NULL)
			return 0;
		*len = *len << 7 | (p[0] & 0x7f);
		if (!(p[0] & 0x80))
			break;
	}
	*off += (uint64_t)(i > 4 ? 4 : i) + 1;
	return *off <= end;
}

/* AAC in MP4 writes 2 channels in its sample entry whatever it holds:
 * the real count is in the AudioSpecificConfig inside the esds box
 * (ES_Descriptor 0x03 > DecoderConfigDescriptor 0x04 >
 * DecoderSpecificInfo 0x05; ISO/IEC 14496-1 and 14496-3 1.6.2.1). */
static void esds_channels(struct msrc *s, uint64_t off, uint64_t end, struct track *t)
{
	const unsigned char *p;
	struct box b;
	uint32_t len;
	int tag, depth, obj, cfg;

	if (box_at(s, off, end, &b) != 1 || strcmp(b.type, "esds") != 0)
		return;
	off = b.body + 4;
	end = b.end;
	for (depth = 0; depth < 3; depth++) {
		if (!descriptor(s, &off, end, &tag, &len))
			return;
		if (tag == 0x03) {
			p = msrc_at(s, off, 3);
			if (p == NULL)
				return;
			off += 3;
			if (p[2] & 0x80)
				off += 2;
			if (p[2] & 0x40) {
				const unsigned char *u = msrc_at(s, off, 1);
				if (u == NULL)
					return;
				off += 1 + (uint64_t)u[0];
			}
			if (p[2] & 0x20)
				off += 2;
		} else if (tag == 0x04) {
			off += 13;
		} else if (tag == 0x05) {
			p = msrc_at(s, off, 4);
			if (p == NULL || len < 2)
				return;
			obj = p[0] >> 3;
			if (obj == 31 || ((p[0] & 7) << 1 | p[1] >> 7) == 15)
				return; /* escaped type or explicit frequency: rare, keep 2 */
			cfg = (p[1] >> 3) & 0x0f;
			if (cfg >= 1 && cfg <= 6)
				t->channels = cfg;
			else if (cfg == 7)
				t->channels = 8;
			return;
		} else {
			return;
		}
	}
}

static void leaf(struct msrc *s, struct bmff *m, const struct box *b)
{
	const unsigned char *p;
	uint64_t len = b->end - b->body;
	struct track *t = &m->trk;
	int v;

	p = msrc_at(s, b->body, len < 96 ? (size_t)len : 96);
	if (p == NULL)
		return;
	v = p[0];
	if (strcmp(b->type, "mvhd") == 0) {
		if (v == 1 && len >= 32) {
			m->timescale = rd_be32(p + 20);
			m->duration = rd_be64(p + 24);
		} else if (v == 0 && len >= 20) {
			m->timescale = rd_be32(p + 12);
			m->duration = rd_be32(p + 16);
			if (m->duration == UINT32_MAX)
				m->duration = 0;
		}
	} else if (strcmp(b->type, "mehd") == 0) {
		if (v == 1 && len >= 12)
			m->frag_duration = rd_be64(p + 4);
		else if (v == 0 && len >= 8)
			m->frag_duration = rd_be32(p + 4);
	} else if (strcmp(b->type, "tkhd") == 0 && m->in_trak) {
		size_t mx = v == 1 ? 52 : 40;
		if (len >= mx + 44) {
			int32_t a = (int32_t)rd_be32(p + mx), d = (int32_t)rd_be32(p + mx + 16);
			t->w = (int)(rd_be32(p + mx + 36) >> 16);
			t->h = (int)(rd_be32(p + mx + 40) >> 16);
			if (a == 0 && d == 0) {
				int tmp = t->w;
				t->rotated = 1;
				t->w = t->h;
				t->h = tmp;
			}
		}
	} else if (strcmp(b->type, "mdhd") == 0 && m->in_trak) {
		if (v == 1 && len >= 32) {
			t->timescale = rd_be32(p + 20);
			t->duration = rd_be64(p + 24);
		} else if (v == 0 && len >= 20) {
			t->timescale = rd_be32(p + 12);
			t->duration = rd_be32(p + 16);
		}
	} else if (strcmp(b->type, "hdlr") == 0 && m->in_trak && len >= 12 && !t->handler[0]) {
		/* the first: QuickTime's minf holds a data handler ("alis") too */
		fourcc_str(p + 8, t->handler);
	} else if (strcmp(b->type, "stsd") == 0 && m->in_trak && len >= 16) {
		fourcc_str(p + 12, t->codec);
		if (strcmp(t->handler, "soun") == 0 && len >= 8 + 36) {
			t->channels = rd_be16(p + 8 + 24);
			t->bits = rd_be16(p + 8 + 26);
			t->rate = rd_be16(p + 8 + 32);
			if (strcmp(t->codec, "mp4a") == 0)
				esds_channels(s, b->body + 8 + 36, b->end, t);
		} else if (strcmp(t->handler, "vide") == 0 && len >= 8 + 36) {
			t->ew = rd_be16(p + 8 + 32);
			t->eh = rd_be16(p + 8 + 34);
		}
	} else if (strcmp(b->type, "ispe") == 0 && len >= 12) {
		int w = (int)(rd_be32(p + 4) & 0x7fffffff), h = (int)(rd_be32(p + 8) & 0x7fffffff);
		if ((long long)w * h > (long long)m->ispe_w * m->ispe_h) {
			m->ispe_w = w;
			m->ispe_h = h;
		}
	}
}

static int is_container(const char *t)
{
	static const char *const c[] = { "moov", "trak", "mdia", "minf", "stbl", "mvex", "meta",
					 "iprp", "ipco", "edts", NULL };
	int i;

	for (i = 0; c[i]; i++)
		if (strcmp(t, c[i]) == 0)
			return 1;
	return 0;
}

/* Walks the boxes in [off, end); -1 with *err when one is cut short. */
static int walk(struct msrc *s, struct bmff *m, uint64_t off, uint64_t end, int depth,
		char **err)
{
	struct box b;
	const unsigned char *p;
	uint64_t child;
	int r;

	while ((r = box_at(s, off, end, &b)) != 0) {
		if (++m->elements > MAX_ELEMENTS)
			return 0;
		if (r == -2) {
			if (depth == 0)
				return media_err(err, "corrupt %s: the %s box at byte %llu has an "
						 "impossible size",
						 strcmp(m->info->ext, "mov") == 0 ? "MOV" : "MP4",
						 b.type, (unsigned long long)b.off);
			return 0;
		}
		if (r < 0) {
			if (depth == 0 && !s->quick)
				return media_err(err, "truncated %s: the %s box ends at byte %llu, "
						 "the file at %llu",
						 strcmp(m->info->ext, "mov") == 0 ? "MOV" : "MP4",
						 b.type, (unsigned long long)b.end,
						 (unsigned long long)s->size);
			if (depth > 0)
				return 0; /* a lying child: keep what its siblings said */
			b.end = end;
		}
		if (strcmp(b.type, "moov") == 0 && depth == 0)
			m->have_moov = 1;
		if (is_container(b.type) && depth < MAX_DEPTH) {
			child = b.body;
			if (strcmp(b.type, "meta") == 0) {
				p = msrc_at(s, b.body, 8);
				if (p != NULL && rd_be32(p) == 0)
					child += 4; /* ISO's meta is a full box, QuickTime's is not */
			}
			if (strcmp(b.type, "trak") == 0) {
				memset(&m->trk, 0, sizeof m->trk);
				m->in_trak = 1;
			}
			if (walk(s, m, child, b.end, depth + 1, err) < 0)
				return -1;
			if (strcmp(b.type, "trak") == 0) {
				track_done(m);
				m->in_trak = 0;
			}
		} else {
			leaf(s, m, &b);
		}
		if (b.end <= off)
			break;
		off = b.end;
	}
	return 0;
}

static int has_brand(struct msrc *s, const char *brand)
{
	const unsigned char *p = msrc_at(s, 0, 8), *q;
	uint32_t size, i;

	if (p == NULL || memcmp(p + 4, "ftyp", 4) != 0)
		return 0;
	size = rd_be32(p);
	if (size > 4096)
		size = 4096;
	for (i = 8; i + 4 <= size; i += 4) {
		if (i == 12)
			continue; /* minor version */
		q = msrc_at(s, i, 4);
		if (q != NULL && memcmp(q, brand, 4) == 0)
			return 1;
	}
	return 0;
}

int probe_isobmff(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p;
	struct bmff m;
	int heif = 0, avif = 0;
	double scale;

	memset(&m, 0, sizeof m);
	m.info = info;
	if (has_brand(s, "qt  "))
		media_set_type(info, MEDIA_VIDEO, "video/quicktime", "mov", "");
	else if (has_brand(s, "3gp4") || has_brand(s, "3gp5") || has_brand(s, "3gp6"))
		media_set_type(info, MEDIA_VIDEO, "video/3gpp", "3gp", "");
	else
		media_set_type(info, MEDIA_VIDEO, "video/mp4", "mp4", "");
	avif = has_brand(s, "avif") || has_brand(s, "avis");
	heif = avif || has_brand(s, "heic") || has_brand(s, "heix") || has_brand(s, "mif1");
	p = msrc_at(s, 0, 8);
	if (p != NULL && memcmp(p + 4, "ftyp", 4) != 0)
		media_set_type(info, MEDIA_VIDEO, "video/quicktime", "mov", ""); /* pre-ftyp QuickTime */
	if (walk(s, &m, 0, s->size, 0, err) < 0)
		return -1;
	if (m.have_video) {
		info->kind = MEDIA_VIDEO;
	} else if (heif && m.ispe_w > 0) {
		media_set_type(info, MEDIA_IMAGE, avif ? "image/avif" : "image/heic",
			       avif ? "avif" : "heic", avif ? "av1" : "hevc");
		info->width = m.ispe_w;
		info->height = m.ispe_h;
		info->frames = 1;
		return 0;
	} else if (m.have_audio) {
		char codec[16];
		snprintf(codec, sizeof codec, "%s", info->codec);
		media_set_type(info, MEDIA_AUDIO, "audio/mp4", "m4a", codec);
	} else if (!m.have_moov) {
		return media_err(err, "corrupt %s: no movie header (moov box)",
				 strcmp(info->ext, "mov") == 0 ? "MOV" : "MP4");
	}
	if (m.duration == 0 && m.frag_duration > 0)
		m.duration = m.frag_duration;
	if (m.timescale > 0 && m.duration > 0 && m.duration != UINT64_MAX) {
		scale = (double)m.timescale;
		info->duration = (double)m.duration / scale;
	}
	return 0;
}

/* ---------------------------------------------------------------- Matroska */

#define EBML_UNKNOWN UINT64_MAX

/* An element ID at off (marker bits kept); its length in *len, 0 if bad. */
static uint32_t ebml_id(struct msrc *s, uint64_t off, int *len)
{
	const unsigned char *p = msrc_at(s, off, 1);
	uint32_t id;
	int n, i;

	*len = 0;
	if (p == NULL || p[0] == 0)
		return 0;
	for (n = 1; n <= 4 && !(p[0] & (0x80 >> (n - 1))); n++)
		;
	if (n > 4)
		return 0;
	p = msrc_at(s, off, (size_t)n);
	if (p == NULL)
		return 0;
	for (id = 0, i = 0; i < n; i++)
		id = id << 8 | p[i];
	*len = n;
	return id;
}

/* An element data size at off; EBML_UNKNOWN for "unknown"; -1 if bad. */
static int ebml_size(struct msrc *s, uint64_t off, uint64_t *size, int *len)
{
	const unsigned char *p = msrc_at(s, off, 1);
	uint64_t v, all;
	int n, i;

	if (p == NULL || p[0] == 0)
		return -1;
	for (n = 1; !(p[0] & (0x80 >> (n - 1))); n++)
		;
	p = msrc_at(s, off, (size_t)n);
	if (p == NULL)
		return -1;
	v = p[0] & (0xff >> n);
	for (i = 1; i < n; i++)
		v = v << 8 | p[i];
	all = (n == 8) ? (1ull << 56) - 1 : (1ull << (7 * n)) - 1;
	*size = v == all ? EBML_UNKNOWN : v;
	*len = n;
	return 0;
}

struct ebml_el {
	uint32_t id;
	uint64_t data; /* offset of the payload */
	uint64_t end;  /* one past it, or the parent's end when unknown or cut */
	uint64_t size; /* as written; EBML_UNKNOWN for "unknown" */
	int unknown;
};

/* 1 with *e, 0 at the end or on a bad header. */
static int ebml_next(struct msrc *s, uint64_t off, uint64_t end, struct ebml_el *e)
{
	uint64_t size;
	int il, sl;

	if (off >= end)
		return 0;
	e->id = ebml_id(s, off, &il);
	if (e->id == 0 || ebml_size(s, off + (uint64_t)il, &size, &sl) < 0)
		return 0;
	e->data = off + (uint64_t)il + (uint64_t)sl;
	e->size = size;
	e->unknown = size == EBML_UNKNOWN;
	if (e->unknown || size > end - e->data || e->data > end)
		e->end = end;
	else
		e->end = e->data + size;
	return e->data <= end;
}

static uint64_t ebml_uint(struct msrc *s, const struct ebml_el *e)
{
	uint64_t n = e->end - e->data, v = 0, i;
	const unsigned char *p;

	if (n == 0 || n > 8 || (p = msrc_at(s, e->data, (size_t)n)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static double ebml_float(struct msrc *s, const struct ebml_el *e)
{
	uint64_t n = e->end - e->data;
	const unsigned char *p = msrc_at(s, e->data, n == 4 || n == 8 ? (size_t)n : 0);

	if (p == NULL || (n != 4 && n != 8))
		return 0;
	return n == 4 ? f32_bits(rd_be32(p)) : f64_bits(rd_be64(p));
}

static void ebml_string(struct msrc *s, const struct ebml_el *e, char *out, size_t cap)
{
	uint64_t n = e->end - e->data;
	const unsigned char *p;
	size_t i;

	out[0] = '\0';
	if (n >= cap)
		n = cap - 1;
	p = msrc_at(s, e->data, (size_t)n);
	if (p == NULL)
		return;
	for (i = 0; i < n && p[i]; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[i] = '\0';
}

struct mkv {
	uint64_t scale;
	double duration;
	int have_video, have_audio, have_info, have_tracks;
	long elements;
};

static void mkv_codec(const char *id, char *out, size_t cap)
{
	static const char *const map[][2] = {
		{ "V_MPEG4/ISO/AVC", "h264" }, { "V_MPEGH/ISO/HEVC", "hevc" },
		{ "A_MPEG/L3", "mp3" },        { "A_PCM/INT/LIT", "pcm" },
		{ "A_PCM/FLOAT/IEEE", "float" }, { NULL, NULL },
	};
	size_t i;

	for (i = 0; map[i][0]; i++)
		if (strcmp(id, map[i][0]) == 0) {
			snprintf(out, cap, "%s", map[i][1]);
			return;
		}
	if ((id[0] == 'V' || id[0] == 'A' || id[0] == 'S') && id[1] == '_')
		id += 2;
	for (i = 0; i + 1 < cap && id[i] && id[i] != '/'; i++)
		out[i] = (char)tolower((unsigned char)id[i]);
	out[i] = '\0';
}

static void mkv_track(struct msrc *s, struct mkv *k, struct media_info *info, uint64_t off,
		      uint64_t end)
{
	struct ebml_el e, c;
	uint64_t type = 0, w = 0, h = 0, ch = 0, bits = 0, o;
	double rate = 0;
	char id[32] = "", codec[16];

	while (ebml_next(s, off, end, &e) && k->elements++ < MAX_ELEMENTS) {
		if (e.id == 0x83)
			type = ebml_uint(s, &e);
		else if (e.id == 0x86)
			ebml_string(s, &e, id, sizeof id);
		else if (e.id == 0xe0 || e.id == 0xe1) {
			for (o = e.data; ebml_next(s, o, e.end, &c) && k->elements++ < MAX_ELEMENTS;
			     o = c.end) {
				if (c.id == 0xb0)
					w = ebml_uint(s, &c);
				else if (c.id == 0xba)
					h = ebml_uint(s, &c);
				else if (c.id == 0xb5)
					rate = ebml_float(s, &c);
				else if (c.id == 0x9f)
					ch = ebml_uint(s, &c);
				else if (c.id == 0x6264)
					bits = ebml_uint(s, &c);
				if (c.end <= o)
					break;
			}
		}
		if (e.end <= off)
			break;
		off = e.end;
	}
	mkv_codec(id, codec, sizeof codec);
	if (type == 1 && !k->have_video) {
		k->have_video = 1;
		info->width = w < 0x7fffffff ? (int)w : 0;
		info->height = h < 0x7fffffff ? (int)h : 0;
		snprintf(info->codec, sizeof info->codec, "%s", codec);
	} else if (type == 2 && !k->have_audio) {
		k->have_audio = 1;
		info->sample_rate = rate > 0 && rate < 1e7 ? (int)(rate + 0.5) : 0;
		info->channels = ch < 1024 ? (int)ch : 0;
		info->bits = bits < 256 ? (int)bits : 0;
		if (!k->have_video)
			snprintf(info->codec, sizeof info->codec, "%s", codec);
	}
}

int probe_matroska(struct msrc *s, struct media_info *info, char **err)
{
	struct ebml_el hdr, seg, e, c;
	struct mkv k;
	char doctype[16] = "matroska";
	uint64_t off, o;
	int webm;

	memset(&k, 0, sizeof k);
	k.scale = 1000000;
	if (!ebml_next(s, 0, s->size, &hdr) || hdr.id != 0x1a45dfa3 || hdr.unknown)
		return media_err(err, "truncated Matroska header");
	for (off = hdr.data; ebml_next(s, off, hdr.end, &e) && k.elements++ < 1000; off = e.end) {
		if (e.id == 0x4282)
			ebml_string(s, &e, doctype, sizeof doctype);
		if (e.end <= off)
			break;
	}
	webm = strcmp(doctype, "webm") == 0;
	if (!webm && strcmp(doctype, "matroska") != 0)
		return media_err(err, "unknown EBML document type \"%s\"", doctype);
	media_set_type(info, MEDIA_VIDEO, webm ? "video/webm" : "video/x-matroska",
		       webm ? "webm" : "mkv", "");
	if (!ebml_next(s, hdr.end, s->size, &seg) || seg.id != 0x18538067)
		return media_err(err, "truncated %s: no segment after the header",
				 webm ? "WebM" : "Matroska");
	if (!seg.unknown && !s->quick && seg.size > s->size - seg.data)
		return media_err(err, "truncated %s: the segment claims %llu bytes, the file holds "
				 "%llu", webm ? "WebM" : "Matroska", (unsigned long long)seg.size,
				 (unsigned long long)(s->size - seg.data));
	for (off = seg.data; ebml_next(s, off, seg.end, &e) && k.elements++ < MAX_ELEMENTS;
	     off = e.end) {
		if (e.id == 0x1549a966) {
			k.have_info = 1;
			for (o = e.data; ebml_next(s, o, e.end, &c) && k.elements++ < MAX_ELEMENTS;
			     o = c.end) {
				if (c.id == 0x2ad7b1 && ebml_uint(s, &c) > 0)
					k.scale = ebml_uint(s, &c);
				else if (c.id == 0x4489)
					k.duration = ebml_float(s, &c);
				if (c.end <= o)
					break;
			}
		} else if (e.id == 0x1654ae6b) {
			k.have_tracks = 1;
			for (o = e.data; ebml_next(s, o, e.end, &c) && k.elements++ < MAX_ELEMENTS;
			     o = c.end) {
				if (c.id == 0xae)
					mkv_track(s, &k, info, c.data, c.end);
				if (c.end <= o)
					break;
			}
		} else if (e.id == 0x1f43b675 && (e.unknown || (k.have_info && k.have_tracks))) {
			break;
		}
		if (e.end <= off || e.unknown)
			break;
	}
	if (!k.have_tracks)
		return media_err(err, "corrupt %s: no track list", webm ? "WebM" : "Matroska");
	if (!k.have_video && k.have_audio) {
		char codec[16];
		snprintf(codec, sizeof codec, "%s", info->codec);
		media_set_type(info, MEDIA_AUDIO, webm ? "audio/webm" : "audio/x-matroska",
			       webm ? "webm" : "mka", codec);
	}
	if (k.duration > 0 && k.duration < 1e18)
		info->duration = k.duration * (double)k.scale / 1e9;
	return 0;
}
