import { Release, Stage, Trigger } from './types';
import { InvalidRecordError } from './unreadable';

type Path = readonly PropertyKey[];

/**
 * Turns a raw record that does not parse into one that does, keeping every part that
 * parses: each value the schema complains about is removed (an array element is cut out),
 * and a required top-level field that is missing or wrong gets a neutral stand-in. The
 * caller then ends the release; nothing here decides its status.
 */
export function salvageRecord(raw: unknown, id: string, now: string): Release {
  const value: Record<string, unknown> =
    raw && typeof raw === 'object' && !Array.isArray(raw) ? structuredClone(raw as Record<string, unknown>) : {};
  value['id'] = id;
  if (typeof value['pipeline'] !== 'string' || !value['pipeline']) value['pipeline'] = pipelineOfId(id);
  if (!Stage.safeParse(value['stage']).success) value['stage'] = 'validate';
  if (!Trigger.safeParse(value['trigger']).success) value['trigger'] = { kind: 'manual', note: 'trigger lost; record repaired' };
  for (const field of ['createdAt', 'updatedAt']) if (typeof value[field] !== 'string') value[field] = now;
  if (typeof value['status'] !== 'string' || !Release.shape.status.safeParse(value['status']).success) value['status'] = 'failed';

  const removed = new Set<string>();
  for (let round = 0; round < 1000; round++) {
    const parsed = Release.safeParse(value);
    if (parsed.success) return parsed.data;
    let path: Path = parsed.error.issues[0]!.path;
    // Removing a required value does not help: remove what holds it instead.
    while (path.length > 1 && removed.has(JSON.stringify(path))) path = path.slice(0, -1);
    if (path.length === 0 || removed.has(JSON.stringify(path))) break;
    removed.add(JSON.stringify(path));
    removeAt(value, path);
  }
  throw new InvalidRecordError(id, 'the record could not be salvaged; delete it from the table by hand');
}

function removeAt(root: Record<string, unknown>, path: Path): void {
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | undefined)?.[key];
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<PropertyKey, unknown>)[last];
}

/** Release ids are `<pipeline>-<yyyymmdd>-<hhmmss>-<hash>` (see ReleaseEngine.create). */
function pipelineOfId(id: string): string {
  return id.replace(/-\d{8}-\d{6}-[0-9a-f]{6}$/, '') || id;
}
