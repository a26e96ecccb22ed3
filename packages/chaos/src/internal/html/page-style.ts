// The report pages' one stylesheet, inlined in each page (no network, no script). Colours are
// custom properties swapped by `prefers-color-scheme`, so both schemes share every rule; the
// palette is Okabe-Ito's (told apart with the common colour-vision deficiencies), lightened for
// dark backgrounds.
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --line: #d5dae0; --panel: #f5f7f9;
  --fault: rgba(213, 94, 0, 0.11); --fault-edge: rgba(213, 94, 0, 0.6);
  --pass: #1a7f37; --fail: #c62828;
  --ejected: #c62828; --restored: #1a7f37; --ring-changed: #6f42c1; --warm-up: #b35900; --migration: #0b6bcb;
  --c0: #0072b2; --c1: #d55e00; --c2: #009e73; --c3: #cc79a7; --c4: #8a6d00; --c5: #56b4e9; --c6: #7a4e9b; --c7: #6b6b6b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1216; --fg: #e6e9ed; --muted: #9aa4b1; --line: #2e353d; --panel: #171b21;
    --fault: rgba(255, 140, 60, 0.13); --fault-edge: rgba(255, 140, 60, 0.65);
    --pass: #4cc26b; --fail: #ff6b6b;
    --ejected: #ff6b6b; --restored: #4cc26b; --ring-changed: #b392f0; --warm-up: #f0a04b; --migration: #58a6ff;
    --c0: #4fa8e0; --c1: #ff8c42; --c2: #3cc8a0; --c3: #e29ac4; --c4: #e0c040; --c5: #8fd0f5; --c6: #b59ad6; --c7: #a8a8a8;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p.lead { margin: 0 0 12px; color: var(--muted); }
a { color: var(--c0); }
.verdict { display: inline-block; padding: 1px 10px; border-radius: 999px; font-weight: 600; font-size: 0.9rem; color: #fff; vertical-align: middle; }
.verdict[data-verdict="pass"] { background: var(--pass); }
.verdict[data-verdict="fail"] { background: var(--fail); }
header .verdict { margin-left: 8px; font-size: 1rem; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; margin: 12px 0 0; }
dl.figures div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
dl.figures dt { color: var(--muted); font-size: 0.8rem; }
dl.figures dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.key { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.85rem; color: var(--muted); margin: 0 0 8px; padding: 0; list-style: none; }
.key .fault-swatch { display: inline-block; width: 14px; height: 10px; background: var(--fault); border: 1px solid var(--fault-edge); margin-right: 4px; vertical-align: -1px; }
.glyph { font-weight: 700; }
.ev-ejected { color: var(--ejected); } .ev-restored { color: var(--restored); } .ev-ring-changed { color: var(--ring-changed); }
.ev-warm-up { color: var(--warm-up); } .ev-migration { color: var(--migration); }
.lane, .plot { position: relative; margin-left: 64px; margin-right: 8px; }
.lane { height: 22px; border-bottom: 1px dashed var(--line); overflow: hidden; }
.lane .glyph { position: absolute; top: 2px; transform: translateX(-50%); cursor: default; }
.lane .phase { position: absolute; top: 0; height: 100%; border-left: 1px solid var(--line); padding-left: 3px; font-size: 0.72rem; color: var(--muted); white-space: nowrap; overflow: hidden; }
figure.chart { margin: 14px 0 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart .unit { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
/* An outline, not a border: the view box must fill the element's box exactly (times map to its width). */
svg.plot-area { display: block; width: 100%; height: 150px; background: var(--panel); outline: 1px solid var(--line); overflow: visible; }
svg .fault { fill: var(--fault); stroke: var(--fault-edge); stroke-width: 1; vector-effect: non-scaling-stroke; }
svg .grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
svg .mark { stroke-width: 1.5; stroke-dasharray: 4 3; vector-effect: non-scaling-stroke; }
svg .mark-ejected { stroke: var(--ejected); } svg .mark-restored { stroke: var(--restored); } svg .mark-ring-changed { stroke: var(--ring-changed); }
svg .mark-warm-up { stroke: var(--warm-up); } svg .mark-migration { stroke: var(--migration); }
svg .series { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; vector-effect: non-scaling-stroke; }
svg .series.all { stroke: var(--fg); stroke-width: 2.2; }
.y-labels { position: absolute; left: -64px; top: 0; width: 58px; height: 150px; font-size: 0.72rem; color: var(--muted); text-align: right; }
.y-labels span { position: absolute; right: 0; transform: translateY(-50%); white-space: nowrap; font-variant-numeric: tabular-nums; }
.x-labels { position: relative; height: 18px; font-size: 0.72rem; color: var(--muted); }
.x-labels span { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
.x-labels span:first-child { transform: none; }
.x-labels span.end { transform: translateX(-100%); }
p.empty { position: absolute; top: 60px; left: 0; right: 0; text-align: center; margin: 0; color: var(--muted); }
.c0 { stroke: var(--c0); background: var(--c0); } .c1 { stroke: var(--c1); background: var(--c1); } .c2 { stroke: var(--c2); background: var(--c2); }
.c3 { stroke: var(--c3); background: var(--c3); } .c4 { stroke: var(--c4); background: var(--c4); } .c5 { stroke: var(--c5); background: var(--c5); }
.c6 { stroke: var(--c6); background: var(--c6); } .c7 { stroke: var(--c7); background: var(--c7); }
ul.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; list-style: none; margin: 2px 0 0 64px; padding: 0; font-size: 0.8rem; color: var(--muted); }
ul.legend .swatch { display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: middle; }
ul.legend .swatch.all { background: var(--fg); height: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 0.8rem; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
tr[data-verdict="fail"] td { background: color-mix(in srgb, var(--fail) 10%, transparent); }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.85em; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  main { padding: 12px 12px 32px; }
  h1 { font-size: 1.2rem; }
  .lane, .plot { margin-left: 44px; margin-right: 4px; }
  .y-labels { left: -44px; width: 40px; height: 120px; }
  svg.plot-area { height: 120px; }
  p.empty { top: 45px; }
  ul.legend { margin-left: 44px; }
  dl.figures { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  th, td { padding: 4px 5px; }
}
`;
