import DOMPurify from 'dompurify';

/**
 * Mermaid's own parser (the flowchart grammar GitHub renders with), for tests. In Node,
 * mermaid.parse() asks DOMPurify, which needs a browser DOM, to sanitise quoted labels; it is
 * replaced by a pass-through here: sanitising is a rendering concern, the parse itself is real.
 */
type Purifier = { addHook: unknown; removeHook: unknown; removeAllHooks: unknown; sanitize: (s: unknown) => string };

export async function mermaidParser(): Promise<(source: string) => Promise<unknown>> {
  const purify = DOMPurify as unknown as Purifier;
  purify.addHook = () => undefined;
  purify.removeHook = () => undefined;
  purify.removeAllHooks = () => undefined;
  purify.sanitize = (s) => String(s);
  const { default: mermaid } = await import('mermaid');
  return (source) => mermaid.parse(source);
}

/** The body of the first ```mermaid block of a Markdown text, or null. */
export function mermaidBlock(markdown: string): string | null {
  const m = /^(`{3,})mermaid\n([\s\S]*?)\n\1$/m.exec(markdown);
  return m ? m[2]! : null;
}
