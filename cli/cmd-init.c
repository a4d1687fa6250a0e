/*
 * cmd-init.c - lightbox init: create a store, or check and upgrade one;
 * make it shared with a group or private, and say whether curator names
 * may differ from logins.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char help[] =
	"Usage: lightbox [--store DIR] init [--shared GROUP | --private] [--aliases on|off]\n"
	"\n"
	"Creates a lightbox store (a folder with lightbox.db, assets/ and cache/) at\n"
	"--store DIR, else $LIGHTBOX_STORE, else $XDG_DATA_HOME/lightbox.  Running it\n"
	"on an existing store checks it and upgrades its schema.\n"
	"\n"
	"A new store is private to you: its folder 0700, its files 0600.\n"
	"  --shared GROUP   share the store with the Unix group GROUP: the folder is\n"
	"                   set-group-ID and 2770, every file 0660 in GROUP, whoever\n"
	"                   makes it and whatever their umask; nothing for others.\n"
	"                   On an existing store it also mends the modes of the files\n"
	"                   you own (all of them as root).\n"
	"  --private        make a store private again (0700 and 0600).\n"
	"  --aliases on|off whether LIGHTBOX_CURATOR may differ from the login that\n"
	"                   makes a change (one account shared on purpose).  Private\n"
	"                   stores allow it unless set off; shared ones refuse it\n"
	"                   unless set on.\n";

/* Whether this process may give files the group gid. */
static int in_group(gid_t gid)
{
	gid_t gs[256];
	int n, i;

	if (geteuid() == 0 || getegid() == gid)
		return 1;
	n = getgroups(256, gs);
	for (i = 0; i < n; i++)
		if (gs[i] == gid)
			return 1;
	return 0;
}

/* Makes the store folder ready before the database exists, so that the
 * database is made with the store's modes. */
static int prepare_folder(struct cli *c, const char *dir, const char *group)
{
	struct group *gr = NULL;
	struct stat sb;
	char *me = util_login(), *who, *vis;
	int rc = CLI_OK;

	if (group) {
		gr = getgrnam(group);
		vis = cli_safe(group, 0);
		if (gr == NULL)
			rc = cli_error(c, "there is no group '%s'; create it (groupadd %s) and add the team (usermod -aG %s NAME)",
				       vis, vis, vis);
		else if (!in_group(gr->gr_gid))
			rc = cli_error(c, "you (%s) are not in the group '%s'; have an administrator run 'usermod -aG %s %s', "
				       "then log in again",
				       me, vis, vis, me);
		free(vis);
		if (rc)
			goto out;
	}
	if (util_mkdir_p(dir) < 0 || stat(dir, &sb) < 0) {
		char *dv = cli_safe(dir, 0);

		who = util_perm_blocker(dir);
		vis = cli_safe(who ? who : strerror(errno), 0);
		rc = cli_error(c, "cannot create the store folder %s: %s", dv, vis);
		free(dv);
		free(vis);
		free(who);
		goto out;
	}
	if (group && (sb.st_gid != gr->gr_gid || (sb.st_mode & 07777) != 02770)) {
		if ((sb.st_uid != geteuid() && geteuid() != 0) || chown(dir, (uid_t)-1, gr->gr_gid) < 0 ||
		    chmod(dir, 02770) < 0) {
			who = util_perm_owner(dir);
			vis = cli_safe(who, 0);
			rc = cli_error(c, "cannot share %s: only its owner or root can change its group and mode", vis);
			free(vis);
			free(who);
		}
	} else if (!group && (sb.st_mode & 07777) != 0700 && (sb.st_uid == geteuid() || geteuid() == 0)) {
		chmod(dir, 0700);
	}
out:
	free(me);
	return rc;
}

static int mend(struct cli *c, const char *dir, const char *group)
{
	struct store_modes m;
	size_t i;
	char *vis;

	if (store_modes(dir, group, 1, &m) != 0) {
		vis = cli_safe(m.error, 0);
		cli_error(c, "%s", vis);
		free(vis);
		store_modes_clear(&m);
		return CLI_FAIL;
	}
	if (m.nfixed)
		printf("set the modes of %zu files and folders\n", m.nfixed);
	for (i = 0; i < m.nexamples; i++) {
		vis = cli_safe(m.examples[i], 0);
		fprintf(stderr, "lightbox: init: cannot mend %s\n", vis);
		free(vis);
	}
	if (m.nbad) {
		vis = cli_safe(m.owners, 0);
		fprintf(stderr, "lightbox: init: %zu files and folders are not yours to change; their owners (%s) "
				"or root must run the same command\n",
			m.nbad, vis);
		free(vis);
	}
	store_modes_clear(&m);
	return m.nbad ? CLI_FAIL : CLI_OK;
}

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "shared", required_argument, NULL, 's' },
					      { "private", no_argument, NULL, 'p' },
					      { "aliases", required_argument, NULL, 'a' },
					      { 0 } };
	const char *group = NULL, *aliases = NULL;
	int o, private = 0, rc = CLI_OK, url;
	struct store *st;
	char *s, *dir, *shared = NULL;

	if (cli_args(c, &argc, argv, "+", opts, help))
		return c->status;
	optind = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 's' && *optarg)
			group = optarg;
		else if (o == 'p')
			private = 1;
		else if (o == 'a' && (strcmp(optarg, "on") == 0 || strcmp(optarg, "off") == 0))
			aliases = optarg;
		else
			return cli_usage(c, o == 'a' ? "--aliases takes on or off"
					    : o == 's' ? "--shared takes a group name"
						       : "unknown option");
	}
	if (optind != argc)
		return cli_usage(c, "takes no arguments (use --store DIR to choose the folder)");
	if (group && private)
		return cli_usage(c, "--shared and --private contradict each other");
	dir = store_default_dir(c->store_dir);
	url = store_is_url(dir);
	if ((group || private) && !url)
		rc = prepare_folder(c, dir, group);
	if (rc) {
		free(dir);
		return rc;
	}
	st = cli_store(c, 1);
	if (st == NULL) {
		free(dir);
		return CLI_FAIL;
	}
	/* A PostgreSQL store's files are its assets folder (the database's
	 * access is the server's roles and grants). */
	if ((group || private) && url)
		rc = prepare_folder(c, store_dir(st), group);
	if (rc == 0 && (group || private) && store_setting_set(st, "shared", group) != 0)
		rc = cli_store_fail(c);
	if (rc == 0 && aliases && store_setting_set(st, "aliases", aliases) != 0)
		rc = cli_store_fail(c);
	if (rc == 0 && (group || private))
		rc = mend(c, url ? store_dir(st) : dir, group);
	free(dir);
	if (rc)
		return rc;
	store_setting_get(st, "shared", &shared);
	s = cli_safe(store_dir(st), 0);
	printf("lightbox store ready at %s (schema %d)\n", s, store_schema_version(st));
	if (shared) {
		char *g = cli_safe(shared, 0);
		printf("shared with the group %s; curator names %s\n", g,
		       store_aliases_allowed(st) ? "may differ from logins (aliases on)" : "are logins (aliases off)");
		free(g);
	} else if (private || aliases) {
		printf("private to its owner; curator names %s\n",
		       store_aliases_allowed(st) ? "may differ from logins (aliases on)" : "are logins (aliases off)");
	}
	free(s);
	free(shared);
	return CLI_OK;
}
