/*
 * media.h - decoding and probing of candidate files: what a file is (by its
 * bytes, not its name), its dimensions or duration, pixels decoded at the
 * size a preview needs, thumbnails, waveforms, and the generation
 * parameters that tools embed in their outputs.
 *
 * media/ never includes curses or chafa and never speaks SQL.
 */
#ifndef LB_MEDIA_H
#define LB_MEDIA_H

#include <stddef.h>
#include <stdint.h>

/* ==== decoding, probing, thumbnails, waveforms (media/image*.c, probe*.c, thumb.c, audio.c) ==== */

/* ==== generation metadata: PNG text chunks, A1111/ComfyUI/... parameters, sidecars (media/pngtext.c, genmeta*.c) ==== */

#endif
