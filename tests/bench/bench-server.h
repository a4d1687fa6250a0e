/* bench-server.h - tests/backends/server.py for the benches. */
#ifndef LB_BENCH_SERVER_H
#define LB_BENCH_SERVER_H

#include <sys/types.h>

/* Starts the test server (its own process group; image_bytes: the size of
 * the pictures it answers, NULL for its default) and returns its pid with
 * *port. */
pid_t bench_server(const char *image_bytes, int *port);

/* Runs argv (stdout and stderr to /dev/null unless show); its exit status,
 * peak RSS in MiB and seconds. */
int bench_run(const char *const *argv, int show, double *mib, double *secs);

/* Tells the server started above to misbehave: POST /_control with
 * {"mode": mode, "arg": arg (a number, or none when NULL), "every": every}. */
void bench_server_control(int port, const char *mode, const char *arg, int every);

#endif
