/**
 * Where the reviewer is, kept in the URL hash so a reload (or the desktop
 * window restoring) lands on the same screen. The hash never reaches a server.
 */
export type Route =
  | { page: 'home' }
  | { page: 'new' }
  | { page: 'engagement'; id: string }
  | { page: 'edit'; id: string };

const ID = '([0-9a-f-]{36})';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/engagements/new') return { page: 'new' };
  const edit = new RegExp(`^/engagements/${ID}/edit$`).exec(path);
  if (edit?.[1]) return { page: 'edit', id: edit[1] };
  const view = new RegExp(`^/engagements/${ID}$`).exec(path);
  if (view?.[1]) return { page: 'engagement', id: view[1] };
  return { page: 'home' };
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'new':
      return '#/engagements/new';
    case 'engagement':
      return `#/engagements/${route.id}`;
    case 'edit':
      return `#/engagements/${route.id}/edit`;
  }
}
