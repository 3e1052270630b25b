import { z } from 'zod';

/**
 * A whole-number query parameter in [min, max]. Only decimal digits are accepted: the
 * `Number()`/`z.coerce` readings took '' as 0, '1e2' as 100, '0x10' as 16, ' 5' as 5, and
 * '1.5' or '-1' reached the handler (a 500 on the log route); an out-of-range value was
 * clamped, so the caller never learned it asked for more than it got.
 */
export function wholeNumberParam(min: number, max: number, fallback: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,16}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message)
    .optional()
    .transform((n) => n ?? fallback);
}
