/**
 * The page's script: login, listing, uploads in chunks (resumable), and the
 * file commands. Names are only ever set with `textContent`, never parsed
 * as HTML.
 *
 * @module
 */

/** `app.js`. */
export const APP_JS = String.raw`"use strict";
(function () {
  var CHUNK = 8 * 1024 * 1024;
  var state = { csrf: "", permissions: [], cwd: "" };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function api(method, path, body) {
    var headers = { "x-ferry-csrf": state.csrf };
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().then(function (value) {
        if (!response.ok) {
          var error = new Error(value.error ? value.error.message : response.statusText);
          error.code = value.error ? value.error.code : "internal";
          throw error;
        }
        return value;
      });
    });
  }

  function can(permission) { return state.permissions.indexOf(permission) >= 0; }
  function join(folder, name) { return folder === "" ? name : folder + "/" + name; }
  function say(text, isError) {
    var message = $("message");
    message.textContent = text;
    message.className = isError ? "error" : "";
  }

  function size(bytes) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  function showLogin() {
    $("app").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login").hidden = false;
  }

  function enter(session) {
    state.csrf = session.csrf;
    state.permissions = session.permissions;
    $("login").hidden = true;
    $("app").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = session.user;
    document.querySelectorAll(".writer").forEach(function (node) { node.hidden = !can("write"); });
    document.querySelectorAll(".maker").forEach(function (node) { node.hidden = !can("mkdir"); });
    var wanted = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    open(wanted);
  }

  function crumbs() {
    var nav = $("crumbs");
    nav.replaceChildren();
    var root = el("a", "Home");
    root.href = "#/";
    root.addEventListener("click", function (event) { event.preventDefault(); open(""); });
    nav.append(root);
    var path = "";
    state.cwd.split("/").filter(Boolean).forEach(function (segment) {
      path = join(path, segment);
      var target = path;
      nav.append(el("span", "/"));
      var link = el("a", segment);
      link.href = "#/" + encodeURIComponent(target);
      link.addEventListener("click", function (event) { event.preventDefault(); open(target); });
      nav.append(link);
    });
  }

  function row(entry) {
    var path = join(state.cwd, entry.name);
    var tr = el("tr");
    tr.dataset.name = entry.name;
    var name = el("td", undefined, "name");
    var link = el("a", entry.kind === "dir" ? entry.name + "/" : entry.name);
    if (entry.kind === "dir") {
      link.href = "#/" + encodeURIComponent(path);
      link.addEventListener("click", function (event) { event.preventDefault(); open(path); });
    } else {
      link.href = "/api/file?path=" + encodeURIComponent(path);
      link.setAttribute("download", "");
    }
    name.append(link);
    if (entry.encrypted) name.append(el("span", "encrypted", "mark"));
    tr.append(name);
    tr.append(el("td", entry.kind === "dir" ? "" : size(entry.size), "size"));
    tr.append(el("td", entry.mtime ? new Date(entry.mtime).toLocaleString() : "", "time"));
    var actions = el("td");
    if (can("write")) {
      var rename = el("button", "Rename", "rename");
      rename.addEventListener("click", function () {
        var to = prompt("New name or path for " + entry.name, path);
        if (!to || to === path) return;
        api("POST", "/api/rename", { from: path, to: to, policy: $("policy").value })
          .then(function () { say("Renamed " + entry.name); open(state.cwd); })
          .catch(function (error) { say(error.message, true); });
      });
      actions.append(rename);
    }
    if (can("delete")) {
      var remove = el("button", "Delete", "delete");
      remove.addEventListener("click", function () {
        if (!confirm("Delete " + entry.name + (entry.kind === "dir" ? " and all it holds" : "") + "?")) return;
        api("POST", "/api/delete", { path: path })
          .then(function () { say("Deleted " + entry.name); open(state.cwd); })
          .catch(function (error) { say(error.message, true); });
      });
      actions.append(remove);
    }
    tr.append(actions);
    return tr;
  }

  function open(path) {
    return api("GET", "/api/list?path=" + encodeURIComponent(path)).then(function (listing) {
      state.cwd = listing.path;
      history.replaceState(null, "", "#/" + encodeURIComponent(listing.path));
      crumbs();
      $("archive-link").href = "/api/archive?path=" + encodeURIComponent(listing.path);
      var entries = listing.entries.slice().sort(function (a, b) {
        if (a.kind !== b.kind) return a.kind === "dir" ? -1 : 1;
        return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      });
      $("entries").replaceChildren.apply($("entries"), entries.map(row));
      document.body.dataset.listed = listing.path + "|" + Date.now();
    }).catch(function (error) {
      if (error.code === "auth_failed") showLogin();
      else say(error.message, true);
    });
  }

  // Uploads: each file in chunks of CHUNK bytes, each sent with its offset.
  var totals = { done: 0, size: 0 };
  function overall() {
    $("overall").max = Math.max(1, totals.size);
    $("overall").value = totals.done;
    $("overall-text").textContent = size(totals.done) + " of " + size(totals.size);
  }

  function sendChunk(id, offset, blob, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", "/api/upload?id=" + encodeURIComponent(id) + "&offset=" + offset);
      xhr.setRequestHeader("x-ferry-csrf", state.csrf);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () {
        var value;
        try { value = JSON.parse(xhr.responseText); } catch (e) { value = {}; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(value);
        else {
          var error = new Error(value.error ? value.error.message : "HTTP " + xhr.status);
          error.code = value.error ? value.error.code : "internal";
          reject(error);
        }
      };
      xhr.onerror = function () {
        var error = new Error("the connection was lost");
        error.code = "interrupted";
        reject(error);
      };
      xhr.send(blob);
    });
  }

  function upload(file, folder) {
    var item = el("li");
    item.dataset.name = file.name;
    var bar = el("progress");
    bar.max = Math.max(1, file.size);
    bar.value = 0;
    var status = el("span", "waiting", "status");
    item.append(el("span", file.name, "file"), bar, status);
    $("upload-list").append(item);
    $("uploads").hidden = false;
    totals.size += file.size;
    overall();
    var counted = 0;
    function count(offset) {
      totals.done += offset - counted;
      counted = offset;
      bar.value = offset;
      overall();
    }
    function run() {
      item.dataset.state = "running";
      status.textContent = "starting";
      var body = { path: join(folder, file.name), size: file.size, policy: $("policy").value,
        mtime: file.lastModified };
      return api("POST", "/api/upload", body).then(function (start) {
        if (start.offset > 0) item.dataset.resumedAt = String(start.offset);
        function next(offset) {
          count(offset);
          status.textContent = size(offset) + " of " + size(file.size);
          var end = Math.min(file.size, offset + CHUNK);
          return sendChunk(start.id, offset, file.slice(offset, end), function (loaded) {
            count(offset + loaded);
          }).then(function (answer) {
            if (answer.done) return answer.done;
            return next(answer.offset);
          });
        }
        return next(start.offset);
      }).then(function (done) {
        count(file.size);
        item.dataset.state = "done";
        item.dataset.sha256 = done.sha256;
        status.textContent = "done: " + done.path + ", SHA-256 " + done.sha256;
        status.title = done.sha256;
        if (folder === state.cwd) open(state.cwd);
      }).catch(function (error) {
        item.dataset.state = error.code === "interrupted" ? "interrupted" : "failed";
        status.textContent = (error.code === "interrupted" ? "interrupted: " : "failed: ") + error.message;
        if (error.code === "interrupted" || error.code === "busy") {
          var resume = el("button", "Resume", "resume");
          resume.addEventListener("click", function () { resume.remove(); run(); });
          item.append(resume);
        }
      });
    }
    return run();
  }

  function uploadAll(files) {
    var folder = state.cwd;
    var list = Array.prototype.slice.call(files);
    var chain = Promise.resolve();
    list.forEach(function (file) { chain = chain.then(function () { return upload(file, folder); }); });
    return chain;
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("login").addEventListener("submit", function (event) {
      event.preventDefault();
      $("login-error").textContent = "";
      $("login-submit").disabled = true;
      api("POST", "/api/login", { user: $("login-user").value, password: $("login-password").value })
        .then(function (session) { $("login-password").value = ""; enter(session); })
        .catch(function (error) { $("login-error").textContent = error.message; })
        .finally(function () { $("login-submit").disabled = false; });
    });
    $("logout").addEventListener("click", function () {
      api("POST", "/api/logout").finally(function () { state.csrf = ""; showLogin(); });
    });
    $("upload-button").addEventListener("click", function () { $("upload-input").click(); });
    $("upload-input").addEventListener("change", function () {
      var files = $("upload-input").files;
      uploadAll(files).finally(function () { $("upload-input").value = ""; });
    });
    $("mkdir-button").addEventListener("click", function () {
      var name = prompt("Name of the new folder");
      if (!name) return;
      api("POST", "/api/mkdir", { path: join(state.cwd, name) })
        .then(function () { open(state.cwd); })
        .catch(function (error) { say(error.message, true); });
    });
    var zone = $("dropzone");
    zone.addEventListener("dragover", function (event) {
      if (!can("write")) return;
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      zone.classList.remove("over");
      if (!can("write")) return;
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    api("GET", "/api/session").then(enter).catch(showLogin);
  });
})();
`;
