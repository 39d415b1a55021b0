import { describe, expect, it } from 'vitest'
import { catalogs, detectLang, errorText, LANGS, translate } from '../src/i18n'
import { ApiError } from '../src/lib/api'
import { en } from '../src/i18n/en'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('translations', () => {
  it('every key exists, non-empty, in Finnish, Swedish and English', () => {
    const keys = Object.keys(en).sort()
    for (const lang of LANGS) {
      const cat = catalogs[lang] as Record<string, string>
      expect(Object.keys(cat).sort(), lang).toEqual(keys)
      for (const k of keys) expect(cat[k].trim().length, `${lang} ${k}`).toBeGreaterThan(0)
    }
  })

  it('every translation keeps the same placeholders', () => {
    for (const lang of LANGS) {
      for (const [k, v] of Object.entries(en)) {
        expect(placeholders((catalogs[lang] as Record<string, string>)[k]), `${lang} ${k}`).toEqual(placeholders(v))
      }
    }
  })

  it('Finnish and Swedish are really translated (few strings equal the English)', () => {
    const same = (lang: 'fi' | 'sv') =>
      Object.entries(en).filter(([k, v]) => (catalogs[lang] as Record<string, string>)[k] === v && /[a-z]{4,}/i.test(v.replace(/\{\w+\}/g, '')))
    // a few words are the same in both languages (Paja; Timer, Facilitator, orange in Swedish)
    expect(same('fi').map(([k]) => k)).toEqual(['app.name'])
    expect(same('sv').map(([k]) => k).sort()).toEqual(['app.name', 'color.orange', 'role.facilitator', 'tab.timer', 'timer.title'].sort())
  })

  it('fills placeholders', () => {
    expect(translate('fi', 'agenda.step', { n: 2, total: 5 })).toBe('Vaihe 2/5')
    expect(translate('sv', 'vote.placed', { count: 1 })).toBe('Pricken placerades. 1 kvar.')
  })

  it('picks the language from the saved choice, then the browser, then Finnish', () => {
    expect(detectLang('sv', ['en-US'])).toBe('sv')
    expect(detectLang(null, ['de-DE', 'sv-FI', 'fi'])).toBe('sv')
    expect(detectLang(null, ['en-GB'])).toBe('en')
    expect(detectLang('xx', ['fr'])).toBe('fi')
  })
})

describe('plurals and refusals', () => {
  it('says one and many in each language', () => {
    expect(translate('en', 'vote.dots', { count: 1 })).toBe('1 dot')
    expect(translate('en', 'vote.dots', { count: 2 })).toBe('2 dots')
    expect(translate('fi', 'vote.dots', { count: 1 })).toBe('1 piste')
    expect(translate('fi', 'vote.dots', { count: 0 })).toBe('0 pistettä')
    expect(translate('sv', 'poll.answers', { n: 1 })).toBe('1 svar')
    expect(translate('sv', 'display.breakouts', { n: 1 })).toBe('1 smågrupp')
  })

  it('translates a refusal by its code and falls back to the detail', () => {
    const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate('fi', key, params)
    const refusal = new ApiError(422, 'a round needs at least one participant', 'round_needs_people', {})
    expect(errorText(t, refusal)).toBe('Kukaan ei ole vielä liittynyt, joten huoneisiin ei ole ketään jaettavaksi.')
    expect(errorText(t, new ApiError(409, 'x', 'round_in_progress', { round: 2 }))).toBe('Kierros 2 on yhä kesken: sulje tai hylkää se ensin.')
    expect(errorText(t, new ApiError(422, 'something new', 'no_such_code', {}))).toBe('Se ei onnistunut: something new')
  })
})
