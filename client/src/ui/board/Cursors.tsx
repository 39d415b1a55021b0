// The others' pointers, drawn in world coordinates at a constant size on screen (--inv is the
// inverse of the zoom, set by the viewport).

import type { Cursor } from './usePresence'

export function Cursors({ cursors }: { cursors: Cursor[] }) {
  return (
    <div class="cursors" aria-hidden="true">
      {cursors.map((c) => (
        <div class="cursor" key={c.clientId} style={{ transform: `translate(${c.x}px, ${c.y}px) scale(var(--inv))` }}>
          <svg width="18" height="22" viewBox="0 0 18 22" aria-hidden="true">
            <path d="M1 1 L1 18 L6 13 L10 21 L13 19.5 L9 12 L16 12 Z" fill={c.color} stroke="#fff" stroke-width="1.5" />
          </svg>
          <span class="cursor-name" style={{ background: c.color }}>
            {c.name}
          </span>
        </div>
      ))}
    </div>
  )
}
