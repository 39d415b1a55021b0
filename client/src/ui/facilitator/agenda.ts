// The agenda as a facilitator edits it: one item a line, "title, minutes" (or ; or |, and an
// optional "min"); a line without minutes gets DEFAULT_MINUTES.

import { type AgendaItem, itemTitle } from '../../lib/control'

const MINUTE_MS = 60_000
const DEFAULT_MINUTES = 10

/** A duration in whole minutes, rounded. */
export const minutes = (ms: number): number => Math.round(ms / MINUTE_MS)

type Edited = Partial<AgendaItem> & { title: string; duration_ms: number }

/** The items a draft describes, in order; blank lines are skipped. A line that keeps the
 * title of an item already there keeps that item's id, board, instructions and steps, so
 * changing a duration does not lose what a template put on the item. */
export function parseAgenda(draft: string, existing: AgendaItem[] = [], lang = 'en'): Edited[] {
  const byTitle = new Map(existing.map((i) => [itemTitle(i, lang), i]))
  return draft
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = l.match(/^(.*?)[,;|]\s*(\d+)\s*(min)?$/)
      const line = m ? { title: m[1].trim(), duration_ms: Number(m[2]) * MINUTE_MS } : { title: l, duration_ms: DEFAULT_MINUTES * MINUTE_MS }
      const kept = byTitle.get(line.title)
      byTitle.delete(line.title) // an item is kept once, by its first line
      if (kept) return { ...kept, ...line, title: kept.title }
      return existing.length > 0 ? { ...line, id: freshId() } : line
    })
}

/** An id no kept item has (kept items keep theirs, so ids by position could clash). */
const freshId = () => `n${Math.random().toString(36).slice(2, 10)}`

/** The draft that describes these items, for editing them again. */
export function agendaText(items: AgendaItem[], lang: string): string {
  return items.map((i) => `${itemTitle(i, lang)}, ${minutes(i.duration_ms)}`).join('\n')
}
