/** What /api/dashboard/me says about signing in when nobody is signed in. */
export interface SignInHints {
  /** App Service authentication is in front of the app (Azure): its sign-in page works. */
  appServiceLogin?: string;
}

/** Shown to a visitor without a session: how to get one. */
export function SignIn(props: { hints: SignInHints; signedOut?: boolean }) {
  return (
    <main class="signin" data-testid="signin">
      <h1>mlops-autopilot</h1>
      {props.signedOut && <p>You are signed out.</p>}
      <p>This dashboard needs a sign-in. In a terminal where the autopilot CLI can reach the API, run:</p>
      <pre>autopilot open</pre>
      <p>
        It opens a one-time sign-in link in your browser (<code>autopilot open --url-only</code> prints it instead;{' '}
        <code>--as reader|data_scientist|ml_engineer</code> picks the local role). On Azure it signs you in with your Entra ID identity (
        <code>az login</code>; pass <code>--scope api://&lt;appId&gt;/.default</code>).
      </p>
      {props.hints.appServiceLogin && (
        <p>
          Or <a href={props.hints.appServiceLogin}>sign in with Microsoft Entra ID</a>.
        </p>
      )}
    </main>
  );
}
