/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/seq_file.h: seq_printf() into a PAGE_SIZE buffer; single_open() also reads. */
#ifndef _LINUX_SEQ_FILE_H
#define _LINUX_SEQ_FILE_H

#include <linux/fs.h>
#include <linux/slab.h>

struct seq_file {
	char *buf;
	size_t size;
	size_t count;		/* == size after an overflow */
	void *private;
};

__printf(2, 3) static inline void seq_printf(struct seq_file *m,
					     const char *fmt, ...)
{
	va_list args;
	int n;

	if (m->count >= m->size)
		return;
	va_start(args, fmt);
	n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, args);
	va_end(args);
	m->count = n < 0 || (size_t)n >= m->size - m->count ? m->size :
							     m->count + n;
}

static inline void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

/* runs @show at once: opening the file is reading it */
static inline int single_open(struct file *file,
			      int (*show)(struct seq_file *, void *),
			      void *data)
{
	struct seq_file *m = kzalloc(sizeof(*m), GFP_KERNEL);
	int ret;

	if (m)
		m->buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!m || !m->buf) {
		kfree(m);
		return -ENOMEM;
	}
	m->size = PAGE_SIZE;
	m->private = data;
	ret = show(m, NULL);
	if (ret) {
		kfree(m->buf);
		kfree(m);
		return ret;
	}
	file->private_data = m;
	return 0;
}

static inline int single_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kfree(m->buf);
	kfree(m);
	return 0;
}

#define DEFINE_SHOW_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name ## _show, inode->i_private);	\
}									\
									\
static const struct file_operations __name ## _fops = {			\
	.open		= __name ## _open,				\
	.release	= single_release,				\
}

#endif
