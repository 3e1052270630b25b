import { ConfigError } from '../../../shared/errors';
import { shellQuote, substituteCommand } from '../../../shared/jobs/substituteCommand';

describe('substituteCommand', () => {
  it('replaces inputs and outputs, with or without spaces inside the braces', () => {
    const command = substituteCommand(
      'node t.js --seed ${{inputs.seed}} --out ${{ outputs.model }}',
      { seed: 42 },
      { model: '/jobs/j1/outputs/model' },
    );
    expect(command).toBe('node t.js --seed 42 --out /jobs/j1/outputs/model');
  });

  it('quotes values so the shell sees them as single words and runs nothing from them', () => {
    const evil = `a b'; touch /tmp/pwned; echo '$(id)`;
    const command = substituteCommand('printf %s ${{inputs.name}}', { name: evil }, {});
    // The job runner's integration test runs such a value through /bin/sh end to end.
    expect(command).toBe(`printf %s 'a b'\\''; touch /tmp/pwned; echo '\\''$(id)'`);
  });

  it('keeps an optional block without brackets when its input has a value', () => {
    expect(substituteCommand('train [--lr ${{inputs.lr}}] --x', { lr: 0.5 }, {})).toBe('train --lr 0.5 --x');
  });

  it('drops an optional block whose input has no value', () => {
    expect(substituteCommand('train [--lr ${{inputs.lr}}] --x', { lr: undefined }, {})).toBe('train  --x');
  });

  it('names an unknown reference', () => {
    expect(() => substituteCommand('run ${{inputs.dta}}', { data: 'x' }, {}, { file: 'job.yaml' })).toThrow(ConfigError);
    expect(() => substituteCommand('run ${{inputs.dta}}', { data: 'x' }, {}, { file: 'job.yaml' })).toThrow(
      /job\.yaml[\s\S]*no input 'dta' \(declared: data\)/,
    );
    expect(() => substituteCommand('run ${{outputs.m}}', {}, {})).toThrow(/no output 'm'/);
    expect(() => substituteCommand('run ${{search_space.lr}}', {}, {})).toThrow(/unknown reference \$\{\{search_space\.lr\}\}/);
  });

  it('names an input that has no value outside an optional block', () => {
    expect(() => substituteCommand('run ${{inputs.data}}', { data: undefined }, {})).toThrow(/input 'data' has no value/);
  });

  it('leaves plain words unquoted and quotes the empty string', () => {
    expect(shellQuote('/a/b-c_d.csv')).toBe('/a/b-c_d.csv');
    expect(shellQuote('')).toBe(`''`);
  });
});
