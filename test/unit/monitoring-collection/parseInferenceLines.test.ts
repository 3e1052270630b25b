import { compactIso, inferenceBlobName, inferencePrefixes } from '../../../shared/monitoring/inferenceBlobName';
import { parseInferenceLines } from '../../../shared/monitoring/parseInferenceLines';

const record = (requestId: string, time = '2025-03-04T05:06:07.000Z') =>
  JSON.stringify({
    requestId,
    endpoint: 'e-prod',
    environment: 'prod',
    deployment: 'blue',
    model: { name: 'm', version: 1 },
    time,
    input: { x: 1 },
    prediction: 0,
  });

describe('parseInferenceLines', () => {
  it('returns the records of a JSON-lines blob, skipping blank lines', () => {
    const parsed = parseInferenceLines(`${record('a')}\n\n${record('b')}\r\n`);
    expect(parsed.records.map((r) => r.requestId)).toEqual(['a', 'b']);
    expect(parsed.malformed).toBe(0);
  });

  it('counts lines that are not JSON or not records, says which and why, and never quotes them', () => {
    const text = [
      record('a'),
      '{"requestId": "x", "ssn": "123-45-6789"',
      record('b'),
      JSON.stringify({ requestId: 'c', ssn: '987-65-4321' }),
      'null',
    ].join('\n');
    const parsed = parseInferenceLines(text);
    expect(parsed.records.map((r) => r.requestId)).toEqual(['a', 'b']);
    expect(parsed.malformed).toBe(3);
    expect(parsed.samples.map((s) => s.line)).toEqual([2, 4, 5]);
    expect(parsed.samples[0]!.reason).toBe('not JSON');
    expect(parsed.samples[1]!.reason).toMatch(/endpoint/);
    expect(JSON.stringify(parsed.samples)).not.toMatch(/123-45|987-65/);
  });

  it('describes only the first few malformed lines but counts them all', () => {
    const parsed = parseInferenceLines(Array.from({ length: 20 }, () => 'garbage').join('\n'), { maxSamples: 2 });
    expect(parsed.malformed).toBe(20);
    expect(parsed.samples).toHaveLength(2);
  });
});

describe('inference blob names', () => {
  it('partitions by the UTC hour of the time and names the deployment, compact time and sequence', () => {
    expect(inferenceBlobName('churn-prod', 'blue', new Date('2025-03-04T23:59:58.123+02:00'), 7)).toBe(
      'churn-prod/2025/03/04/21/blue-20250304T215958123Z-000007.jsonl',
    );
    expect(compactIso(new Date('2025-12-31T00:00:00.000Z'))).toBe('20251231T000000000Z');
  });

  it('refuses names that could escape their folder', () => {
    expect(() => inferenceBlobName('../etc', 'blue', new Date(), 0)).toThrow(/invalid endpoint name/);
    expect(() => inferenceBlobName('e', 'a/b', new Date(), 0)).toThrow(/invalid deployment name/);
  });

  it('lists hour prefixes for short ranges and coarser ones for long ranges', () => {
    expect(inferencePrefixes('e', new Date('2025-03-04T22:30:00Z'), new Date('2025-03-05T01:00:00Z'))).toEqual([
      'e/2025/03/04/22/',
      'e/2025/03/04/23/',
      'e/2025/03/05/00/',
    ]);
    expect(inferencePrefixes('e', new Date('2025-03-01T12:00:00Z'), new Date('2025-03-05T00:00:01Z'))).toEqual([
      'e/2025/03/01/',
      'e/2025/03/02/',
      'e/2025/03/03/',
      'e/2025/03/04/',
      'e/2025/03/05/',
    ]);
    expect(inferencePrefixes('e', new Date('2024-11-15T00:00:00Z'), new Date('2025-02-01T00:00:00Z'))).toEqual([
      'e/2024/11/',
      'e/2024/12/',
      'e/2025/01/',
    ]);
    expect(inferencePrefixes('e', new Date('2025-03-05T00:00:00Z'), new Date('2025-03-05T00:00:00Z'))).toEqual([]);
  });
});
