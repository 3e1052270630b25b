import { useState } from 'preact/hooks';
import { environmentAtStage } from '../../../shared/auth/stageEnvironment';
import { apiPost, ApiError } from '../api';
import { useSession, type Action, type EnvironmentName } from '../session';
import type { ReleaseView } from '../types';

interface ActionButton {
  key: 'approve' | 'promote' | 'rollback' | 'cancel';
  label: string;
  /** What the API route enforces (functions/http/releaseActions.ts), so a hidden button is one the API refuses. */
  action: Action;
  environment: EnvironmentName;
  applies: (release: ReleaseView) => boolean;
  confirm?: string;
}

const active = (r: ReleaseView) => r.status === 'running' || r.status === 'queued';

const BUTTONS: ActionButton[] = [
  {
    key: 'approve',
    label: 'Approve',
    action: 'release:approve',
    environment: 'prod',
    applies: (r) => active(r) && r.stage === 'approval' && !r.approval?.at,
  },
  {
    key: 'promote',
    label: 'Promote now',
    action: 'release:approve',
    environment: 'prod',
    applies: (r) => active(r) && r.stage === 'canary',
  },
  {
    key: 'rollback',
    label: 'Roll back',
    action: 'release:rollback',
    environment: 'prod',
    applies: (r) => active(r) && r.stage === 'canary',
    confirm: 'Roll back this canary?',
  },
  // Cancelling needs the role of the environment the release is in (the API checks the same).
  { key: 'cancel', label: 'Cancel', action: 'release:cancel', environment: 'dev', applies: active, confirm: 'Cancel this release?' },
];

/** The actions the signed-in role may take on the release now; each POSTs and reloads. */
export function ReleaseActions(props: { release: ReleaseView; onDone: () => void }) {
  const session = useSession();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const { release } = props;
  const shown = BUTTONS.filter(
    (b) => b.applies(release) && session.can(b.action, b.key === 'cancel' ? environmentAtStage(release.stage) : b.environment),
  );
  if (shown.length === 0) return null;
  const run = async (button: ActionButton) => {
    if (button.confirm && !window.confirm(button.confirm)) return;
    setBusy(button.key);
    setError(undefined);
    try {
      await apiPost(`/releases/${encodeURIComponent(release.id)}/${button.key}`, {});
      props.onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ClientError', String(e)));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div class="actions">
      {shown.map((b) => (
        <button type="button" class={`action ${b.key}`} data-action={b.key} disabled={busy !== undefined} onClick={() => void run(b)}>
          {busy === b.key ? `${b.label}…` : b.label}
        </button>
      ))}
      {error && (
        <p class="error" role="alert">
          {error.message} [{error.code}]
        </p>
      )}
    </div>
  );
}
