import { describe, expect, it } from 'vitest'
import { applyTheme, langOf, themeOf } from '../src/lib/teams'
import { readLink, tabFor } from '../src/ui/teams/TeamsConfig'

describe('the Teams seam', () => {
  it("picks the UI language from Teams' locale, English when Paja has none of it", () => {
    expect(langOf('sv-SE')).toBe('sv')
    expect(langOf('sv-FI')).toBe('sv')
    expect(langOf('fi-FI')).toBe('fi')
    expect(langOf('en-GB')).toBe('en')
    expect(langOf('nb-NO')).toBe('sv')
    expect(langOf('de-DE')).toBe('en')
    expect(langOf('')).toBe('en')
  })

  it("knows Teams' three themes and takes anything else as the default", () => {
    expect(themeOf('dark')).toBe('dark')
    expect(themeOf('contrast')).toBe('contrast')
    expect(themeOf('default')).toBe('default')
    expect(themeOf(undefined)).toBe('default')
    expect(themeOf('glow')).toBe('default')
  })

  it('marks the page with the theme, and the default with none', () => {
    const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement
    applyTheme('dark', root)
    expect(root.dataset.theme).toBe('dark')
    applyTheme('contrast', root)
    expect(root.dataset.theme).toBe('contrast')
    applyTheme('default', root)
    expect(root.dataset.theme).toBeUndefined()
  })
})

describe('the configuration page', () => {
  it('reads a facilitator link, a join code and its short link', () => {
    expect(readLink(' https://paja.example.fi/s/abc123#token=sekret ')).toEqual({ session: 'abc123', token: 'sekret' })
    expect(readLink('https://paja.example.fi/s/abc123#ask=org&token=t2')).toEqual({ session: 'abc123', token: 't2' })
    expect(readLink('ABCD-2345')).toEqual({ code: 'ABCD2345' })
    expect(readLink('https://paja.example.fi/c/ABCD2345#ask=org')).toEqual({ code: 'ABCD2345' })
    expect(readLink('https://paja.example.fi/s/abc123')).toBeNull() // no token: not a facilitator link
    expect(readLink('abc')).toBeNull()
  })

  it('saves a tab whose side panel finds the session by id and code', () => {
    const tab = tabFor('https://paja.example.fi', { id: 's1', title: 'Työpaja', code: 'ABCD-2345' })
    expect(tab).toEqual({
      entityId: 's1',
      contentUrl: 'https://paja.example.fi/teams/side?session=s1&join=ABCD2345',
      websiteUrl: 'https://paja.example.fi/c/ABCD2345',
      suggestedDisplayName: 'Työpaja',
    })
  })
})
