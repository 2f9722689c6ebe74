/* SPDX-License-Identifier: GPL-2.0-only */
/* kunit/visibility.h: as the kernel's without CONFIG_KUNIT, which the harness is not. */
#ifndef _KUNIT_VISIBILITY_H
#define _KUNIT_VISIBILITY_H

#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif
