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
/* malloc_trim: the notifier hands back memory freed by large flushes (Notify/MemoryTrim.swift). */
#include <malloc.h>

/* accept4 is a GNU extension not visible through Swift's Glibc module; glibc exports the symbol. */
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
/* pthread_setname_np is a GNU extension, hidden from Swift's Glibc module like accept4:
   declare it so loop threads carry a name in `top -H`, gdb and /proc/<pid>/task/<tid>/comm. */
#include <pthread.h>
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif
