/* bench-server.h - tests/backends/server.py for the benches. */
#ifndef LB_BENCH_SERVER_H
#define LB_BENCH_SERVER_H

#include <sys/types.h>

/* Starts the test server (its own process group; image_bytes: the size of
 * the pictures it answers, NULL for its default) and returns its pid with
 * *port. */
pid_t bench_server(const char *image_bytes, int *port);

#endif
