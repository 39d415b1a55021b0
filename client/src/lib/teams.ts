// The one seam between Paja and a Teams host. The /teams/* pages talk only to `TeamsHost`;
// `@microsoft/teams-js` is imported (a chunk of its own) and initialised only when the page
// runs framed by a host, so no other page ever loads it. Tests put a fake host on
// `window.__pajaTeamsHost` before the page's scripts run.

import { detectLang, type Lang } from '../i18n'

export type TeamsTheme = 'default' | 'dark' | 'contrast'

export interface TeamsContext {
  /** The user's display name in Teams: Paja's join takes it, no sign-in of its own. */
  userName: string
  /** Teams' UI locale, e.g. "sv-SE". */
  locale: string
  theme: TeamsTheme
}

/** What the tab saves when the organiser presses Save on the configuration page. */
export interface TabSettings {
  entityId: string
  contentUrl: string
  websiteUrl: string
  suggestedDisplayName: string
}

export interface TeamsHost {
  context(): Promise<TeamsContext>
  onThemeChange(handler: (theme: TeamsTheme) => void): void
  /** Show `url` on the meeting stage for everyone in the call. */
  shareToStage(url: string): Promise<void>
  /** Enable Save on the configuration page; Save stores `tab` (null: nothing to save yet). */
  offerTab(tab: TabSettings | null): void
}

declare global {
  interface Window {
    __pajaTeamsHost?: TeamsHost
  }
}

/** A Teams theme name as Paja knows it (Teams says "default", "dark" or "contrast"). */
export const themeOf = (name: string | undefined): TeamsTheme =>
  name === 'dark' || name === 'contrast' ? name : 'default'

/** Teams' locale picks the UI language; one Paja has not goes to English, the language
 *  of international partners, rather than to Finnish as a browser's would. */
export function langOf(locale: string): Lang {
  const base = locale.toLowerCase().split('-')[0]
  return base === 'fi' || base === 'sv' || base === 'en' || base === 'nb' || base === 'no' || base === 'da'
    ? detectLang(null, [locale])
    : 'en'
}

/** Follow a Teams theme: the stylesheet keys its colours on `data-theme`. */
export function applyTheme(theme: TeamsTheme, root: HTMLElement = document.documentElement): void {
  if (theme === 'default') delete root.dataset.theme
  else root.dataset.theme = theme
}

/** Is this page in a frame (Teams shows tabs in one) or opened by a host window? */
const framed = (): boolean => {
  try {
    return window.parent !== window || window.opener != null
  } catch {
    return true // a cross-origin parent that will not even be compared: framed
  }
}

let host: Promise<TeamsHost | null> | null = null

/** The Teams host of this page, or null in a plain browser. Asked once per page. */
export function teamsHost(): Promise<TeamsHost | null> {
  host ??= window.__pajaTeamsHost ? Promise.resolve(window.__pajaTeamsHost) : framed() ? teamsJsHost() : Promise.resolve(null)
  return host
}

/** The real host, through teams-js. A frame that is not Teams never answers its
 *  handshake: after a while the page goes on as in a browser. */
async function teamsJsHost(): Promise<TeamsHost | null> {
  const { app, meeting, pages } = await import('@microsoft/teams-js')
  const timeout = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 8000))
  try {
    if ((await Promise.race([app.initialize(), timeout])) === 'late') return null
  } catch {
    return null
  }
  return {
    async context() {
      const c = await app.getContext()
      return { userName: c.user?.displayName ?? '', locale: c.app.locale, theme: themeOf(c.app.theme) }
    },
    onThemeChange(handler) {
      app.registerOnThemeChangeHandler((name) => handler(themeOf(name)))
    },
    shareToStage(url) {
      return new Promise((resolve, reject) =>
        meeting.shareAppContentToStage((err) => (err ? reject(new Error(err.message ?? String(err.errorCode))) : resolve()), url),
      )
    },
    offerTab(tab) {
      if (tab) {
        pages.config.registerOnSaveHandler((save) => {
          pages.config.setConfig(tab).then(
            () => save.notifySuccess(),
            (err: unknown) => save.notifyFailure(String(err)),
          )
        })
      }
      pages.config.setValidityState(tab !== null)
    },
  }
}
