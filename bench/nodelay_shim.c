/* Test shim for the cold-start figures (bench/run.sh, docs/performance.md):
 * preloaded into the provider (LD_PRELOAD), it sets TCP_NODELAY on every
 * connection the provider accepts, so the benchmark can show what the
 * provider's gRPC calls cost without Nagle's algorithm holding back the last
 * part of a response until the client's delayed ACK (about 40 ms on Linux).
 * Measurement only: the provider itself never loads it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
int accept4(int fd, struct sockaddr *a, socklen_t *l, int flags) {
  static int (*real)(int, struct sockaddr *, socklen_t *, int);
  if (!real) real = dlsym(RTLD_NEXT, "accept4");
  int s = real(fd, a, l, flags);
  if (s >= 0) { int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); }
  return s;
}
