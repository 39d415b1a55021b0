// What the pointer is over on the board, read from the page rather than from an event's
// target: the canvas captures the pointer on a press, so the clicks that follow are all
// aimed at the canvas, whatever was under the pointer.

export type Hit =
  | { kind: 'note'; id: string }
  | { kind: 'section'; id: string } // its title
  | { kind: 'control' } // a text field or a button of its own (an open editor, a vote dot)
  | { kind: 'canvas' } // empty canvas, or a section's open area

export function underPointer(at: { clientX: number; clientY: number }, doc: Document = document): Hit {
  const el = doc.elementFromPoint(at.clientX, at.clientY)
  if (!el) return { kind: 'canvas' }
  if (el.closest('textarea, input, button, select')) return { kind: 'control' }
  const note = el.closest<HTMLElement>('[data-note]')?.dataset.note
  if (note) return { kind: 'note', id: note }
  const section = el.closest('.section-head') && el.closest<HTMLElement>('[data-section]')?.dataset.section
  if (section) return { kind: 'section', id: section }
  return { kind: 'canvas' }
}
