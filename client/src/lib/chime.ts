// A short chime for "time's up", generated with Web Audio (no audio file to load): two
// soft sine notes. Browsers only let a page make sound after someone interacted with it,
// so `unlock` is called from the sound toggle (and any click) to wake the audio context.

let context: AudioContext | null = null

function audio(): AudioContext | null {
  if (context) return context
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Ctor) return null
  context = new Ctor()
  return context
}

/** Wake the audio context from a user gesture, so a later chime can play. */
export function unlockAudio(): void {
  void audio()?.resume().catch(() => {})
}

/** Play the chime now: 660 Hz then 880 Hz, each fading out within half a second. */
export function chime(): void {
  const ctx = audio()
  if (!ctx) return
  void ctx.resume().catch(() => {})
  const start = ctx.currentTime
  ;[660, 880].forEach((frequency, i) => {
    const at = start + i * 0.18
    const osc = ctx.createOscillator()
    const gain = ctx.createGain()
    osc.type = 'sine'
    osc.frequency.value = frequency
    gain.gain.setValueAtTime(0.0001, at)
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.45)
    osc.connect(gain).connect(ctx.destination)
    osc.start(at)
    osc.stop(at + 0.5)
  })
}
