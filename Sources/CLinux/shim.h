#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
/* <sys/epoll.h> and <sys/eventfd.h> are not part of Swift's Glibc module on Linux. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>

/* accept4 is a GNU extension not visible through Swift's Glibc module; glibc exports the symbol. */
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
#endif
