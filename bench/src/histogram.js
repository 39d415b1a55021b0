// Latency histogram: log buckets 2% wide from 1 µs to ~30 min, mergeable across processes.

const GROWTH = Math.log(1.02)
const BUCKETS = 1100

export class Histogram {
  constructor () {
    this.counts = new Array(BUCKETS).fill(0)
    this.count = 0
    this.max = 0
    this.sum = 0
  }

  /** @param {number} micros */
  record (micros) {
    const v = micros < 1 ? 1 : micros
    let b = Math.floor(Math.log(v) / GROWTH)
    if (b >= BUCKETS) b = BUCKETS - 1
    this.counts[b]++
    this.count++
    this.sum += v
    if (v > this.max) this.max = v
  }

  /** @param {{counts: number[], count: number, max: number, sum: number}} other */
  merge (other) {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i]
    this.count += other.count
    this.sum += other.sum
    if (other.max > this.max) this.max = other.max
  }

  /**
   * @param {number} q quantile in [0, 1]
   * @returns {number|null} micros (bucket middle), null when empty
   */
  quantile (q) {
    if (this.count === 0) return null
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]
      if (seen >= rank) return Math.min(this.max, Math.exp((i + 0.5) * GROWTH))
    }
    return this.max
  }

  toJSON () {
    return { counts: this.counts, count: this.count, max: this.max, sum: this.sum }
  }

  /** @param {{counts: number[], count: number, max: number, sum: number}} data */
  static from (data) {
    const h = new Histogram()
    h.merge(data)
    return h
  }
}
