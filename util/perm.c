/*
 * perm.c - the modes of what lightbox creates inside a store, and saying
 * who owns a file that cannot be written.
 *
 * A store is shared when its folder is group-writable (`lightbox init
 * --shared GROUP` makes it 2770 in GROUP): every file lightbox makes
 * inside is then 0660 and every folder 2770, in the folder's group,
 * whoever makes it and whatever their umask.  Any other store is private
 * to its owner: 0600 and 0700.  A store registers its folder when it is
 * opened (util_perm_store); the file helpers (util_mkdir_p,
 * util_write_atomic, util_perm_fix_fd) look the path up, so that code
 * making a thumbnail or a job's work folder need not know the store.
 * Paths outside every registered store keep the umask's modes (exports,
 * the editor's files).
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PERM_MAX_STORES = 8 };

struct perm_root {
	char *dir;
	int shared;
	uid_t uid;
	gid_t gid;
};

static pthread_mutex_t perm_mu = PTHREAD_MUTEX_INITIALIZER;
static struct perm_root roots[PERM_MAX_STORES];
static size_t nroots;

void util_perm_store(const char *root)
{
	struct stat sb;
	size_t i, len = strlen(root);
	struct perm_root r = { 0 };

	while (len > 1 && root[len - 1] == '/')
		len--;
	if (stat(root, &sb) < 0)
		return;
	r.shared = (sb.st_mode & S_IWGRP) != 0;
	r.uid = sb.st_uid;
	r.gid = sb.st_gid;
	pthread_mutex_lock(&perm_mu);
	for (i = 0; i < nroots; i++)
		if (strlen(roots[i].dir) == len && strncmp(roots[i].dir, root, len) == 0)
			break;
	if (i == nroots && nroots == PERM_MAX_STORES) {
		/* Forget the oldest: a process opens one or two stores. */
		free(roots[0].dir);
		memmove(roots, roots + 1, (PERM_MAX_STORES - 1) * sizeof roots[0]);
		i = --nroots;
	}
	if (i == nroots) {
		r.dir = xstrndup(root, len);
		nroots++;
	} else {
		r.dir = roots[i].dir;
	}
	roots[i] = r;
	pthread_mutex_unlock(&perm_mu);
}

int util_perm_of(const char *path, mode_t *file, mode_t *dir, gid_t *gid)
{
	size_t i, len;
	int found = 0, shared = 0;
	gid_t g = (gid_t)-1;

	pthread_mutex_lock(&perm_mu);
	for (i = 0; i < nroots; i++) {
		len = strlen(roots[i].dir);
		if (strncmp(path, roots[i].dir, len) == 0 && (path[len] == '/' || path[len] == '\0')) {
			found = 1;
			shared = roots[i].shared;
			g = roots[i].gid;
			break;
		}
	}
	pthread_mutex_unlock(&perm_mu);
	if (!found) {
		*file = 0666 & ~util_umask();
		*dir = 0777 & ~util_umask();
		*gid = (gid_t)-1;
		return 0;
	}
	*file = shared ? 0660 : 0600;
	*dir = shared ? 02770 : 0700;
	*gid = shared ? g : (gid_t)-1;
	return 1;
}

/* The owner of the store holding path, or -1. */
static uid_t owner_of(const char *path)
{
	size_t i, len;
	uid_t uid = (uid_t)-1;

	pthread_mutex_lock(&perm_mu);
	for (i = 0; i < nroots; i++) {
		len = strlen(roots[i].dir);
		if (strncmp(path, roots[i].dir, len) == 0 && (path[len] == '/' || path[len] == '\0'))
			uid = roots[i].uid;
	}
	pthread_mutex_unlock(&perm_mu);
	return uid;
}

/* Gives the open file or folder fd the mode want and, unless -1, the
 * group gid.  Root (an administrator's lightbox) gives what it makes to
 * the store's owner, so that a private store stays its owner's. */
