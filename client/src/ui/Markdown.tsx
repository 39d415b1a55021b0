// Markdown shown as formatted text without ever inserting HTML from it: markdown-it parses
// (raw HTML off, so `<b>` in a note stays the text "<b>"), and its tokens become Preact
// elements from a short list of tags. Nothing here sets innerHTML.

import MarkdownIt from 'markdown-it'
import type Token from 'markdown-it/lib/token.mjs'
import type { ComponentChildren, JSX } from 'preact'
import { h } from 'preact'
import { useMemo } from 'preact/hooks'

const parser = new MarkdownIt('commonmark', { html: false, linkify: false })

/** The block and inline tags a summary may use; any other token shows its text only. */
const TAGS = new Set(['p', 'ul', 'ol', 'li', 'blockquote', 'strong', 'em', 'code', 'pre', 'a', 'hr', 'br'])
const HEADING = /^h([1-6])$/
const SAFE_LINK = /^(https?:|mailto:)/i

interface Node {
  tag: string
  props: Record<string, string | number>
  children: ComponentChildren[]
}

/** Markdown as elements; headings start at `level` (a summary's `#` sits under the page's
 *  own headings, so it is an h3 in a panel titled with an h2). */
export function Markdown({ source, level = 3, class: cls }: { source: string; level?: number; class?: string }) {
  const children = useMemo(() => render(parser.parse(source, {}), level), [source, level])
  return <div class={cls}>{children}</div>
}

export function render(tokens: Token[], level: number): ComponentChildren[] {
  const root: Node = { tag: 'div', props: {}, children: [] }
  const stack: Node[] = [root]
  const top = () => stack[stack.length - 1]
  for (const token of tokens) {
    if (token.nesting === 1) {
      stack.push({ tag: tagOf(token, level), props: propsOf(token), children: [] })
    } else if (token.nesting === -1) {
      const done = stack.pop()!
      top().children.push(element(done, top().children.length))
    } else if (token.type === 'inline') {
      top().children.push(...render(token.children ?? [], level))
    } else {
      top().children.push(leaf(token, top().children.length))
    }
  }
  return root.children
}

function tagOf(token: Token, level: number): string {
  if (token.hidden) return '' // a tight list's paragraph: its text goes straight in the item
  const heading = HEADING.exec(token.tag)
  if (heading) return `h${Math.min(6, Number(heading[1]) + level - 1)}`
  return TAGS.has(token.tag) ? token.tag : ''
}

function propsOf(token: Token): Record<string, string | number> {
  if (token.tag === 'a') {
    const href = token.attrGet('href') ?? ''
    return SAFE_LINK.test(href) ? { href, rel: 'noopener noreferrer', target: '_blank' } : {}
  }
  const start = token.tag === 'ol' ? token.attrGet('start') : null // only when not 1
  return start !== null && Number.isFinite(Number(start)) ? { start: Number(start) } : {}
}

function element(node: Node, key: number): ComponentChildren {
  if (!node.tag || (node.tag === 'a' && !node.props.href)) return node.children
  return h(node.tag as keyof JSX.IntrinsicElements, { key, ...node.props }, ...node.children)
}

function leaf(token: Token, key: number): ComponentChildren {
  switch (token.type) {
    case 'text':
      return token.content
    case 'softbreak':
      return '\n'
    case 'hardbreak':
      return <br key={key} />
    case 'code_inline':
      return <code key={key}>{token.content}</code>
    case 'code_block':
    case 'fence':
      return (
        <pre key={key}>
          <code>{token.content}</code>
        </pre>
      )
    case 'hr':
      return <hr key={key} />
    case 'image':
      return token.content // its alt text: a summary loads nothing from elsewhere
    default:
      return token.content
  }
}
