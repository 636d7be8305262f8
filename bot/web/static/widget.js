/*
 * Readiness chat widget: talks to Rasa's socket.io channel (session_request / session_confirm /
 * user_uttered / bot_uttered) and renders the assessment conversation.
 *
 * Plain browser JavaScript, no build step. Needs the socket.io client (window.io) loaded first.
 * Usage: ReadinessChat.mount(element, {rasaUrl, socketPath, org, audience, storageKey, title, headingLevel}).
 * audience "patient" opens the patients' survey (sent as metadata {"audience": "patient"}).
 *
 * Safety: every piece of text from the bot or the user is inserted with textContent; links are
 * made from http(s) URLs found in bot text only, as <a> elements built node by node.
 */
(function () {
  "use strict";

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;
  var BAR_LINE = /[\u2588\u2591]/; // █ ░: the summary's per-challenge bars
  var MAX_TRANSCRIPT = 600;
  var TYPING_TIMEOUT_MS = 30000;
  var instances = 0;

  // --- storage (localStorage, or memory when the browser refuses it) -------------------------

  function Storage(prefix) {
    this.prefix = prefix;
    this.memory = {};
    try {
      var probe = prefix + ":probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      this.local = window.localStorage;
    } catch (error) {
      this.local = null;
    }
  }
  Storage.prototype.get = function (key) {
    var raw = this.local ? this.local.getItem(this.prefix + ":" + key) : this.memory[key];
    if (raw === null || raw === undefined) return null;
    try { return JSON.parse(raw); } catch (error) { return null; }
  };
  Storage.prototype.set = function (key, value) {
    var raw = JSON.stringify(value);
    if (this.local) {
      try { this.local.setItem(this.prefix + ":" + key, raw); return; } catch (error) { /* full */ }
    }
    this.memory[key] = raw;
  };
  Storage.prototype.clear = function () {
    var keys = ["session", "transcript", "progress", "org"];
    for (var i = 0; i < keys.length; i++) {
      if (this.local) this.local.removeItem(this.prefix + ":" + keys[i]);
      delete this.memory[keys[i]];
    }
  };

  // --- DOM helpers ----------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function srOnly(text) {
    return el("span", "rc-sr-only", text);
  }

  /** Append `text` to `parent`, turning http(s) URLs into links; everything else stays text. */
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var url = match[0].replace(TRAILING_PUNCTUATION, "");
      if (!url) continue;
      var safe = null;
      try {
        var parsed = new URL(url);
        if (parsed.protocol === "http:" || parsed.protocol === "https:") safe = parsed.href;
      } catch (error) { safe = null; }
      if (safe === null) continue;
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = el("a", "rc-link", url);
      link.href = safe;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = match.index + url.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Bot text: paragraphs per line; consecutive bar lines (█░) in one monospace block. */
  function renderBotText(container, text) {
    var lines = String(text).split("\n");
    var bars = null;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (BAR_LINE.test(line)) {
        if (!bars) {
          bars = el("pre", "rc-bars");
          container.appendChild(bars);
        } else {
          bars.appendChild(document.createTextNode("\n"));
        }
        appendLinkified(bars, line);
        continue;
      }
      bars = null;
      if (!line.trim()) continue;
      var paragraph = el("p", /^\s*(\d+\.|•)\s/.test(line) ? "rc-line rc-list-line" : "rc-line");
      appendLinkified(paragraph, line);
      container.appendChild(paragraph);
    }
  }

  // --- the widget -----------------------------------------------------------------------------

  function Chat(root, options) {
    instances += 1;
    this.id = "rc" + instances;
    this.root = root;
    this.options = options || {};
    this.storage = new Storage(this.options.storageKey || "readiness-chat");
    this.sessionId = this.storage.get("session");
    this.transcript = this.storage.get("transcript") || [];
    this.progress = this.storage.get("progress");
    if (this.options.org) this.storage.set("org", String(this.options.org));
    this.org = this.storage.get("org");
    // "patient" opens the patients' survey (metadata {"audience": "patient"}); anything else is staff
    this.audience = this.options.audience === "patient" ? "patient" : null;
    this.needsGreeting = !this.sessionId || this.transcript.length === 0;
    this.ready = false;
    this.queue = [];
    this.usedButton = false;
    this.typingTimer = null;
    this.build();
    this.renderTranscript();
    this.renderProgress();
    this.scrollToEnd(); // the progress bar changed the log's height
    var self = this;
    if (window.requestAnimationFrame) window.requestAnimationFrame(function () { self.scrollToEnd(); });
    this.connect();
  }

  Chat.prototype.build = function () {
    var id = this.id;
    var section = el("section", "rc");
    section.setAttribute("aria-labelledby", id + "-title");

    var header = el("header", "rc-header");
    var top = el("div", "rc-header-top");
    var level = Math.min(6, Math.max(1, parseInt(this.options.headingLevel || "2", 10) || 2));
    var title = el("h" + level, "rc-title", this.options.title || "Generative-AI readiness check");
    title.id = id + "-title";
    var restart = el("button", "rc-restart", "New chat");
    restart.type = "button";
    restart.setAttribute("aria-label", "New chat: start a new conversation");
    top.appendChild(title);
    top.appendChild(restart);
    header.appendChild(top);

    var progress = el("div", "rc-progress");
    progress.hidden = true;
    var progressText = el("p", "rc-progress-text");
    progressText.id = id + "-progress-text";
    var track = el("div", "rc-progress-track");
    track.setAttribute("role", "progressbar");
    track.setAttribute("aria-labelledby", progressText.id);
    track.setAttribute("aria-valuemin", "0");
    var fill = el("div", "rc-progress-fill");
    track.appendChild(fill);
    progress.appendChild(progressText);
    progress.appendChild(track);
    header.appendChild(progress);
    section.appendChild(header);

    var log = el("div", "rc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0; // scrollable by keyboard
    section.appendChild(log);

    var typing = el("div", "rc-typing");
    typing.setAttribute("role", "status");
    typing.hidden = true;
    var dots = el("span", "rc-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    typing.appendChild(dots);
    typing.appendChild(el("span", "rc-typing-text", "The assistant is typing…"));
    section.appendChild(typing);

    var form = el("form", "rc-form");
    form.setAttribute("aria-label", "Send a message");
    var label = el("label", "rc-sr-only", "Your answer or question");
    label.htmlFor = id + "-input";
    var input = el("input", "rc-input");
    input.id = id + "-input";
    input.type = "text";
    input.autocomplete = "off";
    input.maxLength = 500;
    input.placeholder = "Type your answer or a question…";
    var send = el("button", "rc-send", "Send");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    section.appendChild(form);

    var status = el("p", "rc-connection");
    status.setAttribute("role", "status");
    section.appendChild(status);

    this.root.textContent = "";
    this.root.appendChild(section);
    this.dom = {
      section: section, log: log, typing: typing, form: form, input: input, send: send,
      status: status, progress: progress, progressText: progressText, track: track, fill: fill,
      restart: restart
    };

    var self = this;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      self.usedButton = false;
      self.send(text, text);
    });
    restart.addEventListener("click", function () {
      if (window.confirm && !window.confirm("Start a new conversation? This clears the chat shown on this device.")) return;
      self.restart();
    });
    log.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.rc-reply") : null;
      if (!button || button.disabled || !log.contains(button)) return;
      self.usedButton = true;
      self.send(button.getAttribute("data-payload"), button.getAttribute("data-title"), button);
    });
  };

  // --- transcript -----------------------------------------------------------------------------

  Chat.prototype.save = function () {
    if (this.transcript.length > MAX_TRANSCRIPT) this.transcript = this.transcript.slice(-MAX_TRANSCRIPT);
    this.storage.set("transcript", this.transcript);
  };

  Chat.prototype.renderTranscript = function () {
    this.dom.log.textContent = "";
    for (var i = 0; i < this.transcript.length; i++) this.dom.log.appendChild(this.renderEntry(this.transcript[i], i));
    this.scrollToEnd();
  };

  Chat.prototype.renderEntry = function (entry, index) {
    var row;
    if (entry.role === "user") {
      row = el("div", "rc-msg rc-user");
      var userBubble = el("div", "rc-bubble");
      userBubble.appendChild(srOnly("You: "));
      userBubble.appendChild(document.createTextNode(entry.text));
      row.appendChild(userBubble);
      return row;
    }
    if (entry.role === "summary") return this.renderSummary(entry.summary || {});
    row = el("div", "rc-msg rc-bot");
    var bubble = el("div", "rc-bubble");
    bubble.appendChild(srOnly("Assistant: "));
    renderBotText(bubble, entry.text || "");
    row.appendChild(bubble);
    if (entry.replies && entry.replies.length) {
      var group = el("div", "rc-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Answer options");
      group.setAttribute("data-entry", String(index));
      for (var i = 0; i < entry.replies.length; i++) {
        var reply = entry.replies[i];
        var button = el("button", "rc-reply", reply.title);
        button.type = "button";
        button.setAttribute("data-payload", reply.payload);
        button.setAttribute("data-title", reply.title);
        if (entry.used) {
          button.disabled = true;
          if (entry.chosen === reply.payload) {
            button.className += " rc-chosen";
            button.setAttribute("aria-pressed", "true");
          }
        }
        group.appendChild(button);
      }
      row.appendChild(group);
    }
    return row;
  };

  Chat.prototype.renderSummary = function (summary) {
    var card = el("div", "rc-msg rc-summary");
    var box = el("div", "rc-summary-card");
    box.appendChild(el("p", "rc-summary-label", "Your readiness profile"));
    if (summary.overall !== null && summary.overall !== undefined) {
      var score = el("p", "rc-summary-score");
      score.appendChild(el("strong", null, Math.round(Number(summary.overall))));
      score.appendChild(document.createTextNode(" / 100"));
      if (summary.tier) score.appendChild(el("span", "rc-summary-tier", summary.tier));
      box.appendChild(score);
    }
    if (typeof summary.scorecard === "string") {
      try {
        var url = new URL(summary.scorecard, window.location.href);
        if (url.protocol === "http:" || url.protocol === "https:") {
          var link = el("a", "rc-summary-link", "Open your personal scorecard");
          link.href = url.href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          box.appendChild(link);
        }
      } catch (error) { /* not a URL: no link */ }
    }
    card.appendChild(box);
    return card;
  };

  Chat.prototype.addEntry = function (entry) {
    this.transcript.push(entry);
    this.save();
    var node = this.renderEntry(entry, this.transcript.length - 1);
    this.dom.log.appendChild(node);
    this.scrollToEnd();
    return node;
  };

  Chat.prototype.scrollToEnd = function () {
    var log = this.dom.log;
    log.scrollTop = log.scrollHeight;
  };

  /** Every open set of quick replies is closed once the user answers (by button or by typing). */
  Chat.prototype.closeReplies = function (chosenButton) {
    var changed = false;
    for (var i = 0; i < this.transcript.length; i++) {
      var entry = this.transcript[i];
      if (entry.replies && entry.replies.length && !entry.used) {
        entry.used = true;
        changed = true;
      }
    }
    var chosenGroup = chosenButton ? chosenButton.parentNode : null;
    if (chosenGroup) {
      var index = parseInt(chosenGroup.getAttribute("data-entry"), 10);
      if (this.transcript[index]) this.transcript[index].chosen = chosenButton.getAttribute("data-payload");
      chosenButton.className += " rc-chosen";
      chosenButton.setAttribute("aria-pressed", "true");
    }
    var buttons = this.dom.log.querySelectorAll("button.rc-reply:not([disabled])");
    for (var j = 0; j < buttons.length; j++) buttons[j].disabled = true;
    if (changed) this.save();
  };

  // --- progress -------------------------------------------------------------------------------

  Chat.prototype.renderProgress = function () {
    var p = this.progress;
    var dom = this.dom;
    if (!p) { dom.progress.hidden = true; return; }
    dom.progress.hidden = false;
    var questions = Math.max(1, Number(p.questions) || 1);
    var answered = Math.max(0, Math.min(questions, Number(p.answered) || 0));
    var text;
    if (p.complete) {
      // staff: the nine challenges; patients: a short survey of a few statements
      text = this.audience === "patient" ? "Survey complete: all " + questions + " questions answered"
        : "Assessment complete: all " + p.challenges + " challenges done";
      answered = questions;
    } else {
      text = "Challenge " + p.challenge + " of " + p.challenges + (p.challenge_title ? ": " + p.challenge_title : "") +
        " · Question " + p.question + " of " + p.questions;
    }
    dom.progressText.textContent = text;
    dom.track.setAttribute("aria-valuemax", String(questions));
    dom.track.setAttribute("aria-valuenow", String(answered));
    dom.track.setAttribute("aria-valuetext", answered + " of " + questions + " answered. " + text);
    dom.track.setAttribute("data-question", String(p.complete ? questions : p.question));
    dom.track.setAttribute("data-challenge", String(p.challenge || ""));
    dom.fill.style.width = (100 * answered / questions).toFixed(1) + "%";
  };

  Chat.prototype.setProgress = function (progress) {
    this.progress = progress;
    this.storage.set("progress", progress);
    this.renderProgress();
    this.scrollToEnd();
  };

  // --- typing indicator -----------------------------------------------------------------------

  Chat.prototype.showTyping = function () {
    var self = this;
    this.dom.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.hideTyping(); }, TYPING_TIMEOUT_MS);
  };

  Chat.prototype.hideTyping = function () {
    clearTimeout(this.typingTimer);
    this.dom.typing.hidden = true;
  };

  // --- socket.io (Rasa's socketio channel) ----------------------------------------------------

  Chat.prototype.setStatus = function (text) {
    this.dom.status.textContent = text || "";
  };

  Chat.prototype.connect = function () {
    if (typeof window.io !== "function") {
      this.setStatus("The chat client failed to load. Please reload the page.");
      return;
    }
    var self = this;
    this.setStatus("Connecting…");
    var socket = window.io(this.options.rasaUrl, {
      path: this.options.socketPath || "/socket.io",
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true
    });
    this.socket = socket;
    socket.on("connect", function () {
      self.ready = false;
      socket.emit("session_request", { session_id: self.sessionId || null });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = confirmed && typeof confirmed === "object" ? confirmed.session_id : confirmed;
      if (!id) return;
      self.sessionId = String(id);
      self.storage.set("session", self.sessionId);
      self.ready = true;
      self.setStatus("");
      self.dom.section.setAttribute("data-session", self.sessionId);
      if (self.needsGreeting) {
        self.needsGreeting = false;
        self.send("/greet", null); // hidden: the bot introduces itself
      }
      self.flush();
    });
    socket.on("bot_uttered", function (message) { self.receive(message); });
    socket.on("disconnect", function () {
      self.ready = false;
      self.setStatus("Connection lost, reconnecting…");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.setStatus("Cannot reach the chat server, retrying…");
    });
  };

  /** Send a message; `shown` is what appears as the user's bubble (null: nothing is shown). */
  Chat.prototype.send = function (message, shown, button) {
    if (!message) return;
    this.closeReplies(button);
    if (shown) this.addEntry({ role: "user", text: String(shown) });
    this.queue.push(String(message));
    this.showTyping();
    this.flush();
    if (!button) this.dom.input.focus();
    else this.dom.input.focus({ preventScroll: true });
  };

  Chat.prototype.flush = function () {
    if (!this.ready || !this.socket) return;
    while (this.queue.length) {
      var metadata = this.org ? { org: this.org } : {};
      if (this.audience) metadata.audience = this.audience;
      this.socket.emit("user_uttered", { message: this.queue.shift(), session_id: this.sessionId, metadata: metadata });
    }
  };

  Chat.prototype.receive = function (message) {
    if (!message || typeof message !== "object") return;
    this.hideTyping();
    if (message.progress && typeof message.progress === "object") this.setProgress(message.progress);
    if (message.summary && typeof message.summary === "object") {
      this.addEntry({ role: "summary", summary: message.summary });
      if (this.progress) {
        var done = {};
        for (var key in this.progress) if (Object.prototype.hasOwnProperty.call(this.progress, key)) done[key] = this.progress[key];
        done.complete = true;
        done.answered = done.questions;
        this.setProgress(done);
      }
    }
    if (typeof message.text === "string" && message.text.trim()) {
      var replies = [];
      var quick = message.quick_replies || message.buttons || [];
      for (var i = 0; i < quick.length; i++) {
        if (quick[i] && typeof quick[i].payload === "string") {
          replies.push({ title: String(quick[i].title || quick[i].payload), payload: quick[i].payload });
        }
      }
      var node = this.addEntry({ role: "bot", text: message.text, replies: replies });
      if (replies.length && this.usedButton) {
        var first = node.querySelector("button.rc-reply");
        if (first) first.focus();
      }
    } else if (message.attachment && message.attachment.payload && typeof message.attachment.payload.src === "string") {
      this.addEntry({ role: "bot", text: message.attachment.payload.src, replies: [] });
    }
  };

  Chat.prototype.restart = function () {
    this.storage.clear();
    if (this.socket) this.socket.disconnect();
    this.sessionId = null;
    this.transcript = [];
    this.progress = null;
    this.org = this.options.org ? String(this.options.org) : null;
    if (this.org) this.storage.set("org", this.org);
    this.needsGreeting = true;
    this.queue = [];
    this.renderTranscript();
    this.renderProgress();
    this.connect();
    this.dom.input.focus();
  };

  window.ReadinessChat = {
    mount: function (root, options) { return new Chat(root, options); }
  };
})();
