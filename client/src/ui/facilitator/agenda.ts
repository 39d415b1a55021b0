// The agenda as a facilitator edits it: one item a line, "title, minutes" (or ; or |, and an
// optional "min"); a line without minutes gets DEFAULT_MINUTES.

import { type AgendaItem, itemTitle } from '../../lib/control'

const MINUTE_MS = 60_000
const DEFAULT_MINUTES = 10

/** A duration in whole minutes, rounded. */
export const minutes = (ms: number): number => Math.round(ms / MINUTE_MS)

/** The items a draft describes, in order; blank lines are skipped. */
export function parseAgenda(draft: string): Array<{ title: string; duration_ms: number }> {
  return draft
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = l.match(/^(.*?)[,;|]\s*(\d+)\s*(min)?$/)
      return m ? { title: m[1].trim(), duration_ms: Number(m[2]) * MINUTE_MS } : { title: l, duration_ms: DEFAULT_MINUTES * MINUTE_MS }
    })
}

/** The draft that describes these items, for editing them again. */
export function agendaText(items: AgendaItem[], lang: string): string {
  return items.map((i) => `${itemTitle(i, lang)}, ${minutes(i.duration_ms)}`).join('\n')
}
