/**
 * @module The dashboard: signs the visitor in (GET /api/dashboard/me), then shows the page
 * the hash names. Pages are listed in ./pages/registry.ts.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiPost, UNAUTHENTICATED_EVENT, useApi } from './api';
import { SignIn, type SignInHints } from './components/SignIn';
import { pages } from './pages/registry';
import { findRoute, href, useHashPath } from './router';
import { SessionContext, toSession, type Principal } from './session';
import './styles.css';

function Layout(props: { principal: Principal; onSignOut: () => void }) {
  const path = useHashPath();
  const session = useMemo(() => toSession(props.principal), [props.principal]);
  const match = findRoute(pages, path);
  useEffect(() => {
    document.title = `${match?.route.title ?? 'Not found'} · mlops-autopilot`;
  }, [match?.route.title]);
  const Page = match?.route.component;
  return (
    <SessionContext.Provider value={session}>
      <nav class="top">
        <a class="brand" href={href('/')}>
          mlops-autopilot
        </a>
        {pages
          .filter((p) => p.nav)
          .map((p) => (
            <a class={match?.route === p ? 'current' : ''} href={href(p.path)}>
              {p.nav}
            </a>
          ))}
        <span class="who" data-testid="who">
          {session.name} ({session.roles.map((r) => r.role).join(', ')})
        </span>
        <button type="button" class="signout" onClick={props.onSignOut}>
          Sign out
        </button>
      </nav>
      <main>
        {Page ? (
          <Page params={match.params} />
        ) : (
          <p class="error">
            No page at {path}. <a href={href('/')}>Home</a>
          </p>
        )}
      </main>
    </SessionContext.Provider>
  );
}

function App() {
  // Anonymous: says who is signed in, or how to sign in (principal null).
  const me = useApi<{ principal: Principal | null; signIn: SignInHints }>('/dashboard/me');
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => {
    const onUnauthenticated = () => me.reload();
    window.addEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
  }, [me.reload]);
  const signOut = () => {
    void apiPost('/dashboard/signout').finally(() => setSignedOut(true));
  };
  if (signedOut) return <SignIn hints={{}} signedOut />;
  if (me.data?.principal) return <Layout principal={me.data.principal} onSignOut={signOut} />;
  if (me.data) return <SignIn hints={me.data.signIn} />;
  if (me.error)
    return (
      <p class="error" role="alert">
        Could not reach the API: {me.error.message} [{me.error.code}]
      </p>
    );
  return <p class="loading">Loading…</p>;
}

render(<App />, document.getElementById('app')!);
