/**
 * Storage returns eTags quoted (`"0x8DC..."`), Event Grid sends them bare, and weak
 * validators carry `W/`. Compare eTags only after normalising both sides with this.
 */
export function normalizeETag(eTag: string): string {
  let value = eTag.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return value;
}

/** True when both eTags name the same version of a blob, however each was quoted. */
export function sameETag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeETag(a) === normalizeETag(b);
}
