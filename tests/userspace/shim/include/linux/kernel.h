/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/kernel.h: types, container_of, BIT, ARRAY_SIZE, ERR_PTR, WARN_ON and printk, on libc. */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

/* every libc header of the shim, before sched.h defines `current` */
#include <errno.h>		/* the kernel's values on x86_64 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <linux/types.h>

typedef unsigned short umode_t;

/* linux/types.h's, so every header has it, as in the kernel */
struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __maybe_unused		__attribute__((unused))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
/* asm/barrier.h's, as C11 atomics that TSan understands */
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define BIT(nr)			(1UL << (nr))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PAGE_SHIFT		12
#define PAGE_SIZE		4096UL
#define PAGE_MASK		(~(PAGE_SIZE - 1))

#define MAX_ERRNO		4095
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

/* dump_stack(): the sanitizer runtime's, when there is one */
extern void __sanitizer_print_stack_trace(void) __attribute__((weak));
static inline void dump_stack(void)
{
	if (__sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
}

/* WARN: counted in shim_warnings, which the harness requires to be 0 */
extern atomic_int shim_warnings;
static inline void shim_warn(const char *cond, const char *file, int line)
{
	atomic_fetch_add(&shim_warnings, 1);
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
	dump_stack();
}

#define WARN_ON(cond) ({						\
	int __ret = !!(cond);						\
	if (unlikely(__ret))						\
		shim_warn(#cond, __FILE__, __LINE__);			\
	__ret;								\
})
/* every warning fails the run, so "once" need not be tracked */
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
/* WARN() with its message; the message is printed before the stack */
#define WARN(cond, fmt, ...) ({						\
	int __ret = !!(cond);						\
	if (unlikely(__ret)) {						\
		fprintf(stderr, "WARNING: " fmt, ##__VA_ARGS__);	\
		shim_warn(#cond, __FILE__, __LINE__);			\
	}								\
	__ret;								\
})
#define WARN_ONCE(cond, fmt, ...)	WARN(cond, fmt, ##__VA_ARGS__)

#define fallthrough		__attribute__((__fallthrough__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __always_unused		__attribute__((unused))
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define min(a, b)		((a) < (b) ? (a) : (b))

/* vscnprintf(): what was written, never more than the buffer holds */
__printf(3, 4) static inline int scnprintf(char *buf, size_t size,
					   const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)size - 1;
}

/* printk: %pe has no libc equivalent, so it prints as the raw %p */
__printf(2, 3) static inline void shim_printk(const char *level,
					      const char *fmt, ...)
{
	char f[256];
	size_t i = 0;
	va_list args;

	for (; *fmt && i < sizeof(f) - 2; fmt++) {
		f[i++] = *fmt;
		if (fmt[0] != '%')
			continue;
		if (fmt[1] == '%') {
			f[i++] = *++fmt;
		} else if (fmt[1] == 'p' && fmt[2] == 'e') {
			f[i++] = 'p';		/* "%pe" -> "%p" */
			fmt += 2;
		}
	}
	f[i] = '\0';
	va_start(args, fmt);
	fprintf(stderr, "%s: ", level);
	vfprintf(stderr, f, args);
	va_end(args);
}

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_err(fmt, ...)	shim_printk("err", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	shim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_printk("info", pr_fmt(fmt), ##__VA_ARGS__)
/* the kernel allows 10 per 5 s per call site; here 10 per call site */
#define pr_notice_ratelimited(fmt, ...) ({				\
	static atomic_uint __rl;					\
	if (atomic_fetch_add(&__rl, 1) < 10)				\
		pr_notice(fmt, ##__VA_ARGS__);				\
})

#endif
