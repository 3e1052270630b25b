import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { parseEventGridDelivery } from '../../../devhost/parseEventGridDelivery';
import { parseConfig } from '../../../shared/config/parseConfig';
import { BadRequestError, ConfigError } from '../../../shared/errors';
import { parseAmlEvent } from '../../../shared/events/amlEvents';
import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { parseCommonAlert } from '../../../shared/events/commonAlert';
import { BLOB_CREATED_DOCS_SAMPLE } from '../../fakes/eventGrid/blobCreatedSample';
import { mutated } from './mutateJson';

/**
 * Every parser at the edge, fed near-valid and hostile input: it either returns a usable
 * value or throws its typed error with a message (-> a clear 4xx or `rejected`), never a
 * TypeError, a RangeError or a value that breaks the caller later.
 */
const ROOT = resolve(__dirname, '../../..');
const RUNS = { numRuns: 400, seed: 20261203 };
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/alerts', name), 'utf8'));

function outcomeOf<T>(parse: () => T, errorType: new (...args: never[]) => Error): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (!(error instanceof errorType)) throw new Error(`expected ${errorType.name}, got ${String(error)}`, { cause: error });
    expect(error.message.length).toBeGreaterThan(10);
    return { ok: false };
  }
}

const anyInput = fc.oneof(fc.jsonValue(), fc.anything());

describe('parseBlobCreated under fuzzing', () => {
  // Subject and url name the same blob, as Storage sends them: edits then reach every check.
  const data = { ...BLOB_CREATED_DOCS_SAMPLE.data, url: 'https://my-storage-account.blob.core.windows.net/training-data/default/a.csv' };
  const samples = [
    { ...BLOB_CREATED_DOCS_SAMPLE, subject: '/blobServices/default/containers/training-data/blobs/default/a.csv', data },
    {
      specversion: '1.0',
      id: 'id-1',
      type: 'Microsoft.Storage.BlobCreated',
      source: BLOB_CREATED_DOCS_SAMPLE.topic,
      subject: '/blobServices/default/containers/training-data/blobs/default/a.csv',
      time: BLOB_CREATED_DOCS_SAMPLE.eventTime,
      data: { ...data, eTag: '"0x1"' },
    },
  ];
  /** Hostile names in the subject's blob part (and the url made to agree), so the name checks are reached. */
  const hostileName = fc
    .array(
      fc.oneof(
        fc.constantFrom('default', '.', '..', '', '%2e%2e', '.%2E', '%2f', 'a\\b', 'x\u0001', 'a.csv', 'ü 1', '%'),
        fc.string({ maxLength: 6 }),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((segments) => segments.join('/'));
  const withName = fc.tuple(fc.constantFrom(...samples), hostileName, fc.boolean()).map(([sample, name, encoded]) => ({
    ...sample,
    subject: `/blobServices/default/containers/training-data/blobs/${name}`,
    data: {
      ...sample.data,
      url: `https://acct.blob.core.windows.net/training-data/${encoded ? name.split('/').map(safeEncode).join('/') : name}`,
    },
  }));

  it('gives a DataArrival with a container, a blob name and an eTag, or a BadRequestError', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, mutated(samples[0]), mutated(samples[1])), (event) => {
        const result = outcomeOf(() => parseBlobCreated(event), BadRequestError);
        if (!result.ok) return;
        expect(result.value.container).toMatch(/^[^/]+$/);
        expect(result.value.blobName.length).toBeGreaterThan(0);
        expect(result.value.eTag.length).toBeGreaterThan(0);
        expect(typeof result.value.eventTime).toBe('string');
      }),
      RUNS,
    );
  });

  it('accepts only blob names storage reads as written: no dot, empty or percent-encoded dot segments, no backslash or control character', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(withName, mutated(samples[0]), mutated(samples[1])), (event) => {
        const result = outcomeOf(() => parseBlobCreated(event), BadRequestError);
        if (!result.ok) return;
        accepted++;
        const { blobName, container } = result.value;
        const segments = blobName.split('/');
        expect(segments.every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
        expect(segments.every((s) => !/^(\.|%2e){1,2}$/i.test(s))).toBe(true);
        expect(blobName).not.toMatch(/[\\\u0000-\u001f\u007f]/);
        // What a storage client reads (the name put into a URL and resolved) is the name matched.
        const resolved = new URL(`https://acct.blob.core.windows.net/${container}/${blobName.split('/').map(encodeURIComponent).join('/')}`)
          .pathname;
        expect(resolved.split('/').slice(2).map(decodeURIComponent).join('/')).toBe(blobName);
      }),
      { ...RUNS, numRuns: 1000 },
    );
    // The property is about accepted events: make sure some were.
    expect(accepted).toBeGreaterThan(20);
  });
});

