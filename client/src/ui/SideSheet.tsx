// The session's tools beside the board: a side panel on a wide screen, and on a phone a
// bottom sheet that starts folded, so the board comes first. Only CSS tells the two apart
// (styles.css, "phones and narrow windows"), so turning a tablet or zooming the page never loses the tools.

import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'

export function SideSheet({ label, children }: { label: string; children: ComponentChildren }) {
  const [open, setOpen] = useState(false)
  return (
    <aside class={`side${open ? ' open' : ''}`} aria-label={label}>
      <button type="button" class="sheet-toggle" aria-expanded={open} aria-controls="side-body" onClick={() => setOpen(!open)}>
        <span class="sheet-grip" aria-hidden="true" />
        {label}
      </button>
      <div id="side-body" class="side-body">
        {children}
      </div>
    </aside>
  )
}
