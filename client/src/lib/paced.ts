// A stream of values (a cursor, a drag) sent at most once per interval: the first at once,
// then the latest at the end of each wait, so the others never miss where it stopped.

export class Paced<T> {
  private last = -Infinity
  private timer: ReturnType<typeof setTimeout> | null = null
  private latest: T | undefined

  constructor(
    private readonly interval: number,
    private readonly send: (value: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(value: T): void {
    this.latest = value
    if (this.timer) return
    const wait = this.last + this.interval - this.now()
    if (wait <= 0) this.flush()
    else this.timer = setTimeout(() => this.flush(), wait)
  }

  /** Drop the value waiting to be sent, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private flush(): void {
    this.timer = null
    this.last = this.now()
    this.send(this.latest as T)
  }
}
