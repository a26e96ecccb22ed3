import { attr, text } from '../internal/html/markup.js';
import { pageFrame } from '../internal/html/page-frame.js';
import type { Verdict } from './scenario-page.js';

/** One scenario page in a run's index. */
export interface IndexEntry {
  readonly title: string;
  /** The page, relative to the index (`pause.memcached.html`). */
  readonly href: string;
  readonly verdict: Verdict;
  /** A short line next to it (`4 of 5 checks hold`). */
  readonly detail?: string;
}

/**
 * A run's index page: every scenario page linked, with its verdict, failures first. Same
 * stylesheet as the scenario pages; no script.
 *
 * @example
 * writeFileSync('index.html', renderIndexPage('chaos suite', [{ title: 'pause · redis', href: 'pause.redis.html', verdict: 'pass' }]));
 */
export function renderIndexPage(title: string, entries: readonly IndexEntry[]): string {
  const failed = entries.filter((entry) => entry.verdict === 'fail').length;
  const verdict: Verdict = failed === 0 ? 'pass' : 'fail';
  const sorted = [...entries].sort((a, b) => Number(a.verdict === 'pass') - Number(b.verdict === 'pass') || a.title.localeCompare(b.title));
  const rows = sorted.map(
    (entry) => `<tr class="scenario" data-verdict="${entry.verdict}"><td><span class="verdict" data-verdict="${entry.verdict}">${entry.verdict}</span></td><td><a href="${attr(entry.href)}">${text(entry.title)}</a></td><td>${text(entry.detail ?? '')}</td></tr>`,
  );
  return pageFrame({
    title,
    verdict,
    header: `<p class="lead">${entries.length - failed} of ${entries.length} scenarios pass</p>`,
    body: `<div class="table-wrap"><table>
<thead><tr><th>verdict</th><th>scenario</th><th>checks</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`,
  });
}
