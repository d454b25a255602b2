// C spelling of a DWARF type for hovers (DWARF 5 §5: base, pointer, array, struct/union/enum tags,
// typedefs, qualifiers): "struct guard_object *", "uint8_t [4096]", "const char [81]".
import type { TypeInfo } from '../debuginfo/index';

const tagWords: Partial<Record<TypeInfo['kind'], string>> = { struct: 'struct', union: 'union', class: 'class', enum: 'enum' };
const qualifiers: Partial<Record<TypeInfo['kind'], string>> = { const: 'const', volatile: 'volatile', restrict: 'restrict', atomic: '_Atomic' };

export function cTypeName(type: TypeInfo | undefined, depth = 0): string {
  if (!type) return 'void';
  if (depth > 16) return type.name || '?';
  const tag = tagWords[type.kind];
  if (tag) return type.name ? `${tag} ${type.name}` : `${tag} <anonymous>`;
  const qualifier = qualifiers[type.kind];
  if (qualifier) return `${qualifier} ${cTypeName(type.target, depth + 1)}`;
  if (type.kind === 'pointer') {
    if (type.target?.kind === 'function') return type.name || 'function pointer';
    return `${cTypeName(type.target, depth + 1)} *`;
  }
  if (type.kind === 'array') {
    const dims = (type.dimensions ?? [undefined]).map((d) => `[${d ?? ''}]`).join('');
    return `${cTypeName(type.target, depth + 1)} ${dims}`;
  }
  return type.name || '?';
}
