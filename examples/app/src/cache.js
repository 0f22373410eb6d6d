/** A cache whose entries expire, swept by an interval until close(). */
export function createCache({ ttlMs = 1000, sweepMs = 500 } = {}) {
  const entries = new Map()
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [key, { expires }] of entries) if (expires <= now) entries.delete(key)
  }, sweepMs)
  return {
    get: (key) => entries.get(key)?.value,
    set: (key, value) => entries.set(key, { value, expires: Date.now() + ttlMs }),
    close: () => clearInterval(sweep),
  }
}
