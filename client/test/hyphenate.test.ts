import { describe, expect, it } from 'vitest'
import { hyphenate } from '../src/lib/hyphenate'

const shown = (s: string) => s.replace(/\u00ad/g, '-')

describe('soft hyphens for the Lab display', () => {
  it('breaks long Finnish words at syllables, never mid-syllable', () => {
    expect(shown(hyphenate('organisaatiorajojen', 'fi'))).toBe('or-ga-ni-saa-tio-ra-jo-jen')
    expect(shown(hyphenate('Yhteistyö ylittää organisaatiorajojen', 'fi'))).toBe('Yh-teis-työ ylittää or-ga-ni-saa-tio-ra-jo-jen')
    expect(shown(hyphenate('KEHITTÄMINEN', 'fi'))).toBe('KE-HIT-TÄ-MI-NEN')
  })

  it('leaves short words, other languages and everything but letters alone', () => {
    expect(hyphenate('talo ja kissa', 'fi')).toBe('talo ja kissa')
    expect(hyphenate('organisationsgränserna', 'sv')).toBe('organisationsgränserna')
    expect(hyphenate('organisaatiorajojen', null)).toBe('organisaatiorajojen')
    expect(shown(hyphenate('2026: tulevaisuus!', 'fi'))).toBe('2026: tu-le-vai-suus!')
  })
})
