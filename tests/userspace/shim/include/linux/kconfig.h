/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/kconfig.h: IS_ENABLED() and the configuration, force-included as kbuild does. */
#ifndef _LINUX_KCONFIG_H
#define _LINUX_KCONFIG_H

/* the library */
#define CONFIG_MDEV_KVM_ASSOC 1

/* as include/linux/kconfig.h; no modules here, so builtin == enabled */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option)		__is_defined(option)

#endif
