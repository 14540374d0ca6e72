import type { FastifyInstance } from 'fastify';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

/**
 * Every path the app serves and its methods, collected as routes are added. The not-found
 * handler uses it to tell an unknown path (404) from a known path with another method (405)
 * and from a path that only differs by a trailing slash (307), as Starlette does (spec §2.3).
 */
export class RouteTable {
  private readonly routes = new Map<string, KnownRoute>();

  add(url: string, methods: string | string[]): void {
    let route = this.routes.get(url);
    if (!route) {
      const source = url
        .split('/')
        .map((part) => {
          if (part.startsWith(':')) return '[^/]+';
          // A trailing wildcard (`/proxy/*`) takes the rest of the path, slashes included.
          if (part === '*') return '.*';
          return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      route = { pattern: new RegExp(`^${source}$`), methods: new Set() };
      this.routes.set(url, route);
    }
    for (const method of Array.isArray(methods) ? methods : [methods]) route.methods.add(method);
  }

  /** Methods served on this exact path; empty when the path is unknown. */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes.values()) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods];
  }

  static install(app: FastifyInstance): RouteTable {
    const table = new RouteTable();
    app.addHook('onRoute', (route) => {
      table.add(route.url, route.method);
    });
    return table;
  }
}
