import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError } from '../../../shared/errors';
import {
  DEFAULT_LOG_TAIL,
  MAX_LOG_TAIL,
  resolveDeploymentLogsOptions,
  resolveSince,
  splitLogLines,
  windowLogLines,
} from '../../../shared/endpoints/deploymentLogs';
import { consoleLogQuery, kqlString } from '../../../adapters/azure/workspace/azureDeploymentLogs';
import { openScoringLog, readScoringLog, stampLogLine } from '../../../adapters/local/workspace/scoringLogFile';
import { formatLogLines } from '../../../cli/commands/logs';
import { AutopilotConfig } from '../../../shared/config/schema';

const NOW = new Date('2026-03-10T12:00:00.000Z');

describe('resolveDeploymentLogsOptions', () => {
  test('defaults tail to 100 and leaves since out when not asked', () => {
    expect(resolveDeploymentLogsOptions({}, NOW)).toEqual({ tail: DEFAULT_LOG_TAIL });
    expect(DEFAULT_LOG_TAIL).toBe(100);
  });

  test('refuses a tail above 5000, below 1 or fractional with a BadRequestError naming tail', () => {
    for (const tail of [MAX_LOG_TAIL + 1, 0, 2.5]) {
      const attempt = () => resolveDeploymentLogsOptions({ tail }, NOW);
      expect(attempt).toThrow(BadRequestError);
      expect(attempt).toThrow(/^tail: must be a whole number from 1 to 5000/);
    }
    expect(resolveDeploymentLogsOptions({ tail: 5000 }, NOW).tail).toBe(5000);
  });

  test('turns a span back from now into an ISO time and normalises ISO times to UTC', () => {
    expect(resolveSince('90s', NOW)).toBe('2026-03-10T11:58:30.000Z');
    expect(resolveSince('15m', NOW)).toBe('2026-03-10T11:45:00.000Z');
    expect(resolveSince('1h', NOW)).toBe('2026-03-10T11:00:00.000Z');
    expect(resolveSince('2d', NOW)).toBe('2026-03-08T12:00:00.000Z');
    expect(resolveDeploymentLogsOptions({ since: '2026-03-10T13:30:00+02:00' }, NOW)).toEqual({
      tail: 100,
      since: '2026-03-10T11:30:00.000Z',
    });
  });

  test('refuses a since that is neither an ISO time nor a span, saying which forms work', () => {
    for (const since of ['yesterday', '1 May', '5w', '10', '2026-02-30', '2026-04-31T10:00:00Z']) {
      expect(() => resolveSince(since, NOW)).toThrow(
        /^since: '.*' is neither an ISO time \(2025-05-01T10:00:00Z\) nor a span back from now \(90s, 15m, 1h, 2d\)$/,
      );
    }
  });
});

describe('splitLogLines', () => {
  test('splits on LF and CRLF, drops the trailing empty line and keeps blank lines inside', () => {
    expect(splitLogLines('a\r\n\nb\n')).toEqual([{ text: 'a' }, { text: '' }, { text: 'b' }]);
    expect(splitLogLines('')).toEqual([]);
  });

  test('reads a leading ISO or Python-logging time stamp as UTC time and keeps the text as printed', () => {
    const lines = splitLogLines(
      [
        '2026-03-10T11:00:01.5Z ready',
        '2026-03-10 11:00:02,123 I [12] azmlinfsrv - scoring request',
        '2026-03-10T13:00:03+02:00 local time',
        'Traceback (most recent call last):',
      ].join('\n'),
    );
    expect(lines).toEqual([
      { time: '2026-03-10T11:00:01.500Z', text: '2026-03-10T11:00:01.5Z ready' },
      { time: '2026-03-10T11:00:02.123Z', text: '2026-03-10 11:00:02,123 I [12] azmlinfsrv - scoring request' },
      { time: '2026-03-10T11:00:03.000Z', text: '2026-03-10T13:00:03+02:00 local time' },
      { text: 'Traceback (most recent call last):' },
    ]);
  });
});

describe('windowLogLines', () => {
  const lines = [
    { text: 'banner without time' },
    { time: '2026-03-10T10:00:00.000Z', text: 'old error' },
    { text: '  at old frame' },
    { time: '2026-03-10T11:30:00.000Z', text: 'new error' },
    { text: '  at new frame' },
    { time: '2026-03-10T11:45:00.000Z', text: 'newest' },
  ];

  test('keeps the newest tail lines, oldest first', () => {
    expect(windowLogLines(lines, { tail: 2 }).map((l) => l.text)).toEqual(['  at new frame', 'newest']);
  });

  test('drops lines before since, untimed lines going with the timed line above them', () => {
    const kept = windowLogLines(lines, { tail: 100, since: '2026-03-10T11:00:00.000Z' }).map((l) => l.text);
    expect(kept).toEqual(['banner without time', 'new error', '  at new frame', 'newest']);
  });
});

