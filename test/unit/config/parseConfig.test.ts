import { ConfigError } from '../../../shared/errors';
import { parseConfig } from '../../../shared/config/parseConfig';

const minimal = `version: 1
pipelines:
  default:
    data: { prefix: default/ }
    training: { job: examples/tabular/job.yaml }
    deployment: { spec: examples/tabular/deployment.yaml }
`;

describe('parseConfig', () => {
  it('fills documented defaults for a minimal pipeline', () => {
    const config = parseConfig(minimal);
    const pipeline = config.pipelines['default']!;
    expect(pipeline.data.container).toBe('training-data');
    expect(pipeline.data.labelColumn).toBe('label');
    expect(pipeline.evaluation.metric).toBe('auc');
    expect(pipeline.rollout.canarySteps).toEqual([5, 25, 50, 100]);
    expect(pipeline.rollout.approval.required).toBe(false);
    expect(pipeline.rollout.analysis.alpha).toBe(0.01);
    expect(pipeline.concurrency).toBe('queue');
    expect(config.environments.prod.backend).toBe('local');
  });

  it('reports every problem with its path and line', () => {
    const text = `version: 1
pipelines:
  default:
    data: { prefix: /x, minRows: 1 }
    training: {}
    deployment: { spec: x }
    rollout: { canarySteps: [5, 3] }
`;
    let error: unknown;
    try {
      parseConfig(text, 'conf/autopilot.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('conf/autopilot.yaml');
    expect(message).toContain('line 4, pipelines.default.data.prefix');
    expect(message).toContain('line 5, pipelines.default.training.job');
    expect(message).toContain('the last step must be 100');
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseConfig('version: 1\npipelines: [a\n')).toThrow(/line \d+/);
  });

  it('rejects pipelines whose data prefixes overlap', () => {
    const text = `${minimal}  other:
    data: { prefix: default/sub/ }
    training: { job: j.yaml }
    deployment: { spec: d.yaml }
`;
    expect(() => parseConfig(text)).toThrow(/overlaps pipeline 'default'/);
  });

  it('bounds evaluation.minImprovement to [-1, 1) and says it is an absolute difference, not a percentage', () => {
    const withMin = (m: number) => minimal.replace('    data:', `    evaluation: { minImprovement: ${m} }\n    data:`);
    expect(parseConfig(withMin(0.01)).pipelines['default']!.evaluation.minImprovement).toBe(0.01);
    expect(() => parseConfig(withMin(5))).toThrow(
      /minImprovement must be below 1: it is the absolute difference in the metric .* not a percentage/,
    );
    expect(() => parseConfig(withMin(1))).toThrow(ConfigError);
    expect(() => parseConfig(withMin(-2))).toThrow(/minImprovement must be at least -1/);
  });

  it("takes task: regression with rmse as its default metric and errors in the target's units", () => {
    const regression = (evaluation = '') => minimal.replace('    data:', `    task: regression\n${evaluation}    data:`);
    const pipeline = parseConfig(regression()).pipelines['default']!;
    expect(pipeline.task).toBe('regression');
    expect(pipeline.evaluation.metric).toBe('rmse');
    expect(parseConfig(minimal).pipelines['default']!.task).toBe('classification');
    // rmse is in the target's units: an improvement of 5 (dollars, minutes) is fine.
    const strict = parseConfig(regression('    evaluation: { minImprovement: 5, seed: 3 }\n')).pipelines['default']!.evaluation;
    expect(strict).toMatchObject({ metric: 'rmse', minImprovement: 5, seed: 3 });
    expect(parseConfig(regression('    evaluation: { metric: r2 }\n')).pipelines['default']!.evaluation.metric).toBe('r2');
    expect(() => parseConfig(regression('    evaluation: { metric: r2, minImprovement: 5 }\n'))).toThrow(/minImprovement must be below 1/);
  });

  it('refuses a metric of the other task, saying which metrics fit', () => {
    expect(() => parseConfig(minimal.replace('    data:', '    task: regression\n    evaluation: { metric: auc }\n    data:'))).toThrow(
      "'auc' is a classification metric and this pipeline has task: regression; use one of rmse, mae, r2, mape",
    );
    expect(() => parseConfig(minimal.replace('    data:', '    evaluation: { metric: rmse }\n    data:'))).toThrow(
      "'rmse' is a regression metric; set task: regression on this pipeline to train a regressor",
    );
    expect(() => parseConfig(minimal.replace('    data:', '    task: forecast\n    data:'))).toThrow(/task/);
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    expect(() => parseConfig(minimal.replace('data:', 'dta: {}\n    data:'))).toThrow(/dta/);
  });
});

describe('parseConfig on YAML whose aliases cannot be resolved', () => {
  it('reports an alias without its anchor as a ConfigError naming the file (found by fuzzing: was a ReferenceError)', () => {
    expect(() => parseConfig('*!', 'conf/autopilot.yaml')).toThrow(ConfigError);
    expect(() => parseConfig('*!', 'conf/autopilot.yaml')).toThrow(/conf\/autopilot\.yaml[\s\S]*alias/i);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
          .fill(`*${'abcdefghij'[i - 1]}`)
          .join(', ')}]`,
      );
    expect(() => parseConfig(levels.join('\n'), 'bomb.yaml')).toThrow(ConfigError);
  });
});
