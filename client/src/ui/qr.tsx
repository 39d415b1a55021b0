import qrcode from 'qrcode-generator'
import { useMemo } from 'preact/hooks'

/** A QR code as an SVG path (dark modules on white, with the standard quiet zone). */
export function QrCode({ text, label, size = 240 }: { text: string; label: string; size?: number }) {
  const { path, n } = useMemo(() => {
    const qr = qrcode(0, 'M')
    qr.addData(text)
    qr.make()
    const count = qr.getModuleCount()
    let d = ''
    for (let r = 0; r < count; r++) {
      for (let c = 0; c < count; c++) {
        if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`
      }
    }
    return { path: d, n: count + 8 }
  }, [text])
  return (
    <svg class="qr" width={size} height={size} viewBox={`0 0 ${n} ${n}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect width={n} height={n} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
