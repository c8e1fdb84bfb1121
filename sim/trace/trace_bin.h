/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binary trace form: what the fuzz targets mutate
 * (docs/binary-format.md).  Decoding writes the text form and parses it,
 * so the text stays the one definition of a trace.
 */
#ifndef FRAGSIM_TRACE_BIN_H
#define FRAGSIM_TRACE_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bin_format.h"
#include "trace.h"

/* True if @data starts with the binary form's magic and version. */
bool fs_trace_is_binary(const uint8_t *data, size_t len);

/*
 * The text trace that @data stands for, malloc()ed and NUL-terminated, or
 * NULL with a one-line reason in @err (not the binary form).
 */
char *fs_trace_bin_to_text(const uint8_t *data, size_t len,
			   char *err, size_t errlen);

/* Decode into @t (initialised by the caller); 0, or -1 with @err. */
int fs_trace_decode(struct fs_trace *t, const uint8_t *data, size_t len,
		    char *err, size_t errlen);

#endif /* FRAGSIM_TRACE_BIN_H */
