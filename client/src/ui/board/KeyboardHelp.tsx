// The board's keyboard help: every key the canvas and a focused note answer to.

import { type Key, useT } from '../../i18n'
import { Dialog } from '../common'

export function KeyboardHelp({ onClose }: { onClose: () => void }) {
  const t = useT()
  const rows: Array<[string, Key]> = [
    ['N', 'help.newNote'],
    ['Enter / F2', 'help.edit'],
    ['Esc, Ctrl+Enter', 'help.stopEdit'],
    ['← ↑ → ↓', 'help.move'],
    ['Shift + ← ↑ → ↓', 'help.moveFar'],
    ['Space', 'help.select'],
    ['C', 'help.color'],
    ['V / Shift+V', 'help.vote'],
    ['Delete', 'help.delete'],
    ['Ctrl+Z / Ctrl+Y', 'help.undo'],
    ['Ctrl+A', 'help.selectAll'],
    ['+ / − / 0', 'help.zoom'],
    ['Tab', 'help.tab'],
  ]
  return (
    <Dialog title={t('help.title')} onClose={onClose}>
      <p>{t('help.canvas')}</p>
      <table class="keys">
        <tbody>
          {rows.map(([k, key]) => (
            <tr key={key}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{t(key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  )
}
