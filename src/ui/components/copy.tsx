import { useEffect, useState } from 'react';

// Copy the page's content (as rich text and plain text) for pasting into an e-mail, like the
// original's copy button: what the page shows, without what operates it (buttons, fields, pagers,
// menus, the sidebar index). A page whose content is paged (the reports) registers a copy source
// that builds all of it, so Copy takes every page, not only the one on screen.

/** What operates the page rather than holds its content: left out of a copy. */
const CONTROLS = [
  'button',
  'input',
  'select',
  'textarea',
  'nav',
  'aside',
  'details.menu',
  '.skip-link',
  '.sr-only',
  '[data-copy="skip"]',
].join(', ');

/** Builds the element to copy (e.g. every page of a report); null: the page's main content. */
type CopySource = () => Promise<HTMLElement>;
let copySource: CopySource | null = null;

/** While the calling page is shown, Copy copies what `source` builds instead of the main area. */
export function useCopySource(source: CopySource | null) {
  useEffect(() => {
    if (!source) return;
    copySource = source;
    return () => {
      if (copySource === source) copySource = null;
    };
  }, [source]);
}

/** The element's content without its controls, as HTML and as the text a reader sees. */
export function copyableContent(el: HTMLElement): { html: string; text: string } {
  const clone = el.cloneNode(true) as HTMLElement;
  for (const control of clone.querySelectorAll(CONTROLS)) control.remove();
  // innerText follows the layout (line breaks between blocks) only in the document: lay it out
  // off screen for the moment it is read.
  const holder = document.createElement('div');
  holder.style.position = 'fixed';
  holder.style.left = '-100000px';
  holder.style.top = '0';
  holder.style.width = '1000px';
  holder.append(clone);
  document.body.append(holder);
  try {
    return { html: clone.innerHTML, text: clone.innerText };
  } finally {
    holder.remove();
  }
}

async function contentOf(targetId: string) {
  const el = copySource ? await copySource() : document.getElementById(targetId);
  if (!el) throw new Error('nothing to copy');
  return copyableContent(el);
}

export function CopyButton({
  targetId = 'main',
  label = 'Copy',
  title = 'Copy the page content to the clipboard',
}: {
  targetId?: string;
  label?: string;
  title?: string;
}) {
  const [copied, setCopied] = useState<'ok' | 'failed' | 'working' | null>(null);
  const copy = async () => {
    setCopied('working');
    try {
      // The clipboard is written at once (within the click), with the content still to come:
      // building a whole report may take longer than the browser lets a click's permission last.
      const content = contentOf(targetId);
      if (window.ClipboardItem && navigator.clipboard.write) {
        const blob = (type: string, pick: (c: { html: string; text: string }) => string) =>
          content.then((c) => new Blob([pick(c)], { type }));
        await navigator.clipboard.write([
          new ClipboardItem({
            'text/html': blob('text/html', (c) => c.html),
            'text/plain': blob('text/plain', (c) => c.text),
          }),
        ]);
      } else {
        await navigator.clipboard.writeText((await content).text);
      }
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
    window.setTimeout(() => setCopied(null), 2000);
  };
  return (
    <button type="button" onClick={copy} title={title} disabled={copied === 'working'}>
      {copied === 'ok'
        ? '✓ Copied'
        : copied === 'failed'
          ? 'Copy failed'
          : copied === 'working'
            ? 'Copying…'
            : label}
    </button>
  );
}

/** A small "copy this text" button (case numbers, report text). */
export function CopyText({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await navigator.clipboard.writeText(text);
        setDone(true);
        window.setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? '✓' : label}
    </button>
  );
}
