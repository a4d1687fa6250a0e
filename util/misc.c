/*
 * misc.c - time, names and number parsing.
 */
#include "config.h"

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t util_now(void)
{
	const char *fake = getenv("LIGHTBOX_NOW");
	long long v;

	/* Tests pin the clock so golden outputs stay stable. */
	if (fake && util_parse_int(fake, 0, INT64_MAX, &v) == 0)
		return v;
	return (int64_t)time(NULL);
}

double util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void util_age(int64_t then, int64_t now, char buf[16])
{
	int64_t d = now - then;

	if (d < 5)
		snprintf(buf, 16, "now");
	else if (d < 60)
		snprintf(buf, 16, "%llds", (long long)d);
	else if (d < 3600)
		snprintf(buf, 16, "%lldm", (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, 16, "%lldh", (long long)(d / 3600));
	else if (d < 86400 * 14)
		snprintf(buf, 16, "%lldd", (long long)(d / 86400));
	else if (d < 86400 * 365)
		snprintf(buf, 16, "%lldw", (long long)(d / (86400 * 7)));
	else
		snprintf(buf, 16, "%lldy", (long long)(d / (86400 * 365)));
}

void util_iso8601(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *util_slug(const char *name)
{
	struct sbuf b;
	int dash = 0;

	sb_init(&b);
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;
		if (isalnum(c) && c < 0x80) {
			if (dash && b.len)
				sb_addc(&b, '-');
			dash = 0;
			sb_addc(&b, (char)tolower(c));
		} else {
			dash = 1;
		}
		if (b.len >= 60)
			break;
	}
	if (b.len == 0)
		sb_adds(&b, "untitled");
	return sb_steal(&b);
}

char *util_curator(void)
{
	const char *env = getenv("LIGHTBOX_CURATOR");

	/* The login of the process, not $LOGNAME: events record who really
	 * made a change, and a curator name that differs from it is an alias. */
	if (env && *env)
		return xstrdup(env);
	return util_login();
}

int util_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
