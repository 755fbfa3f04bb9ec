// The page's addresses: #/ (groups, ?page=), #/messages?group=&search=&status=&page=, #/message/<id>, #/endpoints,
// #/sagas?type=&stuck=, #/saga/<instance id>.
// #/http-keys?status=&older=&scope=, #/http-key?scope=&key=.

export type RouteName = 'groups' | 'messages' | 'message' | 'endpoints' | 'sagas' | 'saga' | 'http-keys' | 'http-key';

export interface Route {
  readonly view: RouteName;
  /** The message's record id (#/message/<id>), the saga's instance id (#/saga/<id>). */
  readonly id?: string;
  readonly params: URLSearchParams;
}

export function route(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'message' && parts[1]) return { view: 'message', id: decodeURIComponent(parts[1]), params };
  if (parts[0] === 'messages') return { view: 'messages', params };
  if (parts[0] === 'endpoints') return { view: 'endpoints', params };
  if (parts[0] === 'saga' && parts[1]) return { view: 'saga', id: decodeURIComponent(parts[1]), params };
  if (parts[0] === 'sagas') return { view: 'sagas', params };
  if (parts[0] === 'http-keys') return { view: 'http-keys', params };
  if (parts[0] === 'http-key') return { view: 'http-key', id: `${params.get('scope') ?? ''}\u0000${params.get('key') ?? ''}`, params };
  return { view: 'groups', params };
}

export type LinkParams = Readonly<Record<string, string | number | null | undefined>>;

export function link(view: RouteName, params: LinkParams = {}): string {
  if (view === 'message' || view === 'saga') return `#/${view}/${encodeURIComponent(String(params.id ?? ''))}`;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  const qs = query.toString();
  return `#/${view === 'groups' ? '' : view}${qs ? `?${qs}` : ''}`;
}

export function paramsOf(r: Route): Record<string, string> {
  const o: Record<string, string> = {};
  r.params.forEach((v, k) => {
    o[k] = v;
  });
  return o;
}
