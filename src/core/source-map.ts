/** One mapping of a source map: a generated position and the original one, lines and columns from 0. */
export interface Mapping {
  readonly line: number
  readonly column: number
  readonly source: number
  readonly originalLine: number
  readonly originalColumn: number
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** The mappings of a source map's `mappings` field (version 3), those with an original position. */
export function decodeMappings(mappings: string): Mapping[] {
  const out: Mapping[] = []
  // Fields relative to the last segment's: source, original line and column run on across lines.
  const state = [0, 0, 0, 0]
  let line = 0
  for (const lineText of mappings.split(';')) {
    let column = 0
    for (const segment of lineText.split(',')) {
      if (segment === '') continue
      const fields: number[] = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = BASE64.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = shift = 0
        }
      }
      column += fields[0] ?? 0
      if (fields.length < 4) continue
      state[0]! += fields[1]!
      state[1]! += fields[2]!
      state[2]! += fields[3]!
      out.push({ line, column, source: state[0]!, originalLine: state[1]!, originalColumn: state[2]! })
    }
    line++
  }
  return out
}

/** The JSON of a source map given as a `data:` URL (the runners' inline maps), or undefined. */
export function inlineSourceMap(url: string | undefined): { sources?: string[]; sourceRoot?: string; mappings?: string } | undefined {
  const [, base64, data] = /^data:application\/json(?:;charset=[\w-]+)?(;base64)?,(.*)$/s.exec(url ?? '') ?? []
  if (data === undefined) return undefined
  try {
    return JSON.parse(base64 ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data))
  } catch {
    return undefined
  }
}
