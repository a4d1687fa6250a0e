/*
 * probe-audio.c - facts of audio files from their headers: WAV (RIFF and
 * RF64; PCM, float, WAVE_FORMAT_EXTENSIBLE), FLAC (STREAMINFO), Ogg
 * (Vorbis, Opus, FLAC and Theora identification headers; the duration
 * from the last page's granule position), MPEG audio (MP3: ID3v2 skipped,
 * Xing/Info/VBRI for the duration of VBR files, else estimated from the
 * bitrate) and ADTS AAC.
 *
 * Formats followed: Microsoft's RIFF/WAVE and WAVEFORMATEXTENSIBLE
 * documentation and EBU Tech 3306 (RF64); the FLAC format
 * (RFC 9639); RFC 3533 (Ogg), the Vorbis I spec (section 4.2.2), RFC 7845
 * (Ogg Opus), the Ogg FLAC mapping and the Theora spec (section 6.2);
 * ISO/IEC 11172-3 and 13818-3 frame headers, the Xing/LAME "Info" tag
 * and Fraunhofer's VBRI header; ISO/IEC 13818-7 ADTS; ID3v2.4 (syncsafe
 * sizes).
 */
#include "config.h"

#include "media.h"

#include <stdio.h>
#include <string.h>

#include "decode-private.h"

/* ---------------------------------------------------------------- WAV */

static const char *wav_codec(int format)
{
	switch (format) {
	case 1:
		return "pcm";
	case 3:
		return "float";
	case 6:
		return "alaw";
	case 7:
		return "mulaw";
	case 2:
	case 0x11:
		return "adpcm";
	case 0x55:
		return "mp3";
	default:
		return "other";
	}
}

int wav_layout(struct msrc *s, struct wav_layout *w, char **err)
{
	const unsigned char *p;
	uint64_t off = 12, len, riff_end, ds64_data = 0;
	int have_fmt = 0, steps = 0, rf64;
	char type[5];

	memset(w, 0, sizeof *w);
	p = msrc_at(s, 0, 12);
	if (p == NULL)
		return media_err(err, "truncated WAV header");
	rf64 = memcmp(p, "RF64", 4) == 0;
	riff_end = (uint64_t)rd_le32(p + 4) + 8;
	if (rf64 || riff_end > s->size || riff_end < 12)
		riff_end = s->size;
	while (steps++ < 10000) {
		p = msrc_at(s, off, 8);
		if (p == NULL || off + 8 > riff_end)
			break;
		fourcc_str(p, type);
		len = rd_le32(p + 4);
		if (strcmp(type, "ds64") == 0) {
			p = msrc_at(s, off + 8, 16);
			if (len < 16 || p == NULL)
				return media_err(err, "corrupt RF64: short ds64 chunk");
			ds64_data = rd_le64(p + 8);
		} else if (strcmp(type, "fmt ") == 0) {
			p = msrc_at(s, off + 8, len >= 40 ? 40 : 16);
			if (len < 16 || p == NULL)
				return media_err(err, "corrupt WAV: short fmt chunk (%llu bytes)",
						 (unsigned long long)len);
			w->format = rd_le16(p);
			w->channels = rd_le16(p + 2);
			w->rate = (int)(rd_le32(p + 4) > 0x7fffffff ? 0 : rd_le32(p + 4));
			w->block_align = rd_le16(p + 12);
			w->bits = rd_le16(p + 14);
			if (w->format == 0xfffe && len >= 40)
				w->format = rd_le16(p + 24);
			have_fmt = 1;
		} else if (strcmp(type, "data") == 0) {
			if (!have_fmt)
				return media_err(err, "corrupt WAV: sample data before the format "
						      "chunk");
			w->data_off = off + 8;
			if (rf64 && len == 0xffffffffu)
				len = ds64_data;
			if (len == 0xffffffffu || len == 0)
				len = s->size - w->data_off; /* written while streaming */
			if (w->data_off + len > s->size) {
				if (!s->quick)
					return media_err(err, "truncated WAV: the data chunk claims %llu "
							 "bytes, the file holds %llu",
							 (unsigned long long)len,
							 (unsigned long long)(s->size - w->data_off));
				len = s->size - w->data_off;
			}
			w->data_len = len;
			goto found;
		}
		off += 8 + len + (len & 1);
	}
	return media_err(err, have_fmt ? "truncated WAV: no sample data (data chunk)"
				       : "corrupt WAV: no format (fmt) chunk");
found:
	if (w->channels < 1 || w->rate < 1 || w->block_align < 1)
		return media_err(err, "corrupt WAV: %d channels at %d Hz, block size %d",
				 w->channels, w->rate, w->block_align);
	if ((w->format == 1 || w->format == 3 || w->format == 6 || w->format == 7) &&
	    (w->bits < 8 || w->bits > 64 ||
	     w->block_align != w->channels * ((w->bits + 7) / 8)))
		return media_err(err, "corrupt WAV: %d-bit samples in %d channels cannot fill "
				 "%d-byte blocks", w->bits, w->channels, w->block_align);
	return 0;
}

