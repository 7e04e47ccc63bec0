import { useState } from 'react';

// Copy the page's main content (as rich text and plain text) for pasting into an e-mail, like the
// original's copy button.

export function CopyButton({
  targetId = 'main',
  label = 'Copy',
  title = 'Copy the page content to the clipboard',
}: {
  targetId?: string;
  label?: string;
  title?: string;
}) {
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const copy = async () => {
    const el = document.getElementById(targetId);
    if (!el) return;
    try {
      if (window.ClipboardItem && navigator.clipboard.write) {
        await navigator.clipboard.write([
          new ClipboardItem({
            'text/html': new Blob([el.innerHTML], { type: 'text/html' }),
            'text/plain': new Blob([el.innerText], { type: 'text/plain' }),
          }),
        ]);
      } else {
        await navigator.clipboard.writeText(el.innerText);
      }
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
    window.setTimeout(() => setCopied(null), 2000);
  };
  return (
    <button type="button" onClick={copy} title={title}>
      {copied === 'ok' ? '✓ Copied' : copied === 'failed' ? 'Copy failed' : label}
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
