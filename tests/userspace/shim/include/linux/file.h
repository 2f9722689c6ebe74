/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/file.h: fput() and __fput_sync(), which the shim's linux/fs.h defines next to get_file_active(). */
#ifndef _LINUX_FILE_H
#define _LINUX_FILE_H

#include <linux/fs.h>

#endif