int probe_wav(struct msrc *s, struct media_info *info, char **err)
{
	struct wav_layout w;

	media_set_type(info, MEDIA_AUDIO, "audio/wav", "wav", "pcm");
	if (wav_layout(s, &w, err) < 0)
		return -1;
	snprintf(info->codec, sizeof info->codec, "%s", wav_codec(w.format));
	info->channels = w.channels;
	info->sample_rate = w.rate;
	info->bits = w.bits;
	info->duration = (double)(w.data_len / (uint64_t)w.block_align) / w.rate;
	return 0;
}

/* ---------------------------------------------------------------- FLAC */

/* Reads a STREAMINFO body (34 bytes at p) into info. */
static int flac_streaminfo(const unsigned char *p, struct media_info *info, char **err)
{
	const unsigned char *b = p + 10;
	uint64_t total;

	info->sample_rate = (int)((uint32_t)b[0] << 12 | (uint32_t)b[1] << 4 | b[2] >> 4);
	info->channels = ((b[2] >> 1) & 7) + 1;
	info->bits = ((b[2] & 1) << 4 | b[3] >> 4) + 1;
	total = (uint64_t)(b[3] & 0x0f) << 32 | rd_be32(b + 4);
	if (info->sample_rate == 0)
		return media_err(err, "corrupt FLAC: sample rate 0");
	info->duration = (double)total / info->sample_rate;
	return 0;
}

int probe_flac(struct msrc *s, uint64_t off, struct media_info *info, char **err)
{
	const unsigned char *p;
	uint64_t pos;
	int steps = 0;

	media_set_type(info, MEDIA_AUDIO, "audio/flac", "flac", "flac");
	p = msrc_at(s, off + 4, 38);
	if (p == NULL)
		return media_err(err, "truncated FLAC header");
	if ((p[0] & 0x7f) != 0 || rd_be24(p + 1) < 34)
		return media_err(err, "corrupt FLAC: the first block is not STREAMINFO");
	if (flac_streaminfo(p + 4, info, err) < 0)
		return -1;
	if (s->quick)
		return 0;
	for (pos = off + 4; steps++ < 100000;) {
		p = msrc_at(s, pos, 4);
		if (p == NULL)
			return media_err(err, "truncated FLAC: the file stops inside its "
					      "metadata");
		pos += 4 + (uint64_t)rd_be24(p + 1);
		if (p[0] & 0x80)
			break;
	}
	p = msrc_at(s, pos, 2);
	if (p == NULL)
		return media_err(err, "truncated FLAC: no audio frames after the metadata");
	if (p[0] != 0xff || (p[1] & 0xfe) != 0xf8)
		return media_err(err, "corrupt FLAC: no frame sync after the metadata");
	return 0;
}

/* ---------------------------------------------------------------- Ogg */

enum ogg_codec { OGG_OTHER, OGG_VORBIS, OGG_OPUS, OGG_FLAC, OGG_THEORA, OGG_SPEEX };

/* Granule position of the last page of stream `serial` with one, found
 * by searching back from the end; -1 when there is none. */
static int64_t ogg_last_granule(struct msrc *s, uint32_t serial)
{
	const unsigned char *p, *h;
	uint64_t end = s->size, start;
	size_t got, i;
	int rounds;

	for (rounds = 0; rounds < 16 && end > 0; rounds++) {
		start = end > MSRC_WINDOW ? end - MSRC_WINDOW : 0;
		p = msrc_upto(s, start, (size_t)(end - start), &got);
		if (p == NULL)
			return -1;
		for (i = got >= 4 ? got - 4 + 1 : 0; i-- > 0;) {
			if (memcmp(p + i, "OggS", 4) != 0)
				continue;
			h = msrc_at(s, start + i, 27);
			if (h == NULL || h[4] != 0 || rd_le32(h + 14) != serial ||
			    rd_le64(h + 6) == UINT64_MAX) {
				p = msrc_upto(s, start, (size_t)(end - start), &got);
				if (p == NULL)
					return -1;
				continue;
			}
			return rd_le64(h + 6) > INT64_MAX ? -1 : (int64_t)rd_le64(h + 6);
		}
		if (start == 0)
			break;
		end = start + 3; /* a magic may straddle the boundary */
	}
	return -1;
}

int probe_ogg(struct msrc *s, struct media_info *info, char **err)
{
	const unsigned char *p, *pk;
	uint32_t serial, preskip = 0, frn = 0, frd = 0;
	uint64_t body;
	int64_t granule;
	int nseg, i, plen = 0, shift = 0;
	enum ogg_codec codec = OGG_OTHER;

	media_set_type(info, MEDIA_AUDIO, "audio/ogg", "ogg", "");
	p = msrc_at(s, 0, 27);
	if (p == NULL)
		return media_err(err, "truncated Ogg page header");
	if (p[4] != 0)
		return media_err(err, "corrupt Ogg: stream version %d", p[4]);
	serial = rd_le32(p + 14);
	nseg = p[26];
	p = msrc_at(s, 27, (size_t)nseg);
	if (p == NULL)
		return media_err(err, "truncated Ogg page header");
	for (i = 0; i < nseg; i++) {
		plen += p[i];
		if (p[i] < 255)
			break;
	}
	body = 27 + (uint64_t)nseg;
	pk = msrc_at(s, body, (size_t)plen);
	if (pk == NULL)
		return media_err(err, "truncated Ogg: the first packet is cut short");
	if (plen >= 30 && memcmp(pk, "\x01vorbis", 7) == 0) {
		codec = OGG_VORBIS;
		media_set_type(info, MEDIA_AUDIO, "audio/ogg", "ogg", "vorbis");
		info->channels = pk[11];
		info->sample_rate = (int)(rd_le32(pk + 12) & 0x7fffffff);
		if (rd_le32(pk + 20) > 0 && rd_le32(pk + 20) < 0x7fffffff)
			info->bitrate = (int)(rd_le32(pk + 20) / 1000);
	} else if (plen >= 19 && memcmp(pk, "OpusHead", 8) == 0) {
		codec = OGG_OPUS;
		media_set_type(info, MEDIA_AUDIO, "audio/ogg", "opus", "opus");
		info->channels = pk[9];
		preskip = rd_le16(pk + 10);
		info->sample_rate = (int)(rd_le32(pk + 12) & 0x7fffffff);
		if (info->sample_rate == 0)
			info->sample_rate = 48000;
	} else if (plen >= 51 && memcmp(pk, "\x7f" "FLAC", 5) == 0 &&
		   memcmp(pk + 9, "fLaC", 4) == 0) {
		codec = OGG_FLAC;
		media_set_type(info, MEDIA_AUDIO, "audio/ogg", "oga", "flac");
		if (flac_streaminfo(pk + 17, info, err) < 0)
			return -1;
		info->duration = 0;
	} else if (plen >= 42 && memcmp(pk, "\x80theora", 7) == 0) {
		codec = OGG_THEORA;
		media_set_type(info, MEDIA_VIDEO, "video/ogg", "ogv", "theora");
		info->width = (int)rd_be24(pk + 14);
		info->height = (int)rd_be24(pk + 17);
		frn = rd_be32(pk + 22);
		frd = rd_be32(pk + 26);
		shift = (rd_be16(pk + 40) >> 5) & 0x1f;
	} else if (plen >= 52 && memcmp(pk, "Speex   ", 8) == 0) {
		codec = OGG_SPEEX;
		media_set_type(info, MEDIA_AUDIO, "audio/ogg", "spx", "speex");
		info->sample_rate = (int)(rd_le32(pk + 36) & 0x7fffffff);
		info->channels = (int)(rd_le32(pk + 48) & 0xff);
	} else {
		media_set_type(info, MEDIA_AUDIO, "audio/ogg", "ogg", "unknown");
		return 0;
	}
	granule = ogg_last_granule(s, serial);
	if (granule <= 0)
		return 0;
	switch (codec) {
	case OGG_OPUS:
		if ((uint64_t)granule > preskip)
			info->duration = (double)((uint64_t)granule - preskip) / 48000.0;
		break;
	case OGG_THEORA:
		if (frn > 0 && frd > 0 && shift < 32)
			info->duration = (double)(((uint64_t)granule >> shift) +
						  ((uint64_t)granule & ((1ull << shift) - 1))) *
					 frd / frn;
		break;
	default:
		if (info->sample_rate > 0)
			info->duration = (double)granule / info->sample_rate;
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- MPEG */

struct mpa {
	int adts;      /* 1: an ADTS AAC header */
	int version;   /* 1 MPEG-1, 2 MPEG-2, 25 MPEG-2.5 */
	int layer;     /* 1..3 */
	int bitrate;   /* kbit/s */
	int rate;      /* Hz */
	int channels;
	int samples;   /* per frame */
	uint32_t len;  /* frame length in bytes */
};

static const short mpa_kbps[2][3][15] = {
	{ /* MPEG-1 layers 1, 2, 3 */
	  { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448 },
	  { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384 },
	  { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 } },
	{ /* MPEG-2 and 2.5 */
	  { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256 },
	  { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 },
	  { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 } },
};
static const int mpa_rates[3] = { 44100, 48000, 32000 };
static const int adts_rates[13] = { 96000, 88200, 64000, 48000, 44100, 32000, 24000,
				    22050, 16000, 12000, 11025, 8000, 7350 };

/* Decodes a frame header at p (4 bytes, or 7 for ADTS); 0 when valid. */
static int mpa_parse(const unsigned char *p, size_t n, struct mpa *f)
{
	uint32_t h;
	int vbits, lbits, bri, sri, pad;

	if (n < 4 || p[0] != 0xff || (p[1] & 0xe0) != 0xe0)
		return -1;
	h = rd_be32(p);
	vbits = (h >> 19) & 3;
	lbits = (h >> 17) & 3;
	memset(f, 0, sizeof *f);
	if (lbits == 0) {
		if (vbits < 2 || n < 7)
			return -1;
		f->adts = 1;
		sri = (p[2] >> 2) & 0x0f;
		if (sri >= 13 || ((p[2] & 1) << 2 | p[3] >> 6) == 0)
			return -1;
		f->rate = adts_rates[sri];
		f->channels = (p[2] & 1) << 2 | p[3] >> 6;
		f->len = (uint32_t)(p[3] & 3) << 11 | (uint32_t)p[4] << 3 | p[5] >> 5;
		f->samples = 1024 * ((p[6] & 3) + 1);
		return f->len >= 7 ? 0 : -1;
	}
	if (vbits == 1)
		return -1;
	bri = (h >> 12) & 0x0f;
	sri = (h >> 10) & 3;
	if (bri == 0 || bri == 15 || sri == 3)
		return -1;
	pad = (h >> 9) & 1;
	f->version = vbits == 3 ? 1 : vbits == 2 ? 2 : 25;
	f->layer = 4 - lbits;
	f->bitrate = mpa_kbps[f->version != 1][f->layer - 1][bri];
	f->rate = mpa_rates[sri] >> (f->version == 1 ? 0 : f->version == 2 ? 1 : 2);
	f->channels = ((h >> 6) & 3) == 3 ? 1 : 2;
	if (f->layer == 1) {
		f->samples = 384;
		f->len = (uint32_t)((12 * f->bitrate * 1000 / f->rate + pad) * 4);
	} else {
		f->samples = f->layer == 3 && f->version != 1 ? 576 : 1152;
		f->len = (uint32_t)((f->samples / 8) * f->bitrate * 1000 / f->rate + pad);
	}
	return f->len >= 4 ? 0 : -1;
}

/* A valid frame at off followed by a matching one (or the end). */
static int mpa_frame_at(struct msrc *s, uint64_t off, struct mpa *f)
{
	const unsigned char *p;
	struct mpa g;

	p = msrc_at(s, off, 7);
	if (p == NULL)
		p = msrc_at(s, off, 4);
	if (p == NULL || mpa_parse(p, off + 7 <= s->size ? 7 : 4, f) < 0)
		return 0;
	if (off + f->len == s->size)
		return 1;
	p = msrc_at(s, off + f->len, 7);
	if (p == NULL)
		p = msrc_at(s, off + f->len, 4);
	if (p == NULL || mpa_parse(p, off + f->len + 7 <= s->size ? 7 : 4, &g) < 0)
		return 0;
	return g.adts == f->adts && g.layer == f->layer && g.version == f->version &&
	       g.rate == f->rate;
}

int probe_is_mpeg_audio(struct msrc *s, uint64_t off)
{
	struct mpa f;

	return mpa_frame_at(s, off, &f);
}

/* Counts ADTS frames to time the stream (bounded). */
static void adts_duration(struct msrc *s, uint64_t off, struct mpa *f, struct media_info *info)
{
	const unsigned char *p;
	struct mpa g;
	uint64_t samples = 0, start = off;
	long frames = 0;

	while (frames < 2000000 && (p = msrc_at(s, off, 7)) != NULL && mpa_parse(p, 7, &g) == 0 &&
	       g.adts) {
		samples += (uint64_t)g.samples;
		off += g.len;
		frames++;
	}
	if (frames == 0)
		return;
	info->duration = (double)samples / f->rate;
	if (off < s->size && off - start > 0) {
		info->duration *= (double)(s->size - start) / (double)(off - start);
		info->duration_estimated = 1;
	}
}

int probe_mpeg_audio(struct msrc *s, uint64_t off, struct media_info *info, char **err)
{
	const unsigned char *p;
	struct mpa f;
	uint64_t start, audio_end = s->size, xoff;
	uint32_t flags, frames = 0, gap = 0;
	int side;

	media_set_type(info, MEDIA_AUDIO, "audio/mpeg", "mp3", "mp3");
	for (start = off; start < off + 65536 && start < s->size; start++) {
		p = msrc_at(s, start, 2);
		if (p == NULL)
			break;
		if (p[0] == 0xff && (p[1] & 0xe0) == 0xe0 && mpa_frame_at(s, start, &f))
			goto found;
	}
	return media_err(err, off > 0 ? "corrupt MP3: no audio frame after the ID3 tag"
				      : "corrupt MP3: no audio frame");
found:
	info->sample_rate = f.rate;
	info->channels = f.channels;
	if (f.adts) {
		media_set_type(info, MEDIA_AUDIO, "audio/aac", "aac", "aac");
		adts_duration(s, start, &f, info);
		return 0;
	}
	if (f.layer != 3)
		media_set_type(info, MEDIA_AUDIO, "audio/mpeg", f.layer == 2 ? "mp2" : "mp1",
			       f.layer == 2 ? "mp2" : "mp1");
	p = msrc_at(s, s->size >= 128 ? s->size - 128 : 0, 3);
	if (s->size >= start + 128 && p != NULL && memcmp(p, "TAG", 3) == 0)
		audio_end -= 128;

	if (f.version == 1)
		side = f.channels == 1 ? 17 : 32;
	else
		side = f.channels == 1 ? 9 : 17;
	xoff = start + 4 + (uint64_t)side;
	p = msrc_at(s, xoff, 12);
	if (p != NULL && (memcmp(p, "Xing", 4) == 0 || memcmp(p, "Info", 4) == 0)) {
		flags = rd_be32(p + 4);
		if (flags & 1)
			frames = rd_be32(p + 8);
		/* the LAME extension after it: encoder delay and padding, 12 bits each */
		xoff += 8 + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) +
			(flags & 8 ? 4 : 0);
		p = msrc_at(s, xoff, 24);
		if (p != NULL && (memcmp(p, "LAME", 4) == 0 || memcmp(p, "Lavc", 4) == 0 ||
				  memcmp(p, "Lavf", 4) == 0))
			gap = (uint32_t)p[21] << 4 | p[22] >> 4;
		if (p != NULL && gap > 0)
			gap += (uint32_t)(p[22] & 0x0f) << 8 | p[23];
	}
	p = msrc_at(s, start + 36, 18);
	if (frames == 0 && p != NULL && memcmp(p, "VBRI", 4) == 0)
		frames = rd_be32(p + 14);
	if (frames > 0) {
		uint64_t total = (uint64_t)frames * (uint64_t)f.samples;
		info->duration = (double)(total > gap ? total - gap : total) / f.rate;
		if (info->duration > 0 && audio_end > start)
			info->bitrate = (int)((double)(audio_end - start) * 8 / info->duration / 1000);
		return 0;
	}
	info->bitrate = f.bitrate;
	info->duration = (double)(audio_end - start) * 8 / (f.bitrate * 1000.0);
	info->duration_estimated = 1;
	return 0;
}
