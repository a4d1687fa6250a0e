/*
 * json.c - JSON values made from outside text, for every module that
 * writes JSON (the store's export, the CLI's --json forms).  The only
 * file of util/ that uses jansson; a program that does not call it does
 * not link it.
 */
#include "config.h"

#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

json_t *util_json_str(const char *s)
{
	char *v;
	json_t *j;

	if (s == NULL)
		return json_null();
	if (util_utf8_valid(s, strlen(s)))
		return json_string(s);
	v = util_visible_dup(s, 1);
	j = json_string(v);
	free(v);
	return j;
}

json_t *util_json_params(const char *text)
{
	json_t *j = json_loads(text && *text ? text : "{}", 0, NULL);

	return j ? j : json_object();
}
