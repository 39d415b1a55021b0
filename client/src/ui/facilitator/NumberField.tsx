// A labelled number input that hands back what was typed; the form parses it when it sends.

export function NumberField(props: {
  id: string
  label: string
  value: string
  onValue: (value: string) => void
  min: string
  max: string
  step?: string
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onInput={(e) => props.onValue((e.target as HTMLInputElement).value)}
      />
    </div>
  )
}