describe('consoleLogQuery', () => {
  const endpointId =
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws-prod/onlineEndpoints/churn-prod';

  test('queries AmlOnlineEndpointConsoleLog for the endpoint by resource id and the deployment, newest tail lines oldest first', () => {
    expect(consoleLogQuery(endpointId, 'green', 250)).toBe(
      [
        'AmlOnlineEndpointConsoleLog',
        `| where _ResourceId =~ '${endpointId}'`,
        "| where DeploymentName == 'green'",
        '| top 250 by TimeGenerated desc',
        '| sort by TimeGenerated asc',
        '| project TimeGenerated, Message',
      ].join('\n'),
    );
  });

  test('escapes quotes and backslashes in string literals', () => {
    expect(kqlString("o'brien\\x")).toBe("'o\\'brien\\\\x'");
  });
});

describe('local scoring log files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scoring-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reads stamped lines back with their times, older unstamped lines as text, within tail and since', async () => {
    const file = join(dir, 'green.log');
    writeFileSync(file, 'written before time stamps\n');
    appendFileSync(file, stampLogLine('loaded model v1', new Date('2026-03-10T10:00:00.000Z')));
    appendFileSync(file, stampLogLine('run() failed: Error: boom', new Date('2026-03-10T11:30:00.000Z')));
    appendFileSync(file, stampLogLine('    at run (score.ts:3:9)', new Date('2026-03-10T11:30:00.001Z')));
    expect(await readScoringLog(file, { tail: 2 })).toEqual([
      { time: '2026-03-10T11:30:00.000Z', text: 'run() failed: Error: boom' },
      { time: '2026-03-10T11:30:00.001Z', text: '    at run (score.ts:3:9)' },
    ]);
    expect((await readScoringLog(file, { tail: 100 }))[0]).toEqual({ text: 'written before time stamps' });
    expect((await readScoringLog(file, { tail: 100, since: '2026-03-10T11:00:00.000Z' })).map((l) => l.text)).toEqual([
      'written before time stamps',
      'run() failed: Error: boom',
      '    at run (score.ts:3:9)',
    ]);
  });

  test('a deployment that never wrote a log has no lines', async () => {
    expect(await readScoringLog(join(dir, 'none.log'), { tail: 10 })).toEqual([]);
  });

  test('rotates a log past its size to <file>.1, keeps no older file, and still reads the newest lines across the rotation', async () => {
    const file = join(dir, 'blue.log');
    const log = openScoringLog(file, 4096);
    for (let i = 0; i < 1000; i++) log.write(stampLogLine(`request ${i}`, new Date(Date.UTC(2026, 2, 10, 11, 0, 0, i))));
    log.end();
    await once(log, 'finish');
    expect(readdirSync(dir).sort()).toEqual(['blue.log', 'blue.log.1']);
    const bytes = statSync(file).size + statSync(`${file}.1`).size;
    expect(bytes).toBeLessThan(2 * 4096 + 100); // 1,000 lines are ~37 KB: the rest was dropped
    // 120 lines (~4.4 KB) never fit in the current file alone: part of the tail comes from blue.log.1.
    const lines = await readScoringLog(file, { tail: 120 });
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 120 }, (_, i) => `request ${880 + i}`));
  });

  test('does not splice <file>.1 before a current file longer than the read: that would hide the lines between', async () => {
    const file = join(dir, 'green.log');
    writeFileSync(`${file}.1`, stampLogLine('older file', new Date(Date.UTC(2026, 2, 10, 10))));
    // 5 requested lines read 10 KB; 10 lines of 3 KB do not fit, so fewer than 5 come back, all from the current file.
    writeFileSync(
      file,
      Array.from({ length: 10 }, (_, i) => stampLogLine(`${i} ${'x'.repeat(3000)}`, new Date(Date.UTC(2026, 2, 10, 11, i)))).join(''),
    );
    const lines = await readScoringLog(file, { tail: 5 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((l) => l.text.split(' ')[0])).toEqual(['7', '8', '9'].slice(-lines.length));
  });
});

describe('autopilot logs output', () => {
  test('prints the time before each timed line and untimed lines as they are', () => {
    expect(formatLogLines([{ time: '2026-03-10T11:30:00.000Z', text: 'boom' }, { text: '  at frame' }])).toEqual([
      '2026-03-10T11:30:00.000Z  boom',
      '  at frame',
    ]);
  });
});

describe('environments.<env>.logAnalyticsWorkspaceId in autopilot.yaml', () => {
  const config = (id: string) => ({
    version: 1,
    environments: { prod: { backend: 'azure', logAnalyticsWorkspaceId: id } },
    pipelines: { churn: { data: { prefix: 'churn/' }, training: { job: 'job.yaml' }, deployment: { spec: 'deployment.yaml' } } },
  });

  test('accepts a GUID and refuses anything else, naming the field and where to find the ID', () => {
    expect(AutopilotConfig.parse(config('6F1C1F0E-3B7A-4A51-9D0E-2F4B8C7A9E10')).environments.prod.logAnalyticsWorkspaceId).toBe(
      '6F1C1F0E-3B7A-4A51-9D0E-2F4B8C7A9E10',
    );
    const refused = AutopilotConfig.safeParse(
      config('/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs'),
    );
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['environments', 'prod', 'logAnalyticsWorkspaceId'],
      message: expect.stringContaining('must be the Log Analytics workspace ID, a GUID'),
    });
  });
});
