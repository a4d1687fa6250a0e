/*
 * cli-probe.h - what kind of file a path holds, for adding candidates.
 */
#ifndef LB_CLI_PROBE_H
#define LB_CLI_PROBE_H

struct cli_probe {
	char media_type[32];
	char ext[8];
	int is_text;
	int width, height;
	double duration;
};

/* Fills p from the file's contents (media/'s probe); -1 with an owned
 * *err when the file cannot be read, is damaged, or is of no kind
 * lightbox keeps. */
int cli_probe_file(const char *path, struct cli_probe *p, char **err);

#endif
