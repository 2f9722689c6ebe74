/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/string.h: libc's, with kstrndup() and kstrtoul(). */
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H

#include <ctype.h>

#include <linux/slab.h>

static inline char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len = strnlen(s, max);
	char *p = kzalloc(len + 1, gfp);

	if (p)
		memcpy(p, s, len);
	return p;
}

/* lib/kstrtox.c: the whole string, one trailing newline allowed, no sign */
static inline int kstrtoul(const char *s, unsigned int base,
			   unsigned long *res)
{
	unsigned long long v;
	char *end;

	if (*s == '-' || *s == '+' || isspace((unsigned char)*s) || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

#endif
