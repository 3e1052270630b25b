import { datastoreUri } from '../../../adapters/azure/workspace/datastoreInputs';
import { BadRequestError } from '../../../shared/errors';

const store = { name: 'autopilot_artifacts', accountName: 'appstore', containerName: 'autopilot-artifacts', endpoint: 'core.windows.net' };
const base = 'https://appstore.blob.core.windows.net/autopilot-artifacts';

describe("datastoreUri: a blob URL never leaves the datastore's container", () => {
  test.each([
    ['an encoded slash before ..', `${base}/..%2Fother-container/secret.csv`],
    ['.. hidden in one encoded segment', `${base}/releases%2F..%2F..%2Fother-container%2Fx.csv`],
    ['an encoded dot-dot-slash', `${base}/a/%2e%2e%2fb.csv`],
    ['an encoded ./', `${base}/a%2F.%2Fb.csv`],
  ])('%s is refused, not turned into a datastore path with dot segments', (_what, uri) => {
    expect(() => datastoreUri(uri, store, 'data')).toThrow(BadRequestError);
    expect(() => datastoreUri(uri, store, 'data')).toThrow(/input 'data'.*(\.\.|dot)/);
  });

  test('a malformed percent-escape is a BadRequestError naming the input, not a URIError', () => {
    expect(() => datastoreUri(`${base}/a%E0%A4%A.csv`, store, 'data')).toThrow(BadRequestError);
  });

  test('encoded characters that are not dot segments still map', () => {
    expect(datastoreUri(`${base}/a%2Fb/c..d.csv`, store, 'data')).toBe('azureml://datastores/autopilot_artifacts/paths/a/b/c..d.csv');
  });
});
