/*
 * One-snippet embedding of the readiness chat:
 *
 *   <script src="https://readiness.example.org/static/embed.js"
 *           data-rasa-url="https://readiness.example.org:5005"
 *           data-org="ABC-123" async></script>
 *
 * Loads the stylesheet, the socket.io client and the widget from the same folder as this file,
 * then mounts the chat: inside the element named by data-target (a CSS selector), or as a
 * "Chat" button in the bottom corner that opens a panel.
 *
 * data-* options: rasa-url (Rasa's address; default: this file's host with data-rasa-port, 5005),
 * rasa-port, socket-path (/socket.io), org (join code; default ?org= in the page address),
 * audience ("patient" for the patients' survey; default ?audience= in the page address),
 * target, title, storage-key (localStorage prefix), button-label.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset || {};
  var base = new URL(".", script.src).href;
  var scriptUrl = new URL(script.src);

  function loadScript(src, ready) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = ready;
    tag.onerror = function () { window.console && console.error("readiness chat: cannot load " + src); };
    document.head.appendChild(tag);
  }

  function ensureStylesheet() {
    var links = document.querySelectorAll("link[rel=stylesheet]");
    for (var i = 0; i < links.length; i++) if (/\/widget\.css(\?|$)/.test(links[i].href)) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base + "widget.css";
    document.head.appendChild(link);
  }

  function options() {
    var org = data.org;
    if (!org) {
      try { org = new URLSearchParams(window.location.search).get("org") || ""; } catch (error) { org = ""; }
    }
    var audience = data.audience;
    if (!audience) {
      try { audience = new URLSearchParams(window.location.search).get("audience") || ""; } catch (error) { audience = ""; }
    }
    var patient = audience === "patient";
    var rasaUrl = data.rasaUrl;
    if (!rasaUrl) rasaUrl = scriptUrl.protocol + "//" + scriptUrl.hostname + ":" + (data.rasaPort || "5005");
    return {
      rasaUrl: rasaUrl,
      socketPath: data.socketPath || "/socket.io",
      org: org ? org.slice(0, 64) : "",
      audience: patient ? "patient" : "",
      // patients and staff on one device keep separate conversations
      storageKey: data.storageKey || (patient ? "readiness-chat-patient" : "readiness-chat"),
      title: data.title || (patient ? "AI in your care: a short survey" : "Generative-AI readiness check"),
      headingLevel: data.target ? "1" : "2"
    };
  }

  function mountFloating(opts) {
    var id = "rc-panel-" + Math.random().toString(36).slice(2, 8);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "rc-launcher";
    toggle.textContent = data.buttonLabel || "AI readiness chat";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id);
    var panel = document.createElement("div");
    panel.className = "rc-floating";
    panel.id = id;
    panel.hidden = true;
    document.body.appendChild(panel);
    document.body.appendChild(toggle);
    var chat = null;
    function setOpen(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "Close chat" : (data.buttonLabel || "AI readiness chat");
      if (open) {
        if (!chat) chat = window.ReadinessChat.mount(panel, opts);
        var input = panel.querySelector(".rc-input");
        if (input) input.focus();
      }
    }
    toggle.addEventListener("click", function () { setOpen(panel.hidden); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setOpen(false); toggle.focus(); }
    });
  }

  function start() {
    var opts = options();
    if (data.target) {
      var target = document.querySelector(data.target);
      if (!target) { window.console && console.error("readiness chat: no element " + data.target); return; }
      target.classList.add("rc-inline");
      window.ReadinessChat.mount(target, opts);
    } else {
      mountFloating(opts);
    }
  }

  function afterLoad() {
    if (typeof window.io !== "function") { loadScript(base + "vendor/socket.io.min.js", afterLoad); return; }
    if (!window.ReadinessChat) { loadScript(base + "widget.js", afterLoad); return; }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }

  ensureStylesheet();
  afterLoad();
})();