static int fix(int fd, const char *path, mode_t want, gid_t gid)
{
	struct stat sb;
	uid_t owner;

	if (fstat(fd, &sb) < 0)
		return -1;
	if (geteuid() == 0 && (owner = owner_of(path)) != (uid_t)-1 && sb.st_uid != owner)
		(void)fchown(fd, owner, (gid_t)-1);
	/* The folder's setgid gives the group; set it anyway for a folder
	 * made before the store was shared (a member may, as one of it). */
	if (gid != (gid_t)-1 && sb.st_gid != gid)
		(void)fchown(fd, (uid_t)-1, gid);
	if ((sb.st_mode & 07777) != want && fchmod(fd, want) < 0)
		return -1;
	return 0;
}

int util_perm_fix_fd(int fd, const char *path)
{
	mode_t file, dir;
	gid_t gid;

	util_perm_of(path, &file, &dir, &gid);
	return fix(fd, path, file, gid);
}

int util_perm_fix_dir(const char *path)
{
	mode_t file, dir;
	gid_t gid;
	int fd, rc;

	if (!util_perm_of(path, &file, &dir, &gid))
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fix(fd, path, dir, gid);
	close(fd);
	return rc;
}

int util_perm_open(const char *path, int flags)
{
	mode_t file, dir;
	gid_t gid;
	struct stat sb;
	int fd, saved;

	util_perm_of(path, &file, &dir, &gid);
	fd = open(path, flags | O_CREAT | O_CLOEXEC, file);
	if (fd < 0)
		return -1;
	/* Only a file this call made (empty, ours) gets the store's mode:
	 * another member's file is theirs to keep. */
	if (fstat(fd, &sb) == 0 && sb.st_size == 0 && sb.st_uid == geteuid() && util_perm_fix_fd(fd, path) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

char *util_user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name && *res->pw_name)
		return xstrdup(res->pw_name);
	return xasprintf("uid%lu", (unsigned long)uid);
}

char *util_group_name(gid_t gid)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrgid_r(gid, &gr, buf, sizeof buf, &res) == 0 && res && res->gr_name && *res->gr_name)
		return xstrdup(res->gr_name);
	return xasprintf("gid%lu", (unsigned long)gid);
}

char *util_login(void)
{
	return util_user_name(getuid());
}

char *util_perm_owner(const char *path)
{
	struct stat sb;
	char *u, *g, *s;

	if (stat(path, &sb) < 0)
		return xasprintf("%s: %s", path, strerror(errno));
	u = util_user_name(sb.st_uid);
	g = util_group_name(sb.st_gid);
	s = xasprintf("%s (owner %s, group %s, mode %04o)", path, u, g, (unsigned)(sb.st_mode & 07777));
	free(u);
	free(g);
	return s;
}

/* The folder holding path, or NULL at the top.  Owned. */
static char *parent_of(const char *path)
{
	char *p = xstrdup(path), *slash = strrchr(p, '/');

	if (slash == NULL) {
		free(p);
		return xstrdup(".");
	}
	if (slash == p) {
		free(p);
		return strcmp(path, "/") == 0 ? NULL : xstrdup("/");
	}
	*slash = '\0';
	return p;
}

char *util_perm_blocker(const char *path)
{
	char *p = xstrdup(path), *up, *who, *me, *owner, *s;
	struct stat sb;

	/* The nearest existing file or folder on the way that this user
	 * cannot write (a file) or enter and write (a folder). */
	while (p && stat(p, &sb) < 0) {
		up = parent_of(p);
		free(p);
		p = up;
	}
	if (p == NULL || access(p, S_ISDIR(sb.st_mode) ? W_OK | X_OK : W_OK) == 0) {
		free(p);
		return NULL;
	}
	who = util_perm_owner(p);
	me = util_login();
	owner = util_user_name(sb.st_uid);
	s = xasprintf("%s cannot write %s; %s%s can fix the modes: 'lightbox doctor' prints the command", me, who,
		      strcmp(owner, me) == 0 ? "you" : owner, strcmp(owner, "root") == 0 ? "" : " (or root)");
	free(owner);
	free(me);
	free(who);
	free(p);
	return s;
}

char *util_shell_quote(const char *s)
{
	struct sbuf b;
	const char *p;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@%,=") ==
			  strlen(s))
		return xstrdup(s);
	sb_init(&b);
	sb_addc(&b, '\'');
	for (p = s; *p; p++)
		if (*p == '\'')
			sb_adds(&b, "'\\''");
		else
			sb_addc(&b, *p);
	sb_addc(&b, '\'');
	return sb_steal(&b);
}
