/**
 * The page's HTML: no inline script or style (the Content-Security-Policy
 * forbids them); `app.js` and `app.css` are separate files.
 *
 * @module
 */

/** The page. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ferry</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header><h1>ferry</h1><span id="who"></span><button id="logout" hidden>Log out</button></header>
<main>
<form id="login" hidden>
  <h2>Log in</h2>
  <label>User <input id="login-user" name="user" autocomplete="username" required></label>
  <label>Password <input id="login-password" name="password" type="password"
    autocomplete="current-password" required></label>
  <button id="login-submit" type="submit">Log in</button>
  <p id="login-error" class="error" role="alert"></p>
</form>
<section id="app" hidden>
  <nav id="crumbs" aria-label="Folder"></nav>
  <div id="toolbar">
    <span class="writer"><button id="upload-button">Upload files</button>
    <input id="upload-input" type="file" multiple hidden></span>
    <button id="mkdir-button" class="maker">New folder</button>
    <label class="writer">If the name is taken
      <select id="policy">
        <option value="refuse">refuse</option>
        <option value="replace">replace</option>
        <option value="keep-both">keep both</option>
      </select></label>
    <a id="archive-link" href="#">Download folder (.tar)</a>
  </div>
  <p id="message" role="status"></p>
  <div id="uploads" hidden>
    <div>All uploads <progress id="overall" max="1" value="0"></progress>
      <span id="overall-text"></span></div>
    <ul id="upload-list"></ul>
  </div>
  <div id="dropzone">
    <table id="listing">
      <thead><tr><th>Name</th><th>Size</th><th>Modified</th><th></th></tr></thead>
      <tbody id="entries"></tbody>
    </table>
    <p id="drop-hint" class="writer">Drop files here to upload them.</p>
  </div>
</section>
</main>
</body>
</html>
`;
