/**
 * Integration tests start Azurite, servers and child processes. On the loaded 2-core CI
 * machine that can take many times as long as on a quiet one, so a test's deadline is
 * 120 s (unit tests keep 30 s). A deadline only bounds how long a failure takes to report:
 * tests wait for conditions, never for time. Suites that run whole releases set their own.
 */
jest.setTimeout(120_000);
