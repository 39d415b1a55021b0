// Small line icons for buttons where a phone has no room for their words (the board's tools,
// the top bar's sound and leave). A button shows either its icon or its words (styles.css
// decides by the screen's width), and its accessible name is always the words.

import type { ComponentChildren } from 'preact'

const PATHS = {
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4',
  fit: 'M3 8V3h5M16 3h5v5M21 16v5h-5M8 21H3v-5',
  leave: 'M10 4H5v16h5M14 8l4 4-4 4M18 12H9',
  keyboard: 'M3 6h18v12H3zM6.5 9.5h1M10.5 9.5h1M14.5 9.5h1M18 9.5h-.5M6.5 12.5h1M10.5 12.5h1M14.5 12.5h1M8 15.5h8',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  undo: 'M9 5L4 10l5 5M4 10h10a6 6 0 0 1 0 12h-3',
} as const

export type IconName = keyof typeof PATHS

export function Labelled({ icon, children }: { icon: IconName; children: ComponentChildren }) {
  return (
    <>
      <svg class="icon-svg" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
        <path d={PATHS[icon]} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
      </svg>
      <span class="icon-label">{children}</span>
    </>
  )
}
