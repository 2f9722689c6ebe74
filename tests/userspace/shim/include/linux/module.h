/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/module.h: exports, module info, init and exit calls. */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/kernel.h>

#define __init
#define __exit

#define EXPORT_SYMBOL(sym)	extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)	extern typeof(sym) sym
#define MODULE_INFO(tag, info) \
	static const char __UNIQUE_ID(modinfo)[] __maybe_unused = #tag "=" info
#define MODULE_DESCRIPTION(d)	MODULE_INFO(description, d)
#define MODULE_LICENSE(l)	MODULE_INFO(license, l)

/* pointers the harness calls, in place of do_initcalls() and rmmod */
extern int (*const shim_initcall)(void);
extern void (*const shim_exitcall)(void);
#define subsys_initcall(fn)	int (*const shim_initcall)(void) = fn
#define module_init(fn)		subsys_initcall(fn)
#define module_exit(fn)		void (*const shim_exitcall)(void) = fn

#endif
