/* bench-pty.h - driving a program in a pseudo-terminal, as a user's
 * terminal would (the benches of the interface: tui-bench, bench-team). */
#ifndef LB_BENCH_PTY_H
#define LB_BENCH_PTY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct term {
	int fd;
	pid_t pid;
	char *buf;       /* everything read since the last reset */
	size_t len, cap;
	double last;     /* when the last byte came (monotonic ms) */
	int answered;    /* the start-up DA1 was answered */
};

/* Monotonic milliseconds. */
double term_now_ms(void);
/* Starts argv[0] with envp in a rows x cols pseudo-terminal. */
void term_start(struct term *t, char *const *argv, char *const *envp, int rows, int cols);
/* Starts argv (lightbox ...) as a curator would in a terminal: TERM
 * xterm-256color, a UTF-8 locale, LIGHTBOX_CURATOR curator, the store,
 * HOME home and its config folder home/config, a plain PATH. */
void term_start_lightbox(struct term *t, char *const *argv, const char *store, const char *home,
			 const char *curator, int rows, int cols);
/* Reads what is there within timeout ms (answering the interface's
 * start-up queries as xterm does); returns bytes read. */
size_t term_read(struct term *t, int timeout);
/* Waits until the output holds every needle; returns when the last one
 * arrived, or -1 after timeout_ms. */
double term_wait(struct term *t, const char *const *needles, int timeout_ms);
void term_reset(struct term *t);
/* Writes bytes, then reads until the terminal is quiet for quiet_ms: the
 * latency from the write to the last byte of the update (-1: nothing). */
double term_key(struct term *t, const char *bytes, int quiet_ms);
/* Sends Q, waits up to 2 s for the end, else kills; closes. */
void term_quit(struct term *t);

/* Figures of the benches that drive terminals and teams (bench-team,
 * bench-pg): a xorshift step, qsort's comparison of doubles, and the
 * p-th quantile (0..1) of n sorted values (0 when n is 0). */
uint64_t bench_rnd(uint64_t *s);
int bench_cmp_d(const void *a, const void *b);
double bench_pct(const double *v, size_t n, double p);

#endif
