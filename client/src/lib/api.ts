// REST calls. Errors are RFC 9457 problem JSON; ApiError carries the server's `detail`, and
// the `code` and `params` of a refusal the client says in the viewer's language.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null, // a refusal's stable name, for the client to translate
    readonly params: Record<string, string | number> = {},
  ) {
    super(message)
  }
}

/** The HTTP status of a failed request (0 when it never got an answer). */
export const statusOf = (err: unknown): number => (err instanceof ApiError ? err.status : 0)

export async function request<T = unknown>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new ApiError(0, 'network')
  }
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    const d = data as { detail?: string; title?: string; code?: string; params?: Record<string, string | number> } | null
    throw new ApiError(res.status, d?.detail || d?.title || res.statusText, d?.code ?? null, d?.params ?? {})
  }
  return data as T
}

export interface CreatedSession {
  id: string
  title: string
  facilitator_token: string
  facilitator_url: string
  participant_url: string
  display_url: string
  observer_token?: string
  join_secret?: string
  join_code?: string
  bot_token?: string
}

export interface Joined {
  session_id: string
  participant_id: string
  token: string
  name: string
  tags: string[]
}

/** What a join code leads to (GET /api/join/{code}). */
export interface CodeTarget {
  session_id: string
  title: string
  language: string
}

export const createSession = (title: string, template: string | null, createKey: string | null) =>
  request<CreatedSession>('POST', '/api/sessions', createKey, template ? { title, template } : { title })

export const joinSession = (sessionId: string, secret: string, name: string, tags: string[]) =>
  request<Joined>('POST', `/api/sessions/${encodeURIComponent(sessionId)}/participants`, secret, { name, tags })

const codePath = (code: string) => `/api/join/${encodeURIComponent(code)}`

/** A join code as typed or printed, without its dash or stray spaces ("ABCD-2345" → "ABCD2345"). */
export const compactCode = (code: string) => code.replace(/[^A-Za-z0-9]/g, '')

/** The short link of a join code ("ABCD-2345" → origin/c/ABCD2345), asking joiners for
 *  `ask` (e.g. "org,kind") like the participant link does. */
export const codeLink = (origin: string, code: string, ask = '') =>
  `${origin}/c/${compactCode(code)}${ask ? `#ask=${ask}` : ''}`

export const findCode = (code: string) => request<CodeTarget>('GET', codePath(code), null)

export const joinWithCode = (code: string, name: string, tags: string[]) =>
  request<Joined>('POST', codePath(code), null, { name, tags })

/** A facilitation command: POST /api/sessions/{id}/{path}. */
export const command = <T = unknown>(sessionId: string, token: string, path: string, body: unknown = {}) =>
  request<T>('POST', `/api/sessions/${encodeURIComponent(sessionId)}/${path}`, token, body)

export const query = <T = unknown>(sessionId: string, token: string, path: string) =>
  request<T>('GET', `/api/sessions/${encodeURIComponent(sessionId)}/${path}`, token)
