// The raised hand and the quick reactions, drawn as icons. An emoji is only as good as the
// fonts of the machine showing it: a Lab PC or a Linux laptop without a colour emoji font
// showed empty boxes. The emoji stays the data (control's `reactions`, the REST body) and
// is carried in `data-emoji`; the icon is only how it looks.

import { CircleQuestionMark, Hand, Heart, Laugh, type LucideIcon, ThumbsUp } from 'lucide-preact'

const ICONS: Record<string, { icon: LucideIcon; name: string }> = {
  '✋': { icon: Hand, name: 'hand' },
  '👍': { icon: ThumbsUp, name: 'thumbs-up' },
  '❤️': { icon: Heart, name: 'heart' },
  '😂': { icon: Laugh, name: 'laugh' },
  '❓': { icon: CircleQuestionMark, name: 'question' },
}

/** An emoji as an icon, hidden from screen readers: the element around it names it. */
export function Glyph({ emoji }: { emoji: string }) {
  const known = ICONS[emoji]
  if (!known) {
    return (
      <span class="glyph" aria-hidden="true" data-emoji={emoji}>
        {emoji}
      </span>
    )
  }
  const Icon = known.icon
  return <Icon class={`glyph glyph-${known.name}`} aria-hidden="true" data-emoji={emoji} strokeWidth={2.25} />
}
