// A room's board in miniature: its sections and notes at their places and colours, as the
// overview's poll sends them (at most 200 notes), scaled to fit the card.

import type { RoomFacts } from '../../lib/overview'

const NOTE_W = 180
const NOTE_H = 120
const SECTION_W = 400 // a section without a size (docs/schema.md)
const SECTION_H = 300
const PAD = 40

type Shape = Array<number | string | null>
const num = (v: number | string | null | undefined, fallback = 0) => (typeof v === 'number' ? v : fallback)
const colour = (v: number | string | null | undefined, fallback: string) => (typeof v === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(v) ? v : fallback)

export function RoomThumbnail({ thumbnail, label }: { thumbnail: RoomFacts['thumbnail'] | undefined; label: string }) {
  const notes = (thumbnail?.notes ?? []) as Shape[]
  const sections = (thumbnail?.sections ?? []) as Shape[]
  const boxes = [
    ...sections.map((s) => [num(s[0]), num(s[1]), num(s[2], SECTION_W), num(s[3], SECTION_H)]),
    ...notes.map((n) => [num(n[0]), num(n[1]), NOTE_W, NOTE_H]),
  ]
  const left = Math.min(0, ...boxes.map((b) => b[0])) - PAD
  const top = Math.min(0, ...boxes.map((b) => b[1])) - PAD
  const right = Math.max(4 * NOTE_W, ...boxes.map((b) => b[0] + b[2])) + PAD
  const bottom = Math.max(3 * NOTE_H, ...boxes.map((b) => b[1] + b[3])) + PAD
  return (
    <svg class="room-thumb" role="img" aria-label={label} viewBox={`${left} ${top} ${right - left} ${bottom - top}`} preserveAspectRatio="xMidYMid meet" data-testid="overview-thumbnail" data-notes={notes.length}>
      {sections.map((s, i) => (
        <rect key={`s${i}`} x={num(s[0])} y={num(s[1])} width={num(s[2], SECTION_W)} height={num(s[3], SECTION_H)} rx="12" fill={colour(s[4], '#eef2f7')} fill-opacity="0.5" stroke="#8a94a6" stroke-width="6" />
      ))}
      {notes.map((n, i) => (
        <rect key={`n${i}`} x={num(n[0])} y={num(n[1])} width={NOTE_W} height={NOTE_H} rx="8" fill={colour(n[2], '#fff59d')} stroke="#00000033" stroke-width="4" />
      ))}
    </svg>
  )
}
