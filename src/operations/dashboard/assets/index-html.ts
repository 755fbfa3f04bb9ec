// The dashboard's one page (GET /). Static: nothing is interpolated into it; the page fetches its session
// (CSRF token, who acts) and its data from /api. Its script (a module, and the modules it imports) and
// style are files of their own (CSP: no inline).
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>oncebus dashboard</title>
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/">oncebus <span>operations</span></a>
  <nav aria-label="Pages">
    <a href="#/" data-nav="groups">Failed messages <span class="count" id="nav-unresolved"></span></a>
    <a href="#/messages?status=all" data-nav="messages">All messages</a>
    <a href="#/endpoints" data-nav="endpoints">Endpoints</a>
    <a href="#/sagas" data-nav="sagas">Sagas</a>
    <a href="#/http-keys" data-nav="http-keys">HTTP keys</a>
  </nav>
  <div class="meta">
    <span id="store" title="the operations store"></span>
    <span>acting as <strong id="by"></strong></span>
    <span id="live" aria-live="polite">connecting…</span>
  </div>
</header>
<div id="notice" role="status" hidden><span id="notice-text"></span><button type="button" id="notice-close" aria-label="Dismiss">×</button></div>
<main id="view"></main>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <h2 id="confirm-title"></h2>
  <p id="confirm-text"></p>
  <label id="confirm-retention-row"><input type="checkbox" id="confirm-retention"> Ignore the endpoint's retention window (adds <code>oncebus-ignore-retention: true</code>)</label>
  <div class="buttons">
    <button type="button" id="confirm-cancel">Cancel</button>
    <button type="button" id="confirm-ok" class="danger"></button>
  </div>
</dialog>
<noscript>The oncebus dashboard needs JavaScript.</noscript>
</body>
</html>
`;
