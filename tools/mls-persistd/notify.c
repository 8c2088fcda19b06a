// SPDX-License-Identifier: GPL-2.0
/*
 * The service manager's notifications (READY=1, STOPPING=1,
 * EXTEND_TIMEOUT_USEC=...), sent as sd_notify(3) does: one datagram on the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@" for the abstract
 * namespace). The protocol is systemd's documented, stable interface;
 * speaking it directly keeps the daemon free of a library it would use
 * for nothing else, and lets a test stand in for the service manager.
 */
#include "persistd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen;
	socklen_t alen;
	ssize_t n;
	int fd, err = 0;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = 0;
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		plog(4, "notify \"%s\": %s", msg, strerror(-err));
	return err;
}
