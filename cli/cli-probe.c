/*
 * cli-probe.c - what kind of file a path holds, through media/'s probe.
 */
#include "config.h"

#include "cli-probe.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "media/media.h"
#include "util.h"

int cli_probe_file(const char *path, struct cli_probe *p, char **err)
{
	struct media_info info;
	struct stat sb;

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
	if (media_probe_file(path, &info, err) < 0)
		return -1;
	if (info.kind == MEDIA_UNKNOWN) {
		*err = xstrdup("not an image, text, audio or video file lightbox knows");
		return -1;
	}
	snprintf(p->media_type, sizeof p->media_type, "%s", info.mime);
	snprintf(p->ext, sizeof p->ext, "%s", info.ext);
	p->is_text = info.kind == MEDIA_TEXT;
	p->width = info.width;
	p->height = info.height;
	p->duration = info.duration;
	return 0;
}
