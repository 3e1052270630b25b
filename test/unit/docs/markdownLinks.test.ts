import { join } from 'node:path';
import { brokenReferences, codePathsIn, gitIgnoredPrefixes, headingAnchors, linksIn, markdownFiles } from './markdownLinks';

const repo = join(__dirname, '..', '..', '..');

describe('README.md and docs/*.md', () => {
  it('link only to files and headings that exist', () => {
    expect(brokenReferences(repo, markdownFiles(repo))).toEqual([]);
  });
});

describe('markdownLinks', () => {
  it('linksIn finds inline links and images outside code, not external ones', () => {
    const md = [
      'See [a](docs/a.md#x) and ![pic](img/p.png).',
      '`[not](code.md)` [web](https://example.com)',
      '```',
      '[fenced](f.md)',
      '```',
    ].join('\n');
    expect(linksIn('README.md', md).map((l) => `${l.line}:${l.target}`)).toEqual(['1:docs/a.md#x', '1:img/p.png']);
  });

  it('codePathsIn finds backticked repository files and folders, not test names, other paths or ignored ones', () => {
    const md =
      'Read `shared/release/transitions.ts`, `adapters/local/`. Not `devhost/functionsHost`, `releases/<id>/x.json`, `npm start`, `bench/chaos/c.json`.';
    expect(codePathsIn('a.md', md, ['bench/chaos/']).map((r) => r.target)).toEqual(['shared/release/transitions.ts', 'adapters/local/']);
  });

  it('gitIgnoredPrefixes keeps the path entries of .gitignore', () => {
    expect(gitIgnoredPrefixes('node_modules/\n/tmp/\n*.log\nbench/chaos/\n# c\nexamples/x/code/\n')).toEqual([
      'node_modules/',
      'tmp/',
      'bench/chaos/',
      'examples/x/code/',
    ]);
  });

  it('headingAnchors slugs headings as GitHub does and numbers repeats', () => {
    const md = '# Title\n## Default thresholds (`X_Y`; `null` off)\n## Title\n<a id="custom"></a>';
    expect([...headingAnchors(md)]).toEqual(['title', 'default-thresholds-x_y-null-off', 'title-1', 'custom']);
  });

  it('brokenReferences names a missing file, a missing anchor and a file outside the repository', () => {
    const broken = brokenReferences(repo, [join(__dirname, 'fixtures', 'broken.md')]);
    expect(broken).toEqual([
      'test/unit/docs/fixtures/broken.md:1 ../nowhere.md (no such file)',
      'test/unit/docs/fixtures/broken.md:2 ../../../../docs/monitoring.md#no-such-heading (no heading with anchor #no-such-heading)',
      'test/unit/docs/fixtures/broken.md:4 ../../../../../shared/DESIGN.md (outside the repository: it breaks in any other checkout)',
      'test/unit/docs/fixtures/broken.md:3 shared/nowhere.ts (no such file)',
    ]);
  });
});
