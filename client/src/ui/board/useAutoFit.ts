// When the board moves its view by itself: a fit once the board has arrived, a fit every
// moment on the Lab display, and a jump to a facilitator's view when they lead.

import { useEffect, useRef } from 'preact/hooks'
import type { BoardModel } from '../../lib/board'
import type { BoardConnection } from '../../lib/connection'
import { clampScale } from '../../lib/viewport'
import type { Focus } from './types'
import type { Viewport } from './useViewport'

export function useAutoFit(model: BoardModel, conn: BoardConnection | null, display: boolean | undefined, lead: Focus | null | undefined, view: Viewport) {
  const { applyView, fitAll, size } = view
  const fitted = useRef(false)

  useEffect(() => {
    fitted.current = false
  }, [model])

  // fit once the board has arrived (and always, on the Lab display)
  useEffect(() => {
    if (!conn) return
    let cancelled = false
    conn.whenSynced().then(() => {
      if (cancelled || fitted.current) return
      fitted.current = true
      fitAll()
    })
    return () => {
      cancelled = true
    }
  }, [conn, fitAll])

  useEffect(() => {
    if (!display) return
    const id = setInterval(() => fitAll(), 1500)
    const onResize = () => fitAll()
    window.addEventListener('resize', onResize)
    return () => {
      clearInterval(id)
      window.removeEventListener('resize', onResize)
    }
  }, [display, fitAll])

  useEffect(() => {
    if (!lead) return
    fitted.current = true // the facilitator's view, not a fit, once the board arrives
    const { w, h } = size()
    const s = clampScale(lead.scale)
    applyView({ scale: s, x: w / 2 - lead.cx * s, y: h / 2 - lead.cy * s })
  }, [lead])
}
