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
  const text = catalogs[lang][key] ?? en[key] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
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
