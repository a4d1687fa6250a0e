/*
 * modes.c - checking and setting the modes of a store's files: a shared
 * store is 2770 folders and 0660 files in its group, a private one 0700
 * and 0600 (util/perm.c gives new files these modes; this finds and
 * mends the ones made before, or by hand).
 */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { MODES_EXAMPLES = 5 };

struct walk {
	const char *group;   /* NULL: private */
	gid_t gid;
	int fix;
	struct store_modes *out;
	struct sbuf owners;  /* ", "-separated owners of what is still wrong */
};

static void note_owner(struct walk *w, uid_t uid)
{
	char *name = util_user_name(uid), *p;
	size_t len = strlen(name);

	for (p = w->owners.s; (p = strstr(p, name)) != NULL; p += len)
		if ((p == w->owners.s || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0')) {
			free(name);
			return;
		}
	if (w->owners.len)
		sb_adds(&w->owners, ", ");
	sb_adds(&w->owners, name);
	free(name);
}

static void one(struct walk *w, const char *path, const struct stat *sb)
{
	int dir = S_ISDIR(sb->st_mode);
	mode_t want = w->group ? (dir ? 02770 : 0660) : (dir ? 0700 : 0600);
	int bad_group = w->group && sb->st_gid != w->gid;
	char *who;

	if ((sb->st_mode & 07777) == want && !bad_group)
		return;
	if (w->fix && (sb->st_uid == geteuid() || geteuid() == 0)) {
		int ok = 1;
		if (bad_group && lchown(path, (uid_t)-1, w->gid) < 0)
			ok = 0;
		/* chown may clear the setgid bit: the mode comes after. */
		if (ok && chmod(path, want) < 0)
			ok = 0;
		if (ok) {
			w->out->nfixed++;
			return;
		}
	}
	w->out->nbad++;
	note_owner(w, sb->st_uid);
	if (w->out->nexamples < MODES_EXAMPLES) {
		who = util_perm_owner(path);
		w->out->examples[w->out->nexamples++] =
			xasprintf("%s should be %04o%s%s", who, (unsigned)want, w->group ? " in group " : "",
				  w->group ? w->group : "");
		free(who);
	}
}

static void walk(struct walk *w, const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	struct stat sb;
	char *p;

	if (lstat(path, &sb) < 0 || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode)))
		return;
	one(w, path, &sb);
	if (!S_ISDIR(sb.st_mode) || depth > 16)
		return;
	if ((d = opendir(path)) == NULL) {
		/* Not ours to look into (another's private store): say so. */
		if (w->out->unread == NULL)
			w->out->unread = util_perm_owner(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		walk(w, p, depth + 1);
		free(p);
	}
	closedir(d);
}

int store_modes(const char *dir, const char *group, int fix, struct store_modes *out)
{
	struct walk w = { 0 };
	struct group *gr;
	char *q;

	memset(out, 0, sizeof *out);
	if (group) {
		gr = getgrnam(group);
		if (gr == NULL) {
			out->error = xasprintf("there is no group '%s' on this machine; create it (groupadd %s) "
					       "and add the team to it (usermod -aG %s NAME)",
					       group, group, group);
			return STORE_EINVAL;
		}
		w.gid = gr->gr_gid;
	}
	w.group = group;
	w.fix = fix;
	w.out = out;
	sb_init(&w.owners);
	walk(&w, dir, 0);
	q = util_shell_quote(dir);
	if (group)
		out->fix = xasprintf("lightbox --store %s init --shared %s", q, group);
	else
		out->fix = xasprintf("lightbox --store %s init --private", q);
	free(q);
	out->owners = sb_steal(&w.owners);
	sb_free(&w.owners);
	return 0;
}

void store_modes_clear(struct store_modes *m)
{
	size_t i;

	for (i = 0; i < m->nexamples; i++)
		free(m->examples[i]);
	free(m->fix);
	free(m->owners);
	free(m->error);
	free(m->unread);
	memset(m, 0, sizeof *m);
}
