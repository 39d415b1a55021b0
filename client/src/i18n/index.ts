// Finnish, Swedish and English. Every key of `en` exists in `fi` and `sv` (the type says
// so, and test/i18n.test.ts checks it at run time too). `{name}` placeholders are filled in.

import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { en } from './en'
import { fi } from './fi'
import { sv } from './sv'

export type Lang = 'fi' | 'sv' | 'en'
export type Key = keyof typeof en
export type Catalog = Record<Key, string>
export type Params = Record<string, string | number>

export const LANGS: Lang[] = ['fi', 'sv', 'en']
export const catalogs: Record<Lang, Catalog> = { fi, sv, en }

/** The saved choice, else the browser's first supported language, else Finnish. */
export function detectLang(saved: string | null, preferred: readonly string[]): Lang {
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'fi' || base === 'sv' || base === 'en') return base
    if (base === 'nb' || base === 'no' || base === 'da') return 'sv'
  }
  return 'fi'
}

export function translate(lang: Lang, key: Key, params?: Params): string {
  const text = plural(lang, catalogs[lang][key] ?? en[key] ?? key, params)
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/** A text with forms "one|other" in the form its `count` (or `n`) takes in `lang`, by the
 *  language's own plural rules: "1 dot", "2 dots"; "1 piste", "2 pistettä". */
function plural(lang: Lang, text: string, params?: Params): string {
  const forms = text.split('|')
  if (forms.length === 1) return text
  const n = Number(params?.count ?? params?.n)
  return new Intl.PluralRules(lang).select(n) === 'one' ? forms[0] : forms[forms.length - 1]
}

/** What a failed request says in the viewer's language: a refusal the server names by a
 *  `code` (docs/api.md) is said in the catalogue's words, anything else with its detail. */
export function errorText(t: I18n['t'], err: unknown): string {
  const e = err as { code?: unknown; params?: Params; message?: string } | null
  const key = typeof e?.code === 'string' ? `error.code.${e.code}` : ''
  if (key in en) return t(key as Key, e?.params ?? {})
  return t('error.generic', { detail: e?.message ?? String(err) })
}

export interface I18n {
  lang: Lang
  setLang: (lang: Lang) => void
  t: (key: Key, params?: Params) => string
}

export const I18nContext = createContext<I18n>({
  lang: 'en',
  setLang: () => {},
  t: (key, params) => translate('en', key, params),
})

export const useI18n = () => useContext(I18nContext)
export const useT = () => useContext(I18nContext).t
