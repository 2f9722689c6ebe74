/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/fs.h: the inode, file and file_operations fields that seq_file and debugfs use. */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/kernel.h>

struct inode {
	void *i_private;
};

struct file {
	void *private_data;
};

struct file_operations {
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
};

#endif
