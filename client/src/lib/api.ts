// REST calls, typed by the server's OpenAPI document: api-types.ts is made from it by
// scripts/api-types (and checked current by scripts/test). A call names an operation by its
// path template and fills in the parameters; paths, bodies and results are the document's.
// Errors are RFC 9457 problem JSON; ApiError carries the server's `detail`, and the `code`
// and `params` of a refusal the client says in the viewer's language.
import type { components, paths } from './api-types'

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

export type Schemas = components['schemas']
export type Joined = Schemas['Participant']
/** What a join code leads to (GET /api/join/{code}). */
export type CodeTarget = Schemas['CodeTarget']

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
const SESSION = '/api/sessions/{session_id}'

/** The document's paths that have an operation for `M`. */
type PathOf<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths]
type Operation<M extends Method, P> = P extends PathOf<M> ? NonNullable<paths[P][M]> : never
/** Session commands' paths, relative to the session: 'timers/{timer_id}/pause'. */
type SessionPath<M extends Method> = PathOf<M> extends infer P ? (P extends `${typeof SESSION}/${infer R}` ? R : never) : never

/** An operation's path parameters, less those the caller fills in. */
type Params<O, Filled extends string> = O extends { parameters: { path: infer X } } ? Omit<X, Filled> : {}
/** An operation's JSON body: required, optional (may be left out) or none. */
type Body<O> = O extends { requestBody?: never }
  ? undefined
  : O extends { requestBody: { content: { 'application/json': infer B } } }
    ? B
    : O extends { requestBody?: { content: { 'application/json': infer B } } }
      ? B | undefined
      : undefined
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 204: infer A } ? A : never
/** What an operation answers with (undefined: no content). */
type Result<O> = O extends { responses: infer R }
  ? Success<R> extends { content: { 'application/json': infer J } }
    ? J
    : undefined
  : never
type BodyArg<O> = undefined extends Body<O> ? [body?: Body<O>] : [body: Body<O>]
/** The arguments after the path: its parameters when it has any, then the body. */
type Args<O, Filled extends string = never> = keyof Params<O, Filled> extends never
  ? BodyArg<O>
  : [params: Params<O, Filled>, ...BodyArg<O>]
type Answer<M extends Method, P> = Promise<Result<Operation<M, P>>>

async function send(method: Method, path: string, token: string | null, body: unknown): Promise<unknown> {
  const headers: Record<string, string> = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, { method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body) })
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
  return data
}

/** The path of a template with its parameters filled in (each one encoded). */
const fill = (template: string, params: Record<string, string>) =>
  template.replace(/{(\w+)}/g, (_, name: string) => encodeURIComponent(params[name]))

/** Split the arguments after a path into its parameters (when it has some the caller did
 *  not fill in) and the body, as `Args` lays them out. */
function split(template: string, filled: string[], args: unknown[]): [Record<string, string>, unknown] {
  const named = [...template.matchAll(/{(\w+)}/g)].some(([, name]) => !filled.includes(name))
  return named ? [args[0] as Record<string, string>, args[1]] : [{}, args[0]]
}

/** One operation: `call('get', '/api/join/{code}', null, { code })`. */
export function call<M extends Method, const P extends PathOf<M>>(method: M, path: P, token: string | null, ...args: NoInfer<Args<Operation<M, P>>>): Answer<M, P> {
  const [params, body] = split(path, [], args)
  return send(method, fill(path, params), token, body) as Answer<M, P>
}

/** One command of a session, as its caller: `sessionCall('post', id, token, 'timers/{timer_id}/pause', { timer_id })`. */
export function sessionCall<M extends Method, const R extends SessionPath<M>>(
  method: M,
  sessionId: string,
  token: string | null,
  path: R,
  ...args: NoInfer<Args<Operation<M, `${typeof SESSION}/${R}`>, 'session_id'>>
): Answer<M, `${typeof SESSION}/${R}`> {
  const template = `${SESSION}/${path}`
  const [params, body] = split(template, ['session_id'], args)
  return send(method, fill(template, { ...params, session_id: sessionId }), token, body) as Answer<M, `${typeof SESSION}/${R}`>
}

/** A facilitation command: POST /api/sessions/{id}/{path}. */
export const command = <const R extends SessionPath<'post'>>(sessionId: string, token: string, path: R, ...args: NoInfer<Args<Operation<'post', `${typeof SESSION}/${R}`>, 'session_id'>>) =>
  sessionCall('post', sessionId, token, path, ...args)

/** `command` with the session and the caller's token given once, for a panel's buttons. */
export const commandsFor =
  (sessionId: string, token: string) =>
  <const R extends SessionPath<'post'>>(path: R, ...args: NoInfer<Args<Operation<'post', `${typeof SESSION}/${R}`>, 'session_id'>>) =>
    command(sessionId, token, path, ...args)

export const joinSession = (sessionId: string, secret: string, name: string, tags: string[]) =>
  sessionCall('post', sessionId, secret, 'participants', { name, tags })

/** A join code as typed or printed, without its dash or stray spaces ("ABCD-2345" → "ABCD2345"). */
export const compactCode = (code: string) => code.replace(/[^A-Za-z0-9]/g, '')

/** The short link of a join code ("ABCD-2345" → origin/c/ABCD2345), asking joiners for
 *  `ask` (e.g. "org,kind") like the participant link does. */
export const codeLink = (origin: string, code: string, ask = '') =>
  `${origin}/c/${compactCode(code)}${ask ? `#ask=${ask}` : ''}`

export const findCode = (code: string) => call('get', '/api/join/{code}', null, { code })

export const joinWithCode = (code: string, name: string, tags: string[]) =>
  call('post', '/api/join/{code}', null, { code }, { name, tags })

/** A session's export as a file to save (GET S/export): the token travels as a header,
 *  so the browser cannot follow a plain link; the file is fetched and handed over. */
export async function downloadExport(sessionId: string, token: string, format: 'json' | 'markdown' | 'csv'): Promise<void> {
  let res: Response
  try {
    res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`, { headers: { Authorization: `Bearer ${token}` } })
  } catch {
    throw new ApiError(0, 'network')
  }
  if (!res.ok) throw new ApiError(res.status, res.statusText)
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `paja-${sessionId}`
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
