// SPDX-License-Identifier: GPL-2.0
/*
 * OUT/validate.json: everything fragsim validate found, for
 * scripts/validate_report.py (text, HTML and JSON report).  Keys are
 * documented in docs/validating-a-patch.md.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/array.h"
#include "cli.h"
#include "validate_out.h"

static const char *const class_names[] = {
	[FS_VAL_COMMON] = "common", [FS_VAL_NEW] = "new", [FS_VAL_FIXED] = "fixed",
	[FS_VAL_KNOWN] = "known",
};
_Static_assert(ARRAY_SIZE(class_names) == FS_VAL_NR_CLASSES,
	       "a name for every class");

const char *fs_val_class_name(enum fs_val_class c)
{
	return class_names[c];
}

static void str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void key(FILE *f, const char *k, const char *v, const char *end)
{
	fprintf(f, "\"%s\": ", k);
	str(f, v);
	fputs(end, f);
}

static void target(FILE *f, const char *k, const struct fs_target *t,
		   uint64_t runs, uint64_t ops)
{
	fprintf(f, "  \"%s\": {", k);
	key(f, "name", t->name, ", ");
	key(f, "release", t->release, ", ");
	key(f, "layout", t->layout, ", ");
	key(f, "build", t->build_id, ", ");
	fprintf(f, "\"runs\": %llu, \"ops\": %llu},\n", (unsigned long long)runs,
		(unsigned long long)ops);
}

static void titles(FILE *f, const struct fs_val_cli *c)
{
	char name[4400];

	fputs("  \"titles\": [", f);
	for (uint32_t i = 0; i < c->sum.nr_titles; i++) {
		const struct fs_val_title *t = &c->sum.titles[i];
		uint32_t first = t->first[FS_VAL_PATCHED] != UINT32_MAX ?
				 t->first[FS_VAL_PATCHED] : t->first[FS_VAL_BASE];

		fs_val_case_name(&c->o, &c->cases[first], name, sizeof(name));
		fputs(i ? ",\n    {" : "\n    {", f);
		key(f, "title", t->title, ", ");
		key(f, "kind", t->kind, ", ");
		key(f, "class", fs_val_class_name(fs_val_title_class(t)), ", ");
		key(f, "known_by", t->known, ", ");
		fprintf(f, "\"base_cases\": %u, \"patched_cases\": %u, ",
			t->cases[FS_VAL_BASE], t->cases[FS_VAL_PATCHED]);
		key(f, "first_case", name, "}");
	}
	fputs("],\n", f);
}

static void regressions(FILE *f, const struct fs_val_cli *c,
			const struct fs_val_regression *g, uint32_t n)
{
	char name[4400];

	fputs("  \"regressions\": [", f);
	for (uint32_t i = 0; i < n; i++) {
		fs_val_case_name(&c->o, &c->cases[g[i].case_no], name, sizeof(name));
		fputs(i ? ",\n    {" : "\n    {", f);
		key(f, "title", g[i].title->title, ", ");
		key(f, "case", name, ", ");
		key(f, "trace", g[i].trace, ", ");
		fprintf(f, "\"ops_before\": %u, \"ops_after\": %u, \"decisions_before\": %u, \"decisions_after\": %u, \"min_runs\": %llu, ",
			g[i].min.before.ops, g[i].min.after.ops,
			g[i].min.before.decisions, g[i].min.after.decisions,
			(unsigned long long)g[i].min.runs);
		key(f, "on_base", g[i].on_base, "}");
	}
	fputs("],\n", f);
}

static void divergences(FILE *f, const struct fs_val_cli *c,
			const struct fs_val_example *e, uint32_t n)
{
	char name[4400];

	fprintf(f, "  \"divergences\": %u,\n  \"divergence_examples\": [",
		c->sum.divergences);
	for (uint32_t i = 0; i < n; i++) {
		const struct fs_val_div *d = &e[i].r->div;

		fs_val_case_name(&c->o, &c->cases[e[i].r->case_no], name, sizeof(name));
		fputs(i ? ",\n    {" : "\n    {", f);
		key(f, "case", name, ", ");
		fprintf(f, "\"op_no\": %llu, \"line\": %u, ",
			(unsigned long long)d->op_no, d->line);
		key(f, "op", d->op, ", ");
		key(f, "base", fs_val_outcome_name(d->out[FS_VAL_BASE]), ", ");
		key(f, "patched", fs_val_outcome_name(d->out[FS_VAL_PATCHED]), ", ");
		fprintf(f, "\"ops_before\": %u, \"ops_after\": %u, ",
			e[i].min.before.ops, e[i].min.after.ops);
		key(f, "trace", e[i].trace, "}");
	}
	fputs("],\n", f);
}

static void skipped(FILE *f, const struct fs_val_cli *c)
{
	char name[4400];
	bool first = true;

	fputs("  \"skipped\": [", f);
	for (uint32_t i = 0; i < c->nr_results; i++) {
		const struct fs_val_result *r = &c->results[i];

		if (r->ran)
			continue;
		fs_val_case_name(&c->o, &c->cases[r->case_no], name, sizeof(name));
		fputs(first ? "\n    {" : ",\n    {", f);
		first = false;
		key(f, "case", name, ", ");
		key(f, "reason", r->skip, "}");
	}
	fputs("],\n", f);
}

void fs_val_write_json(const struct fs_val_cli *c,
		       const struct fs_val_regression *g, uint32_t ng,
		       const struct fs_val_example *e, uint32_t ne)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/validate.json", c->out);
	f = fopen(path, "w");
	if (!f)
		fs_internal_error("cannot write %s", path);
	fputs("{\n  ", f);
	key(f, "verdict", fs_verdict_name(c->sum.verdict), ",\n");
	target(f, "base", c->o.target[FS_VAL_BASE], c->sum.runs[FS_VAL_BASE],
	       c->sum.ops[FS_VAL_BASE]);
	target(f, "patched", c->o.target[FS_VAL_PATCHED],
	       c->sum.runs[FS_VAL_PATCHED], c->sum.ops[FS_VAL_PATCHED]);
	fprintf(f, "  \"seed\": %llu, \"budget\": %llu, \"minutes\": %g, \"jobs\": %u, \"seconds\": %.1f,\n",
		(unsigned long long)c->o.seed, (unsigned long long)c->budget,
		c->seconds / 60, c->jobs, c->seconds_spent);
	fprintf(f, "  \"cases\": %u, \"generated\": %u, \"corpus\": %u, \"skipped_count\": %u,\n",
		c->sum.ran, c->nr_generated, c->sum.ran - c->nr_generated,
		c->sum.skipped);
	fputs("  \"suppress\": [", f);
	for (unsigned int i = 0; i < c->supp.nr_files; i++) {
		fputs(i ? ", " : "", f);
		str(f, c->supp.files[i]);
	}
	fputs("],\n", f);
	titles(f, c);
	regressions(f, c, g, ng);
	divergences(f, c, e, ne);
	skipped(f, c);
	fprintf(f, "  \"diff_vs_ref\": %s\n}\n", c->o.diff ? "true" : "false");
	if (fclose(f))
		fs_internal_error("cannot write %s", path);
}
