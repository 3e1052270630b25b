import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFields } from './configFields';
import { checkFieldReference, documentedFields } from './fieldReference';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');

describe('docs/configuration.md', () => {
  const fields = configFields();
  const problems = checkFieldReference(fields, documentedFields(readFileSync(DOC, 'utf8')));

  it('documents every field of the autopilot.yaml schema in a field table', () => {
    // On failure the list names each path to add as a row (`| \`path\` | type | default | meaning | example |`).
    expect(problems.missing).toEqual([]);
  });

  it('documents no field the schema does not have (renamed or removed)', () => {
    expect(problems.unknown).toEqual([]);
  });

  it("starts each field's Default cell with the schema's default", () => {
    expect(problems.wrongDefault).toEqual([]);
  });
});

describe('configFields', () => {
  const paths = configFields().map((f) => f.path);

  it('names record keys <name>, the three environments <env>, and reaches into unions', () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        'pipelines.<name>.rollout.canarySteps',
        'environments.<env>.backend',
        'pipelines.<name>.data.trainingSet.windowDays',
        'azure.registry.subscriptionId',
      ]),
    );
    expect(paths.some((p) => p.startsWith('environments.dev'))).toBe(false);
  });
});

describe('checkFieldReference', () => {
  const doc = [
    '| Field | Type | Default | Meaning | Example |',
    '|---|---|---|---|---|',
    '| `a.b` | integer | `3` | b | `b: 4` |',
    '| `a.gone` | string | none | removed | `gone: x` |',
    '| `a.list` | list | `[1, 2]`; grows | l | `list: [1]` |',
    '',
    '| input | value |',
    '|---|---|',
    '| `a.c` | not a field table |',
  ].join('\n');
  const fields = [
    { path: 'a.b', default: 4, section: false },
    { path: 'a.c', section: false },
    { path: 'a.list', default: [1, 2], section: false },
  ];

  it('names fields without a row, rows without a field, and defaults the doc gets wrong', () => {
    expect(checkFieldReference(fields, documentedFields(doc))).toEqual({
      missing: ['a.c'],
      unknown: ['a.gone (line 4)'],
      wrongDefault: ['a.b (line 3): schema default `4`, doc says `3`'],
    });
  });

  it('reads cells split on unescaped pipes only', () => {
    const rows = documentedFields(
      '| Field | Type | Default | Meaning | Example |\n|---|---|---|---|---|\n| `x` | `p` \\| `q` | `p` | m | e |',
    );
    expect(rows).toEqual([{ path: 'x', defaultCell: '`p`', line: 3 }]);
  });
});
