import { parse } from 'csv-parse/sync';
import { CsvRecords, MAX_RECORD_CHARS } from '../../../shared/data/csvRecords';
import { DataValidationError } from '../../../shared/errors';

/** What the gate read before streaming: csv-parse on the whole file. */
const reference = (text: string) =>
  parse(Buffer.from(text), { bom: true, skip_empty_lines: true, trim: true, relax_quotes: false }) as string[][];

function records(text: string, size: number): string[][] {
  const bytes = Buffer.from(text);
  const reader = new CsvRecords('c/x.csv');
  const out: string[][] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(...reader.push(bytes.subarray(at, at + size)));
  return [...out, ...reader.end()];
}

describe('CsvRecords', () => {
  it.each([
    ['plain', 'a,b,label\n1,2,yes\n3,4,no\n'],
    ['no final line break', 'a,label\n1,yes\n2,no'],
    ['CRLF and a BOM', '\uFEFFa,label\r\n1,yes\r\n2,no\r\n'],
    ['blank lines', 'a,label\n\n1,yes\n\r\n\n2,no\n\n'],
    ['quoted commas, quotes and line breaks', 'a,b,label\n"1,5","say ""hi""",yes\n"multi\nline",x,"no"\n'],
    ['spaces around fields and quotes', 'a , b,label\n  1 ,  "two, 2"  ,yes\n3,"",no\n'],
    ['empty fields', 'a,b,label\n,,yes\n1,,no\n'],
    ['multi-byte characters', 'name,label\nZürich 東京 🚀,yes\n"naïve, café",no\n'],
    ['a quote-only record at the end', 'a,label\n1,yes\n"2","no"'],
  ])('reads %s as csv-parse did, whatever the chunk boundaries', (_name, text) => {
    const expected = reference(text);
    for (const size of [1, 2, 3, 5, 8, 64, 1 << 20]) expect(records(text, size)).toEqual(expected);
  });

  it.each([
    ['a,label\n1,yes\n2,no,7\n', 'Invalid Record Length: expect 2, got 3 on line 3'],
    ['a,label\n1,y"es\n', 'Invalid Opening Quote'],
    ['a,label\n"1"x,yes\n', 'Invalid Closing Quote'],
    ['a,label\n1,"yes\n2,no\n', 'a quoted field opened on line 2 is never closed'],
  ])('refuses %j as malformed, naming the line', (text, message) => {
    for (const size of [1, 4, 1 << 20]) {
      expect(() => records(text, size)).toThrow(DataValidationError);
      expect(() => records(text, size)).toThrow(`c/x.csv: malformed CSV: ${message}`);
    }
  });

  it('refuses a record that never ends before holding more than MAX_RECORD_CHARS', () => {
    const reader = new CsvRecords('c/x.csv');
    reader.push(Buffer.from('a,label\n1,"'));
    const piece = Buffer.alloc(1024 * 1024, 'x');
    const feed = () => {
      for (let i = 0; i <= MAX_RECORD_CHARS / piece.length; i++) reader.push(piece);
    };
    expect(feed).toThrow('a record longer than 4194304 characters from line 2 (an unclosed quote?)');
  });
});
