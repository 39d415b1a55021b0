// Where long Finnish words may break on the Lab display. CSS `hyphens: auto` needs the
// browser's dictionary for the language, which many installs (and kiosk browsers) lack;
// without one a long word in a narrow note breaks at any letter ("organisaatiorajoje/n").
// Finnish syllables follow one rule that needs no dictionary: a new syllable begins at a
// consonant followed by a vowel (or-ga-ni-saa-tio-ra-jo-jen), so soft hyphens go there.

const VOWEL = /[aeiouyäöå]/i
const LETTER = /[a-zäöå]/i
const LONG = 8 // shorter words fit a note's line anyway
const SHY = '\u00ad'

/** `text` with soft hyphens at the syllable breaks of its long words, for Finnish; any
 *  other language is returned as it is (its breaks are left to `hyphens: auto`). */
export function hyphenate(text: string, lang: string | null | undefined): string {
  if (lang !== 'fi') return text
  return text.replace(/[a-zäöå]+/gi, (word) => (word.length < LONG ? word : finnishSyllables(word)))
}

function finnishSyllables(word: string): string {
  let out = word[0]
  let vowelSeen = VOWEL.test(word[0])
  for (let i = 1; i < word.length; i++) {
    const c = word[i]
    const next = word[i + 1] ?? ''
    const consonant = LETTER.test(c) && !VOWEL.test(c)
    if (consonant && VOWEL.test(next) && vowelSeen && i >= 2) out += SHY
    if (VOWEL.test(c)) vowelSeen = true
    out += c
  }
  return out
}
