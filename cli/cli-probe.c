/*
 * cli-probe.c - what kind of file a path holds, through media/'s probe.
 */
#include "config.h"

#include "cli-probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int cli_probe_file(const char *path, struct cli_probe *p, char **err)
{
	unsigned char h[16];
	struct stat sb;
	FILE *f;
	size_t n;

	memset(p, 0, sizeof *p);
	*err = NULL;
	if (stat(path, &sb) < 0) {
		*err = xasprintf("cannot read: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		*err = xstrdup("not a regular file");
		return -1;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		*err = xasprintf("cannot read: %s", strerror(errno));
		return -1;
	}
	n = fread(h, 1, sizeof h, f);
	fclose(f);
	if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
		p->media_type = "image/png", p->ext = "png";
	else if (n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0)
		p->media_type = "image/jpeg", p->ext = "jpg";
	else if (n >= 6 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0))
		p->media_type = "image/gif", p->ext = "gif";
	else if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
		p->media_type = "image/webp", p->ext = "webp";
	else if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0)
		p->media_type = "audio/wav", p->ext = "wav";
	else {
		char ext[16];
		util_ext(path, ext);
		p->is_text = 1;
		if (strcmp(ext, "md") == 0)
			p->media_type = "text/markdown", p->ext = "md";
		else if (strcmp(ext, "json") == 0)
			p->media_type = "application/json", p->ext = "json";
		else
			p->media_type = "text/plain", p->ext = "txt";
	}
	return 0;
}
