import { text } from './markup.js';
import { PAGE_STYLE } from './page-style.js';

/**
 * The frame every report page shares: a self-contained document (the one stylesheet inline,
 * light and dark), the verdict on the body for tests and styles, and a heading with it. `header`
 * and `body` are markup the caller escaped.
 */
export function pageFrame(options: { readonly title: string; readonly verdict: 'pass' | 'fail'; readonly header: string; readonly body: string }): string {
  const { title, verdict, header, body } = options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${text(`${title}: ${verdict}`)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-verdict="${verdict}">
<main>
<header>
<h1>${text(title)}<span class="verdict" data-verdict="${verdict}">${verdict}</span></h1>
${header}
</header>
${body}
</main>
</body>
</html>
`;
}
