/** RFC 6901 JSON Pointers: building, escaping and resolving (source and national pointers). */

export function escapeToken(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** ptr('nguoiDungDon', 0, 'diaChi') → '/nguoiDungDon/0/diaChi' */
export function ptr(...parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) out += '/' + escapeToken(String(p));
  return out;
}

/** Join a base pointer and more tokens. */
export function child(base: string, ...parts: (string | number)[]): string {
  return base + ptr(...parts);
}

export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map(unescapeToken);
}

/** The value at `pointer` in `doc`, or found:false. Arrays accept decimal indexes only. */
export function resolvePointer(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  const tokens = parsePointer(pointer);
  if (!tokens) return { found: false };
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(t)) return { found: false };
      const i = Number(t);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return { found: false };
      cur = (cur as Record<string, unknown>)[t];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/** Parent pointer ('' for a top-level member). */
export function parentPointer(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return i <= 0 ? '' : pointer.slice(0, i);
}

/** True when `p` equals `base` or lies under it. */
export function isWithin(p: string, base: string): boolean {
  return p === base || (p.startsWith(base) && p.charAt(base.length) === '/') || base === '';
}
