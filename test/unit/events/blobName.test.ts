import { BadRequestError } from '../../../shared/errors';
import { blobNameProblem, checkBlobName, checkContainerName, MAX_BLOB_NAME_LENGTH } from '../../../shared/events/blobName';

function refusal(name: string): BadRequestError {
  try {
    checkBlobName(name, 'event.subject');
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(name)} to be refused`);
}

describe('checkBlobName', () => {
  it('accepts names storage reads as written: folders, spaces, unicode, dots inside segments, a literal percent', () => {
    for (const name of [
      'default/a.csv',
      'default/new file.csv',
      'default/día 1/ü.csv',
      'default/v1.2..csv',
      'default/.hidden',
      'default/50%.csv',
      'default/a%20b.csv',
      'x'.repeat(MAX_BLOB_NAME_LENGTH),
    ]) {
      expect(checkBlobName(name, 'blob')).toBe(name);
    }
  });

  it.each([
    ['default/../p5/x.csv', /'\.\.' path segment/],
    ['default/./x.csv', /'\.' path segment/],
    ['..', /'\.\.' path segment/],
    ['default/..', /'\.\.' path segment/],
    ['default//x.csv', /empty path segment/],
    ['/default/x.csv', /starts with '\/'/],
    ['default/dir/', /ends with '\/'/],
    ['default\\x.csv', /backslash/],
    ['default/..\\p5\\x.csv', /backslash/],
    ['default/ctrl\u0001char.csv', /control character U\+0001 at position 12/],
    ['default/nul\u0000.csv', /control character U\+0000/],
    ['default/del\u007f.csv', /control character U\+007F/],
    ['default/\ud800.csv', /lone surrogate/],
    ['', /is empty/],
  ])('refuses %j, naming the field and saying why', (name, why) => {
    const error = refusal(name);
    expect(error.where).toBe('event.subject');
    expect(error.message).toMatch(/^event\.subject: blob name /);
    expect(error.message).toMatch(why);
  });

  it.each([
    'default/%2e%2e/p5/x.csv',
    'default/.%2E/x.csv',
    'default/%2e/x.csv',
    'default%2f..%2fp5/x.csv',
    'default/%252e%252e/x.csv',
    'default/a%5cb.csv',
    'default/a%00.csv',
    'default/%2F/x.csv',
  ])('refuses %j, whose percent-decoded form URL handling would resolve', (name) => {
    expect(refusal(name).message).toMatch(/is percent-encoded: once decoded \(.*\) it /);
  });

  it('shows a control character escaped in the message, never raw', () => {
    const { message } = refusal('default/\u0001\u001b[2J.csv');
    expect(message).toContain('"default/\\u0001\\u001b[2J.csv"');
    expect(message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('refuses a name over 1024 characters, as Azure Storage does, and counts characters, not UTF-16 units', () => {
    expect(refusal('x'.repeat(MAX_BLOB_NAME_LENGTH + 1)).message).toMatch(
      /is 1025 characters long; Azure Storage allows at most 1024: use a shorter name/,
    );
    expect(blobNameProblem('😀'.repeat(MAX_BLOB_NAME_LENGTH))).toBeUndefined();
    expect(blobNameProblem('😀'.repeat(MAX_BLOB_NAME_LENGTH + 1))).toMatch(/1025 characters/);
  });
});

describe('checkContainerName', () => {
  it('accepts Azure container names and refuses the rest with the rule', () => {
    for (const name of ['training-data', 'abc', '$root', '$web']) expect(checkContainerName(name, 'c')).toBe(name);
    for (const name of ['..', '.', 'ab', 'Training-Data', 'a--b', '-ab', 'ab-', 'a_b', 'x'.repeat(64)]) {
      expect(() => checkContainerName(name, 'event.subject')).toThrow(
        /^event\.subject: container name .* is not valid: 3 to 63 lower-case letters/,
      );
    }
  });
});
