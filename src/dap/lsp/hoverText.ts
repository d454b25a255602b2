// Hover text for a function or global/static variable name: where it lives in each guest built
// from the file (address, size, section, guest-physical frames) and, while a session runs, the
// watchpoints on it with their hits, the KVMI restrictions on its frames and its current value.
import { hex } from './addresses';
import { describeRestriction, type LiveSession } from './liveSession';
import type { ResolvedSymbol } from './symbolResolver';

const maxGuests = 3;

export function hoverMarkdown(resolved: readonly ResolvedSymbol[], live: LiveSession): string | undefined {
  if (resolved.length === 0) return undefined;
  const blocks = resolved.slice(0, maxGuests).map((r) => describe(r, live));
  if (resolved.length > maxGuests) blocks.push(`_…and ${resolved.length - maxGuests} more guests_`);
  return blocks.join('\n\n---\n\n');
}

function describe({ guest, declaration: d }: ResolvedSymbol, live: LiveSession): string {
  const what = d.kind === 'function' ? 'function' : `${d.scope === 'global' ? 'global' : 'static'} variable`;
  const type = d.typeName ? ` \`${d.typeName}\`` : '';
  const place = guest.placement(d.address, d.size);
  const lines = [
    `**${d.name}**${type}: ${what} in \`${guest.name}\``,
    '',
    `- address \`${hex(d.address)}\`, ${d.size} byte${d.size === 1 ? '' : 's'}${place.section ? `, section \`${place.section}\`` : ''}`,
  ];
  if (place.physical !== undefined) lines.push(`- guest-physical \`${hex(place.physical)}\`, ${place.frames}`);
  if (live.guest === guest.path) {
    const value = live.valueOf(d.name, d.address);
    if (value) lines.push(`- value: \`${value.value}\``);
    for (const w of live.watchpointsOn(d.address, d.size)) {
      lines.push(`- watchpoint: ${w.access} at \`${w.address}\` (${w.size} bytes), ${w.hitCount} hit${w.hitCount === 1 ? '' : 's'}`);
    }
    if (place.physical !== undefined) {
      const restrictions = live.restrictionsOn(place.physical, d.size);
      lines.push(restrictions.length === 0 ? '- page restrictions: none'
        : `- page restrictions: ${restrictions.map((r) => `gfn ${r.gfn} ${describeRestriction(r)}`).join(', ')}`);
    }
  }
  return lines.join('\n');
}
