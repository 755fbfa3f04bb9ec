// The dashboard page's style (GET /app.css).
export const APP_CSS = `:root {
  --fg: #1d2330; --muted: #5d6778; --line: #dde2ea; --bg: #f5f7fa; --panel: #fff;
  --accent: #2453c8; --danger: #b3261e; --ok: #1d7a3d; --warn: #9a5b00;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.mono, pre, code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.muted, .sub { color: var(--muted); }
.sub { font-size: 12px; }
.clip { max-width: 38em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pre { white-space: pre-wrap; word-break: break-all; }
time { white-space: nowrap; }

header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #16213a; color: #dfe6f3; flex-wrap: wrap; }
header.top .brand { color: #fff; font-weight: 700; font-size: 16px; }
header.top .brand span { font-weight: 400; color: #9fb0cf; }
header.top nav { display: flex; gap: 4px; }
header.top nav a { color: #c9d4ea; padding: 6px 10px; border-radius: 6px; }
header.top nav a.current, header.top nav a:hover { background: #2a3a5f; color: #fff; text-decoration: none; }
header.top .count:not(:empty) { display: inline-block; min-width: 1.6em; padding: 0 6px; margin-left: 4px; border-radius: 9px; background: var(--danger); color: #fff; font-size: 12px; text-align: center; }
header.top .meta { margin-left: auto; display: flex; gap: 16px; font-size: 12px; color: #9fb0cf; }
header.top .meta strong { color: #dfe6f3; }
#live.ok::before { content: "●"; color: #4cc47a; margin-right: 4px; }
#live.error { color: #ffb4ab; }

main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 10px; }
.title-row { display: flex; align-items: center; gap: 12px; margin: 6px 0 16px; flex-wrap: wrap; }
.title-row .actions { margin-left: auto; }
.crumbs { margin: 0 0 6px; color: var(--muted); }
.toolbar { display: flex; gap: 8px; margin: 0 0 16px; }
.toolbar input[type=search] { flex: 1; max-width: 520px; }
input, select, button { font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--fg); }
button { cursor: pointer; }
button:hover:not(:disabled) { border-color: #aab4c4; }
button:disabled { opacity: .45; cursor: not-allowed; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--danger); border-color: #e5b7b3; }
dialog button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
.actions { display: inline-flex; gap: 6px; }

table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: #eef1f6; font-size: 12px; color: var(--muted); font-weight: 600; }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: 0; }
tbody tr:hover { background: #f9fbfe; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .title { font-weight: 600; }
td.act { white-space: nowrap; text-align: right; }

.bulk, .group-head { display: flex; align-items: center; gap: 12px; margin: 0 0 12px; }
.bulk .actions, .group-head .actions { margin-left: auto; }
.group-head { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.group-head h1 { font-size: 16px; }
.pager { display: flex; align-items: center; gap: 12px; justify-content: flex-end; margin-top: 12px; color: var(--muted); }

.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.status-unresolved { background: #fdecea; color: var(--danger); border-color: #f3c4bf; }
.status-returning { background: #fff4e0; color: var(--warn); border-color: #f0d29a; }
.status-returned { background: #e6f4ea; color: var(--ok); border-color: #b6dfc2; }
.status-archived { background: #eef1f6; color: var(--muted); border-color: var(--line); }

.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 16px; }
.panel table { border: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
pre { margin: 0; padding: 12px; background: #f3f5f9; border: 1px solid var(--line); border-radius: 6px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; }
ol.failures { margin: 0; padding-left: 22px; }
ol.failures li { margin: 0 0 6px; word-break: break-word; }
ul.history { margin: 0; padding-left: 18px; }
.empty { color: var(--muted); margin: 8px 0; }
.note { background: #fff8e6; border: 1px solid #f0d29a; color: #6b4a00; padding: 8px 12px; border-radius: 6px; margin: 0 0 12px; }

#notice { display: flex; align-items: center; gap: 12px; max-width: 1192px; margin: 14px auto 0; padding: 10px 14px; border-radius: 8px; }
#notice[hidden] { display: none; }
#notice button { margin-left: auto; border: 0; background: transparent; font-size: 18px; line-height: 1; padding: 0 4px; }
.notice-ok { background: #e6f4ea; color: #174f2a; border: 1px solid #b6dfc2; }
.notice-error { background: #fdecea; color: #7a1a14; border: 1px solid #f3c4bf; }

dialog { border: 0; border-radius: 10px; padding: 20px 22px; max-width: 480px; box-shadow: 0 12px 40px rgba(10, 20, 40, .35); }
dialog::backdrop { background: rgba(15, 22, 38, .45); }
dialog h2 { font-size: 17px; margin: 0 0 8px; }
dialog p { margin: 0 0 14px; color: var(--muted); }
dialog label { display: block; margin: 0 0 14px; font-size: 13px; }
dialog label[hidden] { display: none; }
dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; }
`;
