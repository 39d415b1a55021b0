// Plain rules about notes that the board's hooks share: colours, order, selection.

import type { Key } from '../../i18n'
import { NOTE_COLORS, type NoteSnap } from '../../lib/board'

const COLORS = NOTE_COLORS as readonly string[]

/** The message key naming a note colour; an unknown colour is shown as yellow. */
export const colorKey = (c: string): Key => `color.${COLORS.includes(c) ? c : 'yellow'}` as Key

/** The colour after `c` in the palette, round to the first. */
export const nextColor = (c: string): string => NOTE_COLORS[(COLORS.indexOf(c) + 1) % NOTE_COLORS.length]

/** Notes in the order they were made (ties by id), so every screen stacks them alike. */
export const inCreationOrder = (notes: Iterable<NoteSnap>): NoteSnap[] =>
  [...notes].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))

/** A copy of `set` with `id` added if it was absent and removed if it was present. */
export function toggled(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set)
  if (next.has(id)) next.delete(id)
  else next.add(id)
  return next
}

/** The note that takes the focus after `gone` are deleted: the next one after the last of them. */
export function survivorAfter(order: string[], gone: string[]): string | undefined {
  const last = order.indexOf(gone[gone.length - 1])
  return order.find((id, i) => i > last && !gone.includes(id))
}

/** The notes a command on `id` acts on: the selection if it holds `id`, else `id` alone. */
export function actedOn(selected: ReadonlySet<string>, id?: string): string[] {
  if (id && !selected.has(id)) return [id]
  return selected.size ? [...selected] : id ? [id] : []
}