function safeEncode(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return segment;
  }
}

describe('parseAmlEvent under fuzzing', () => {
  const samples = [...(fixture('aml-events-eventgrid.json') as unknown[]), ...(fixture('aml-events-cloudevents.json') as unknown[])];

  it('gives a typed Azure ML event or a BadRequestError', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, ...samples.map(mutated)), (event) => {
        const result = outcomeOf(() => parseAmlEvent(event), BadRequestError);
        if (result.ok) expect(result.value.type).toMatch(/^Microsoft\.MachineLearningServices\./);
      }),
      RUNS,
    );
  });
});

describe('parseCommonAlert under fuzzing', () => {
  const samples = readdirSync(join(ROOT, 'test/fixtures/alerts'))
    .filter((f) => f.endsWith('.json') && !f.startsWith('aml-events') && !f.startsWith('legacy'))
    .map(fixture);

  it('gives an alert with an id, a condition and lower-case targets, or a BadRequestError', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, ...samples.map(mutated)), (body) => {
        const result = outcomeOf(() => parseCommonAlert(body), BadRequestError);
        if (!result.ok) return;
        expect(['Fired', 'Resolved']).toContain(result.value.condition);
        expect(result.value.alertId.length).toBeGreaterThan(0);
        for (const target of result.value.targets) expect(target).toBe(target.toLowerCase());
      }),
      RUNS,
    );
  });
});

describe('parseEventGridDelivery under fuzzing', () => {
  const headers = fc.record(
    {
      'aeg-event-type': fc.constantFrom('Notification', 'SubscriptionValidation', 'Unsubscribe', 'nonsense', ''),
      'content-type': fc.constantFrom(
        'application/json',
        'application/cloudevents+json',
        'application/cloudevents-batch+json',
        'text/plain',
      ),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
    mutated([BLOB_CREATED_DOCS_SAMPLE]).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  );

  it('gives a delivery whose events are objects, or a BadRequestError', () => {
    fc.assert(
      fc.property(headers, body, (h, b) => {
        const result = outcomeOf(() => parseEventGridDelivery(h, b), BadRequestError);
        if (result.ok && result.value.kind === 'events') {
          expect(result.value.events.length).toBeGreaterThan(0);
          for (const e of result.value.events) expect(typeof e).toBe('object');
        }
      }),
      RUNS,
    );
  });
});

describe('parseConfig under fuzzing', () => {
  const example = readFileSync(join(ROOT, 'autopilot.yaml'), 'utf8');
  const exampleObject = parseConfigObject(example);

  it('gives a config or a ConfigError naming the file, for YAML that parses to anything', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(exampleObject), fc.jsonValue()), (value) => {
        const text = stringify(value);
        const result = outcomeOf(() => parseConfig(text, 'fuzz.yaml'), ConfigError);
        if (!result.ok) return;
        expect(Object.keys(result.value.pipelines).length).toBeGreaterThan(0);
      }),
      { ...RUNS, numRuns: 200 },
    );
  });

  it('gives a ConfigError with a line for text that is not YAML at all', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        outcomeOf(() => parseConfig(text, 'fuzz.yaml'), ConfigError);
      }),
      RUNS,
    );
  });
});

function parseConfigObject(text: string): unknown {
  // The example as plain data, so edits hit real keys (pipelines.default.rollout...).
  return (require('yaml') as typeof import('yaml')).parse(text);
}
