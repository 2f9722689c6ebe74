/* SPDX-License-Identifier: GPL-2.0-only */
/* linux/hashtable.h: a fixed array of hlists, keyed by hash_long() (linux/hash.h) of the key. */
#ifndef _LINUX_HASHTABLE_H
#define _LINUX_HASHTABLE_H

#include <linux/list.h>

#define GOLDEN_RATIO_64		0x61C8864680B583EBull
/* hash_64_generic(), which is hash_long() and hash_ptr() on 64-bit */
#define hash_long(val, bits)	((uint64_t)(val) * GOLDEN_RATIO_64 >> (64 - (bits)))

#define DECLARE_HASHTABLE(name, bits)	struct hlist_head name[1 << (bits)]
#define DEFINE_HASHTABLE(name, bits)	struct hlist_head name[1 << (bits)] = { }
#define HASH_BITS(name)		__builtin_ctzl(ARRAY_SIZE(name))
#define hash_bucket(name, key)	(&(name)[hash_long(key, HASH_BITS(name))])

#define hash_init(name) do {						\
	size_t __i;							\
	for (__i = 0; __i < ARRAY_SIZE(name); __i++)			\
		INIT_HLIST_HEAD(&(name)[__i]);				\
} while (0)
#define hash_add(name, node, key)	hlist_add_head(node, hash_bucket(name, key))
#define hash_del(node)			hlist_del_init(node)
#define hash_for_each_possible(name, obj, member, key)			\
	hlist_for_each_entry(obj, hash_bucket(name, key), member)
#define HASH_SIZE(name)			ARRAY_SIZE(name)
#define hash_for_each(name, bkt, obj, member)				\
	for ((bkt) = 0; (bkt) < (int)ARRAY_SIZE(name); (bkt)++)		\
		hlist_for_each_entry(obj, &(name)[bkt], member)

static inline bool __hash_empty(const struct hlist_head *ht, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (ht[i].first)
			return false;
	return true;
}
#define hash_empty(name)		__hash_empty(name, ARRAY_SIZE(name))

#endif
