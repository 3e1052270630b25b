import { BadRequestError } from '../../../shared/errors';

// Table Storage refuses these in PartitionKey/RowKey (service docs: "Characters
// disallowed in key fields"); the service's own error is an opaque 400, so check first.
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
/** Keys may be up to 1 KiB; UTF-16 strings, so 512 characters is the safe bound. */
const MAX_KEY_CHARS = 512;

/** Throws a BadRequestError naming the table, the key and the offending character. */
export function validateTableKey(table: string, kind: 'partition' | 'row', key: string): void {
  const match = FORBIDDEN.exec(key);
  if (match) {
    const char = match[0];
    const shown = /[\u0000-\u001f\u007f-\u009f]/.test(char) ? `U+${char.charCodeAt(0).toString(16).padStart(4, '0')}` : `'${char}'`;
    throw new BadRequestError(
      `${kind} key ${JSON.stringify(key)} contains ${shown}; Table Storage keys may not contain / \\ # ? or control characters (encode the id first)`,
      `table ${table}`,
    );
  }
  if (key.length > MAX_KEY_CHARS) {
    throw new BadRequestError(`${kind} key is ${key.length} characters; the limit is ${MAX_KEY_CHARS}`, `table ${table}`);
  }
}
