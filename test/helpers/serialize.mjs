// JSON with RegExp literals kept, so that configs can carry patterns.
export function serialize(value) {
  if (value instanceof RegExp) return value.toString()
  if (Array.isArray(value)) return `[${value.map(serialize).join(', ')}]`
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${serialize(v)}`).join(', ')} }`
  return JSON.stringify(value)
}
