// Every panel's way to run a REST command: busy while it runs, its error shown and spoken.

import { useState } from 'preact/hooks'
import { errorText, type Key, useT } from '../../i18n'
import { announce } from '../common'

/** Run a command, tell the person what went wrong (visibly and to screen readers). */
export function useRunner() {
  const t = useT()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async <T,>(fn: () => Promise<T>, done?: Key): Promise<T | null> => {
    setBusy(true)
    setError(null)
    try {
      const r = await fn()
      if (done) announce(t(done))
      return r
    } catch (err) {
      const msg = errorText(t, err)
      setError(msg)
      announce(msg)
      return null
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}
