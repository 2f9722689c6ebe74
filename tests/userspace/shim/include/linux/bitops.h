/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * linux/bitops.h, linux/bitmap.h and s390's asm/bitops.h: bit numbers as
 * the kernel's (bit n in word n / BITS_PER_LONG), and s390's inverted
 * ones, where bit 0 is the most significant bit of the first word.
 */
#ifndef _LINUX_BITOPS_H
#define _LINUX_BITOPS_H

#include <linux/kernel.h>

#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))

/* atomic, as the kernel's set_bit() and clear_bit() */
static inline void set_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELAXED);
}

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return addr[BIT_WORD(nr)] & BIT_MASK(nr);
}

/* s390 numbers bits from the most significant one: the _inv forms */
#define BITOP_INV(nr)		((nr) ^ (BITS_PER_LONG - 1))
#define set_bit_inv(nr, addr)	set_bit(BITOP_INV(nr), addr)
#define clear_bit_inv(nr, addr)	clear_bit(BITOP_INV(nr), addr)
#define test_bit_inv(nr, addr)	test_bit(BITOP_INV(nr), addr)

static inline unsigned long __find_next_bit(const unsigned long *addr,
					    unsigned long size,
					    unsigned long offset, bool inv)
{
	for (; offset < size; offset++)
		if (test_bit(inv ? BITOP_INV(offset) : offset, addr))
			return offset;
	return size;
}

#define find_next_bit(addr, size, off)	__find_next_bit(addr, size, off, false)
#define find_next_bit_inv(addr, size, off) __find_next_bit(addr, size, off, true)
#define find_first_bit(addr, size)	find_next_bit(addr, size, 0)
#define find_first_bit_inv(addr, size)	find_next_bit_inv(addr, size, 0)
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_first_bit(addr, size); (bit) < (size);	\
	     (bit) = find_next_bit(addr, size, (bit) + 1))
#define for_each_set_bit_inv(bit, addr, size)				\
	for ((bit) = find_first_bit_inv(addr, size); (bit) < (size);	\
	     (bit) = find_next_bit_inv(addr, size, (bit) + 1))

/* linux/bitmap.h, on whole words: the bitmaps here are multiples of 64 */
#define __bitmap_words(nbits)	BITS_TO_LONGS(nbits)

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, __bitmap_words(nbits) * sizeof(long));
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int nbits)
{
	unsigned int i;

	for (i = start; i < start + nbits; i++)
		clear_bit(i, map);
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
			       unsigned int nbits)
{
	memcpy(dst, src, __bitmap_words(nbits) * sizeof(long));
}

static inline bool bitmap_and(unsigned long *dst, const unsigned long *a,
			      const unsigned long *b, unsigned int nbits)
{
	unsigned long any = 0;
	unsigned int i;

	for (i = 0; i < __bitmap_words(nbits); i++)
		any |= dst[i] = a[i] & b[i];
	return any;
}

static inline bool bitmap_andnot(unsigned long *dst, const unsigned long *a,
				 const unsigned long *b, unsigned int nbits)
{
	unsigned long any = 0;
	unsigned int i;

	for (i = 0; i < __bitmap_words(nbits); i++)
		any |= dst[i] = a[i] & ~b[i];
	return any;
}

static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b,
				unsigned int nbits)
{
	return !memcmp(a, b, __bitmap_words(nbits) * sizeof(long));
}

static inline bool bitmap_intersects(const unsigned long *a,
				     const unsigned long *b,
				     unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < __bitmap_words(nbits); i++)
		if (a[i] & b[i])
			return true;
	return false;
}

static inline bool bitmap_empty(const unsigned long *a, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < __bitmap_words(nbits); i++)
		if (a[i])
			return false;
	return true;
}

#endif
