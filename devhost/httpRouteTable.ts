import { FunctionRegistrationError } from './errors';
import type { RegisteredFunction } from './functionsCore';
import type { AuthLevel } from './hostKeys';
import { compareRoutes, compileRoute, type CompiledRoute } from './routeTemplate';
import { ensureError } from '../shared/errors';

export interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: Set<string>;
  authLevel: AuthLevel;
}

export type RouteLookup =
  | { kind: 'found'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

const AUTH_LEVELS = new Set(['anonymous', 'function', 'admin']);

/** The HTTP-triggered functions of the app, matched most-specific-route first. */
export class HttpRouteTable {
  readonly routes: HttpRoute[];

  constructor(
    functions: readonly RegisteredFunction[],
    readonly routePrefix: string,
  ) {
    this.routes = functions
      .map((fn) => {
        const template = typeof fn.trigger['route'] === 'string' && fn.trigger['route'] !== '' ? fn.trigger['route'] : fn.name;
        let route: CompiledRoute;
        try {
          route = compileRoute(template);
        } catch (error) {
          throw new FunctionRegistrationError(fn.name, ensureError(error).message);
        }
        const authLevel = String(fn.trigger['authLevel'] ?? 'anonymous').toLowerCase();
        if (!AUTH_LEVELS.has(authLevel)) {
          throw new FunctionRegistrationError(fn.name, `authLevel '${authLevel}' is not one of anonymous, function, admin`);
        }
        const methods = Array.isArray(fn.trigger['methods']) ? (fn.trigger['methods'] as string[]) : ['GET', 'POST'];
        return { fn, route, authLevel: authLevel as AuthLevel, methods: new Set(methods.map((m) => m.toUpperCase())) };
      })
      .sort((a, b) => compareRoutes(a.route, b.route));
  }

  /** Path prefix under which HTTP functions live, e.g. `/api/`. */
  get basePath(): string {
    return this.routePrefix === '' ? '/' : `/${this.routePrefix}/`;
  }

  /** Route lookup for a URL path (with the prefix); undefined when the path is outside the prefix. */
  lookup(method: string, pathname: string): RouteLookup {
    const base = this.basePath;
    const lowered = pathname.toLowerCase();
    let relative: string;
    if (base === '/') relative = pathname;
    else if (lowered === base.slice(0, -1) || lowered.startsWith(base)) relative = pathname.slice(base.length - 1);
    else return { kind: 'not-found' };
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = route.route.match(relative);
      if (!params) continue;
      if (route.methods.has(method.toUpperCase())) return { kind: 'found', route, params };
      route.methods.forEach((m) => allowed.add(m));
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' };
  }
}
