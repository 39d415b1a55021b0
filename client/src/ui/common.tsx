import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { LANGS, type Lang, useI18n, useT } from '../i18n'
import type { ConnectionView } from '../lib/reconnect'

// ---- the aria-live region: timer milestones, breakout moves, results --------------------

type Sink = (msg: string, visible: boolean) => void
let sink: Sink | null = null

/** Say something to screen readers (and, with `visible`, show it as a toast for a while). */
export function announce(msg: string, visible = false): void {
  sink?.(msg, visible)
}

/** How long a toast stays: long enough to read two lines, short enough not to go stale. */
const TOAST_MS = 6000

export function LiveRegion() {
  const [spoken, setSpoken] = useState('')
  // One toast at a time: the newest replaces the one before, which would otherwise say
  // something no longer true ("You moved to Room 1" under "You are back on the main board")
  // and, on a phone, cover the top of the screen. Screen readers hear each one.
  const [toast, setToast] = useState<{ id: number; text: string } | null>(null)
  const seq = useRef(0)
  useEffect(() => {
    sink = (msg, visible) => {
      // clear first so the same sentence twice is announced twice
      setSpoken('')
      setTimeout(() => setSpoken(msg), 60)
      if (visible) {
        const id = ++seq.current
        setToast({ id, text: msg })
        setTimeout(() => setToast((now) => (now?.id === id ? null : now)), TOAST_MS)
      }
    }
    return () => {
      sink = null
    }
  }, [])
  return (
    <>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="live">
        {spoken}
      </div>
      <div class="toasts" aria-hidden="true">
        {toast && (
          <div class="toast" key={toast.id}>
            {toast.text}
          </div>
        )}
      </div>
    </>
  )
}

// ---- small pieces ------------------------------------------------------------------------

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n()
  const names: Record<Lang, string> = { fi: 'Suomi', sv: 'Svenska', en: 'English' }
  return (
    <label class="lang">
      <span class="sr-only">{t('lang.choose')}</span>
      <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => (
          <option value={l} lang={l} key={l}>
            {names[l]}
          </option>
        ))}
      </select>
    </label>
  )
}

export function CopyField(props: { label: string; value: string; testid?: string; big?: boolean }) {
  const t = useT()
  const [copied, setCopied] = useState(false)
  const id = useRef(`copy-${Math.random().toString(36).slice(2, 8)}`).current
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value)
    } catch {
      const input = document.getElementById(id) as HTMLInputElement | null
      input?.select()
      document.execCommand?.('copy')
    }
    setCopied(true)
    announce(t('copy.done'))
    setTimeout(() => setCopied(false), 2500)
  }
  return (
    <div class={`copy-field${props.big ? ' big' : ''}`}>
      <label for={id}>{props.label}</label>
      <div class="row">
        <input id={id} readOnly value={props.value} data-testid={props.testid} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" onClick={copy}>
          {copied ? t('copy.done') : t('copy')}
        </button>
      </div>
    </div>
  )
}

export function ConnectionBanner({ view }: { view: ConnectionView }) {
  const t = useT()
  if (!view.banner) return null
  const text = view.health === 'refused' ? t(refusedKey(view.refusedCode)) : t('conn.lost')
  return (
    <div class={`banner ${view.health === 'refused' ? 'error' : 'warn'}`} role="alert" data-testid="conn-banner">
      {text}
    </div>
  )
}

const refusedKey = (code: number | null) =>
  code === 4401 ? 'conn.badToken' : code === 4404 ? 'conn.notFound' : 'conn.notAllowed'

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; full?: boolean }) {
  const t = useT()
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    const opener = document.activeElement as HTMLElement | null
    return () => opener?.focus?.()
  }, [])
  return (
    <dialog
      ref={ref}
      class={`dialog${props.wide ? ' wide' : ''}${props.full ? ' full' : ''}`}
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
    >
      <div class="dialog-head">
        <h2>{props.title}</h2>
        <button type="button" class="icon" onClick={props.onClose} aria-label={t('close')}>
          ×
        </button>
      </div>
      {props.children}
    </dialog>
  )
}

/** A card that pops up over the page without taking the focus (people may be typing): a
 *  help call, a broadcast. Its text is also announced (`announce`) by whoever shows it. */
export function Popup(props: { title: string; testid: string; onDismiss: () => void; children: ComponentChildren }) {
  const t = useT()
  const id = useRef(`popup-${Math.random().toString(36).slice(2, 8)}`).current
  return (
    <section class="popup" role="dialog" aria-modal="false" aria-labelledby={id} data-testid={props.testid}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
      <button type="button" class="popup-dismiss" onClick={props.onDismiss}>
        {t('popup.dismiss')}
      </button>
    </section>
  )
}

/** Ask before doing something that cannot be undone (leaving, ending the session). */
export function Confirm(props: { title: string; body: string; yes: string; no: string; onYes: () => void; onNo: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onNo}>
      <p>{props.body}</p>
      <div class="buttons">
        <button type="button" class="primary" onClick={props.onYes} data-testid="confirm-yes">
          {props.yes}
        </button>
        <button type="button" onClick={props.onNo}>
          {props.no}
        </button>
      </div>
    </Dialog>
  )
}

/** A page of its own (start, join): the brand, the language switch and a titled column. */
export function PageFrame({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="page-wrap">
      <header class="page-head">
        <span class="brand">Paja</span>
        <LanguageSwitch />
      </header>
      <main class="page narrow" id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  )
}

export function ErrorText({ error }: { error: string | null }) {
  if (!error) return null
  return (
    <p class="error-text" role="alert">
      {error}
    </p>
  )
}

/** Call `fn` after `ms` of quiet: for search boxes and the like. */
export function useInterval(fn: () => void, ms: number | null) {
  const saved = useRef(fn)
  saved.current = fn
  useEffect(() => {
    if (ms === null) return
    const id = setInterval(() => saved.current(), ms)
    return () => clearInterval(id)
  }, [ms])
}
