"""The report's inline stylesheet, kept apart so _html.py stays about structure.

Inline only: report.html is archived as a CI artifact and opened offline, so
it must not fetch fonts, scripts or images from anywhere (the page also sets a
Content-Security-Policy that forbids it).
"""

from __future__ import annotations

CSS = """
:root { --pass:#1b7a3a; --fail:#b3261e; --warn:#a15c00; --skip:#5f6368; --ink:#1d1d1f;
  --muted:#5f6368; --line:#d9dce1; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--ink); background:var(--bg); }
main { max-width:1200px; margin:0 auto; padding:0 20px 40px; }
h2 { margin:28px 0 10px; font-size:19px; }
h3 { margin:0; font-size:15px; }
code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  font-size:12.5px; }
pre { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 10px;
  margin:4px 0 8px; white-space:pre-wrap; word-break:break-all; max-height:420px; overflow:auto; }
.banner { color:#fff; padding:20px 24px; }
.banner.pass { background:var(--pass); }
.banner.fail { background:var(--fail); }
.banner.unhealthy, .banner.inconclusive, .banner.interrupted { background:#e8a317; color:#231a00; }
.banner .inner { max-width:1200px; margin:0 auto; display:flex; gap:28px; align-items:center;
  flex-wrap:wrap; }
.verdict { font-size:40px; font-weight:800; letter-spacing:1px; }
.why { font-size:17px; font-weight:600; }
.facts { display:grid; grid-template-columns:max-content auto; gap:2px 12px; margin:0; }
.facts dt { opacity:.8; } .facts dd { margin:0; font-weight:600; word-break:break-all; }
nav { max-width:1200px; margin:0 auto; padding:10px 20px; display:flex; gap:16px; flex-wrap:wrap; }
nav a { color:var(--ink); }
table { border-collapse:collapse; background:#fff; border:1px solid var(--line); }
th, td { border:1px solid var(--line); padding:5px 9px; text-align:left; vertical-align:top; }
th { background:#eef0f3; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:700;
  color:#fff; text-transform:uppercase; }
.badge.pass { background:var(--pass); } .badge.fail { background:var(--fail); }
.badge.warn { background:var(--warn); } .badge.skip { background:var(--skip); }
.badge.deterministic { background:#3949ab; } .badge.flaky { background:#8e24aa; }
.badge.unchecked { background:var(--skip); }
tr.fail td { background:#fdecea; }
.chips span { display:inline-block; background:rgba(255,255,255,.22); border-radius:4px;
  padding:0 6px; margin:2px 4px 0 0; font-size:12.5px; }
.legend span { display:inline-block; margin-right:14px; }
.swatch { display:inline-block; width:14px; height:14px; vertical-align:middle; margin-right:4px;
  border-radius:3px; }
.coverage th[scope=row] { width:190px; }
.cells { display:flex; flex-wrap:wrap; gap:6px; }
.cell { min-width:118px; padding:5px 8px; border-radius:5px; border:2px solid transparent; }
.cell .variant { display:block; font-weight:600; word-break:break-all; }
.cell .counts { display:block; font-size:12px; }
.cell.observed { background:#dff3e4; border-color:#9bd3ad; }
.cell.unobserved { background:#fff4d6; border-color:#e5c265; }
.cell.never, .swatch.never {
  background:repeating-linear-gradient(45deg,#fde2e2 0 6px,#f3b3b3 6px 12px);
  border:2px dashed var(--fail); }
.cell.never .counts { color:var(--fail); font-weight:700; }
.swatch.observed { background:#dff3e4; border:2px solid #9bd3ad; }
.swatch.unobserved { background:#fff4d6; border:2px solid #e5c265; }
.finding { background:#fff; border:1px solid var(--line); border-left:5px solid var(--fail);
  border-radius:6px; padding:10px 14px; margin:12px 0; }
.finding.warning { border-left-color:var(--warn); }
.finding.baselined { border-left-color:var(--skip); }
.finding .meta { color:var(--muted); font-size:12.5px; margin:2px 0 6px; }
.finding .message { font-size:15px; font-weight:600; margin:6px 0; white-space:pre-wrap; }
.exchange { display:grid; grid-template-columns:1fr 1fr; gap:14px; }
@media (max-width:900px) { .exchange { grid-template-columns:1fr; } }
.exchange h4 { margin:6px 0 2px; font-size:13px; color:var(--muted); text-transform:uppercase; }
table.headers { font-size:12px; width:100%; } table.headers td { word-break:break-all; }
details > summary { cursor:pointer; }
details.finding > summary { font-weight:600; }
.kill td.hit { background:#dff3e4; text-align:center; color:var(--pass); font-weight:800; }
.kill td.miss { text-align:center; color:#aaa; }
.kill td.peer-miss { text-align:center; color:var(--fail); font-weight:700; }
.kill thead th { vertical-align:bottom; }
.kill tr.escaped td:first-child { background:#fdecea; }
.kill th.rot { writing-mode:vertical-rl; transform:rotate(180deg); white-space:nowrap;
  font-weight:600; font-size:12px; }
.muted { color:var(--muted); }
.empty { color:var(--muted); font-style:italic; }
footer { max-width:1200px; margin:0 auto; padding:10px 20px 30px; color:var(--muted);
  font-size:12px; }
"""
