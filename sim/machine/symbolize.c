// SPDX-License-Identifier: GPL-2.0
/*
 * Code address -> "function+0xoff/0xsize", the way kernel stack traces
 * print it, from the executable's own ELF symbol table (static kernel
 * functions included, which dladdr() cannot name).  Read once, lazily.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fragsim/target.h>

#include "machine.h"

struct sym {
	uintptr_t addr;
	size_t size;
	const char *name;
};

static struct sym *syms;
static size_t nr_syms;
static bool loaded;

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load(void)
{
	Dl_info info;
	struct stat st;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	void *map;
	int fd;

	loaded = true;
	if (!dladdr((void *)load, &info) || !info.dli_fbase)
		return;
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > (size_t)st.st_size)
		return;
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *s;
		const char *str;
		size_t n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		s = (const Elf64_Sym *)((const char *)map + sh[i].sh_offset);
		str = (const char *)map + sh[sh[i].sh_link].sh_offset;
		n = sh[i].sh_size / sizeof(*s);
		syms = calloc(n, sizeof(*syms));
		if (!syms)
			return;
		for (size_t j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(s[j].st_info) != STT_FUNC || !s[j].st_value)
				continue;
			syms[nr_syms].addr = (uintptr_t)info.dli_fbase +
					     (eh->e_type == ET_DYN ? s[j].st_value :
					      s[j].st_value - (uintptr_t)info.dli_fbase);
			syms[nr_syms].size = s[j].st_size;
			syms[nr_syms].name = str + s[j].st_name;
			nr_syms++;
		}
		qsort(syms, nr_syms, sizeof(*syms), cmp_sym);
		return;
	}
}

void fs_symbolize(const void *pc, char *buf, size_t len)
{
	uintptr_t a = (uintptr_t)pc;
	size_t lo = 0, hi;

	if (!loaded)
		load();
	hi = nr_syms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && a < syms[lo - 1].addr + (syms[lo - 1].size ?
					  syms[lo - 1].size : 1)) {
		const struct sym *s = &syms[lo - 1];
		const char *name = s->name;

		/* Per-target renames: show the kernel's name. */
		for (unsigned int i = 0; i < fs_nr_targets; i++) {
			const char *p = fs_targets[i]->sym_prefix;

			if (p && *p && !strncmp(name, p, strlen(p))) {
				name += strlen(p);
				break;
			}
		}
		snprintf(buf, len, "%s+0x%lx/0x%zx", name,
			 (unsigned long)(a - s->addr), s->size);
		return;
	}
	snprintf(buf, len, "0x%lx", (unsigned long)a);
}
