// Generates kvmi_probe_tables.inc, the per-struct half of the C probe: from the TypeScript layout table it
// writes, for every named struct, the printf lines of sizeof/offsetof/signedness of each field, a dump
// function printing every field of a struct read from bytes, and a fill function setting every
// non-padding field from input values. Field *names* come from the table; offsets, sizes and byte
// order come from the C compiler and kvmi_structs.h.
import type { FieldType, ScalarKind, StructLayout } from '../../src/vmm/kvmi/layoutDsl';

const UNSIGNED_CAST: Record<ScalarKind, string> = {
  u8: '(unsigned long long)(uint8_t)', u16: '(unsigned long long)(uint16_t)', u32: '(unsigned long long)(uint32_t)',
  u64: '(unsigned long long)(uint64_t)', s32: '(long long)(int32_t)', s64: '(long long)(int64_t)',
};
const isSigned = (k: ScalarKind) => k.startsWith('s');

/** A printf argument that fills a %d / %zu index in a generated field path. */
interface FormatArg { name: string }

/** The named (non-anonymous) layouts the probe can handle, one per C struct tag. */
export function probedLayouts(layouts: readonly StructLayout[]): StructLayout[] {
  return layouts.filter((l) => !l.anonymous);
}

function member(layout: StructLayout, path: string): string {
  return `((struct ${layout.name} *)0)->${path}`;
}

function layoutLines(layout: StructLayout, type: StructLayout, prefix: string, out: string[]): void {
  for (const f of type.fields) {
    const path = prefix + f.name;
    const m = member(layout, path);
    const t = f.type;
    const elemSize = t.kind === 'scalar' ? `sizeof(${m})` : t.kind === 'array' ? `sizeof(${m}[0])` : '(size_t)0';
    const signed = t.kind === 'scalar' ? `((__typeof__(${m}))-1 < 0)` : t.kind === 'array' ? `((__typeof__(${m}[0]))-1 < 0)` : '-1';
    out.push(`\tprintf("field ${layout.name} ${path} %zu %zu %zu %d\\n", offsetof(struct ${layout.name}, ${path}), sizeof(${m}), ${elemSize}, (int)${signed});`);
    if (t.kind === 'struct') layoutLines(layout, t, `${path}.`, out);
  }
}

function leafStatements(
  structName: string, type: FieldType, expr: string, fmt: string, args: FormatArg[], pad: boolean, mode: 'dump' | 'fill', depth: number, out: string[],
): void {
  const indent = '\t'.repeat(depth);
  if (type.kind === 'scalar') {
    if (mode === 'fill') {
      if (!pad) out.push(`${indent}FILL(${expr});`);
      return;
    }
    const spec = isSigned(type.scalar) ? '%lld' : '%llu';
    const argList = [...args.map((a) => a.name), `${UNSIGNED_CAST[type.scalar]}(${expr})`].join(', ');
    out.push(`${indent}printf("${structName} ${fmt} ${spec}\\n", ${argList});`);
    return;
  }
  if (type.kind === 'array') {
    if (mode === 'fill' && pad) return;
    const v = `i${depth}`;
    out.push(`${indent}for (int ${v} = 0; ${v} < ${type.length}; ${v}++) {`);
    const elem: FieldType = { kind: 'scalar', scalar: type.elem, size: type.size / type.length, align: type.align };
    leafStatements(structName, elem, `${expr}[${v}]`, `${fmt}[%d]`, [...args, { name: v }], pad, mode, depth + 1, out);
    out.push(`${indent}}`);
    return;
  }
  for (const f of type.fields) {
    leafStatements(structName, f.type, `${expr}.${f.name}`, `${fmt}.${f.name}`, args, pad || f.pad, mode, depth, out);
  }
}

function fieldStatements(layout: StructLayout, mode: 'dump' | 'fill', out: string[]): void {
  for (const f of layout.fields) leafStatements(layout.name, f.type, `p->${f.name}`, f.name, [], f.pad, mode, 1, out);
  const tail = layout.tail;
  if (!tail) {
    out.push('\treturn sizeof(*p);');
    return;
  }
  const countExpr = tail.count === 'rest' ? '0' : `(size_t)p->${tail.count}`;
  const limit = mode === 'dump' ? 'avail' : 'cap';
  out.push(`\t{\n\t\tsize_t n = ${countExpr}, base = offsetof(struct ${layout.name}, ${tail.cPath});`);
  out.push(`\t\tif (${limit} < base + n * sizeof(p->${tail.cPath}[0])) { printf("error short ${layout.name}.${tail.name}\\n"); return ${limit}; }`);
  out.push('\t\tfor (size_t t = 0; t < n; t++) {');
  leafStatements(layout.name, tail.elem, `p->${tail.cPath}[t]`, `${tail.cPath}[%zu]`, [{ name: 't' }], false, mode, 3, out);
  out.push('\t\t}');
  out.push(`\t\treturn base + n * sizeof(p->${tail.cPath}[0]);\n\t}`);
}

/** The complete text of kvmi_probe_tables.inc for these layouts. */
export function probeTablesSource(layouts: readonly StructLayout[]): string {
  const named = probedLayouts(layouts);
  const out: string[] = ['/* Generated from the TypeScript KVMI layout table; do not edit. */', ''];
  out.push('static void print_layouts(void)\n{');
  for (const l of named) {
    out.push(`\tprintf("struct ${l.name} %zu %zu\\n", sizeof(struct ${l.name}), _Alignof(struct ${l.name}));`);
    layoutLines(l, l, '', out);
    if (l.tail) {
      out.push(`\tprintf("tail ${l.name} ${l.tail.cPath} %zu %zu\\n", offsetof(struct ${l.name}, ${l.tail.cPath}), sizeof(${member(l, l.tail.cPath)}[0]));`);
    }
  }
  out.push('}', '');
  for (const l of named) {
    out.push(`static size_t dump_${l.name}(const unsigned char *b, size_t avail)\n{`);
    out.push(`\tconst struct ${l.name} *p = (const void *)b;`);
    out.push(`\tif (avail < sizeof(*p)) { printf("error short ${l.name}\\n"); return avail; }`);
    fieldStatements(l, 'dump', out);
    out.push('}', '');
    out.push(`static size_t fill_${l.name}(unsigned char *b, size_t cap)\n{`);
    out.push(`\tstruct ${l.name} *p = (void *)b;`);
    out.push(`\tif (cap < sizeof(*p)) { printf("error short ${l.name}\\n"); return cap; }`);
    fieldStatements(l, 'fill', out);
    out.push('}', '');
  }
  for (const mode of ['dump', 'fill'] as const) {
    const [bufType, sizeName] = mode === 'dump' ? ['const unsigned char *', 'avail'] : ['unsigned char *', 'cap'];
    out.push(`static size_t ${mode}_struct(const char *name, ${bufType}b, size_t ${sizeName})\n{`);
    for (const l of named) out.push(`\tif (!strcmp(name, "${l.name}")) return ${mode}_${l.name}(b, ${sizeName});`);
    out.push('\treturn (size_t)-1;\n}', '');
  }
  return out.join('\n');
}
