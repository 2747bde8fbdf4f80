// Escaping text for man(7) roff, so that nothing a command author writes can turn into a roff
// request or a typographic surprise:
//   \  -> \e            (roff's escape character)
//   -  -> \-            (an ASCII hyphen-minus that survives copy-paste of options)
//   '  -> \(aq, ` -> \(ga  (groff would print curly quotes; examples must paste into a shell)
//   "  -> \(dq          (safe inside macro arguments)
//   non-ASCII -> \[uXXXX] (no preconv needed, no warnings under -ww)
//   a line starting with . or ' gets \& in front (it would otherwise be a request)

export function escapeText(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    if (ch === '\\') out += '\\e'
    else if (ch === '-') out += '\\-'
    else if (ch === "'") out += '\\(aq'
    else if (ch === '`') out += '\\(ga'
    else if (ch === '"') out += '\\(dq'
    else if (code > 0x7e) out += `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]`
    else if (code < 0x20 && ch !== '\n' && ch !== '\t') out += ''
    else out += ch
  }
  return out
}

/** Escape and make every line safe to start a roff input line. */
export function escapeLines(text: string): string {
  return escapeText(text)
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n')
}

/** Prose: paragraphs (blank-line separated) become .PP; single newlines stay as line breaks in fill mode. */
export function paragraphs(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => escapeLines(p.trim()))
    .join('\n.PP\n')
}

export const bold = (text: string): string => `\\fB${escapeText(text)}\\fR`
export const italic = (text: string): string => `\\fI${escapeText(text)}\\fR`
