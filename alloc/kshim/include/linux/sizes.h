/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/sizes.h (the ones the code under test uses). */
#ifndef __LINUX_SIZES_H__
#define __LINUX_SIZES_H__

#define SZ_1K	0x00000400
#define SZ_2K	0x00000800
#define SZ_4K	0x00001000
#define SZ_8K	0x00002000
#define SZ_16K	0x00004000
#define SZ_32K	0x00008000
#define SZ_64K	0x00010000

#endif /* __LINUX_SIZES_H__ */
