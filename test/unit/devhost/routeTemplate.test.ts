import { HttpRouteTable } from '../../../devhost/httpRouteTable';
import type { RegisteredFunction } from '../../../devhost/functionsCore';
import { compileRoute } from '../../../devhost/routeTemplate';

function httpFunction(name: string, trigger: Record<string, unknown>): RegisteredFunction {
  return {
    name,
    triggerName: 'httpTrigger1',
    trigger: { type: 'httpTrigger', direction: 'in', ...trigger },
    bindings: {},
    handler: () => undefined,
  };
}

describe('compileRoute', () => {
  it('matches literals case-insensitively and captures decoded parameters', () => {
    const route = compileRoute('releases/{id}');
    expect(route.match('Releases/r%201')).toEqual({ id: 'r 1' });
    expect(route.match('releases')).toBeUndefined();
    expect(route.match('releases/1/extra')).toBeUndefined();
  });

  it('treats {name?} as optional', () => {
    const route = compileRoute('releases/{id?}');
    expect(route.match('releases')).toEqual({});
    expect(route.match('releases/7')).toEqual({ id: '7' });
  });

  it('applies constraints like alpha, int and minlength', () => {
    expect(compileRoute('hello/{name:alpha}').match('hello/world')).toEqual({ name: 'world' });
    expect(compileRoute('hello/{name:alpha}').match('hello/w0rld')).toBeUndefined();
    expect(compileRoute('items/{id:int}').match('items/-3')).toEqual({ id: '-3' });
    expect(compileRoute('items/{id:int}').match('items/x')).toBeUndefined();
    expect(compileRoute('items/{code:minlength(3)}').match('items/ab')).toBeUndefined();
    expect(compileRoute('items/{id:range(1,5)}').match('items/6')).toBeUndefined();
  });

  it('captures the rest of the path with a {*catchAll}', () => {
    expect(compileRoute('files/{*path}').match('files/a/b%20c/d.csv')).toEqual({ path: 'a/b c/d.csv' });
  });

  it('refuses templates ASP.NET refuses, naming the template', () => {
    expect(() => compileRoute('a/{id?}/b')).toThrow("Invalid route template 'a/{id?}/b'");
    expect(() => compileRoute('a/{id:nonsense}')).toThrow(/unknown constraint 'nonsense'/);
    expect(() => compileRoute('a/x{id}')).toThrow(/all literal or one \{parameter\}/);
  });
});

describe('HttpRouteTable', () => {
  const table = new HttpRouteTable(
    [
      httpFunction('getRelease', { route: 'releases/{id}', methods: ['GET'] }),
      httpFunction('latest', { route: 'releases/latest', methods: ['GET'] }),
      httpFunction('health', { methods: ['GET'] }),
      httpFunction('startRelease', { route: 'releases', methods: ['POST'], authLevel: 'function' }),
    ],
    'api',
  );

  it('prefers a literal segment over a parameter, whatever the registration order', () => {
    const found = table.lookup('GET', '/api/releases/latest');
    expect(found.kind === 'found' && found.route.fn.name).toBe('latest');
    const byId = table.lookup('GET', '/api/releases/r-1');
    expect(byId.kind === 'found' && [byId.route.fn.name, byId.params]).toEqual(['getRelease', { id: 'r-1' }]);
  });

  it('uses the function name as the route when none is given and honours the route prefix', () => {
    expect(table.lookup('GET', '/api/health').kind).toBe('found');
    expect(table.lookup('GET', '/health').kind).toBe('not-found');
    expect(new HttpRouteTable([httpFunction('health', {})], '').lookup('GET', '/health').kind).toBe('found');
  });

  it('reports the accepted methods when only the method differs', () => {
    expect(table.lookup('GET', '/api/releases')).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
  });

  it('keeps the declared auth level and defaults to anonymous', () => {
    const found = table.lookup('POST', '/api/releases');
    expect(found.kind === 'found' && found.route.authLevel).toBe('function');
    const health = table.lookup('GET', '/api/health');
    expect(health.kind === 'found' && health.route.authLevel).toBe('anonymous');
  });
});
