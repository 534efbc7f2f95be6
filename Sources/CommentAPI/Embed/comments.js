// CommentDesk comment box. Add to an article page:
//   <div data-commentdesk-article="ARTICLE-REF"></div>
//   <script src="https://COMMENTD/embed/comments.js" defer></script>
// No build step, no dependencies, no cookies: the reader logs in with X or Facebook in a popup on commentd's own
// origin, which hands a short-lived token back to this page by postMessage; the token lives in this tab only.
(function () {
  "use strict";
  var script = document.currentScript;
  var api = new URL(script ? script.src : location.href).origin;
  var korean = (document.documentElement.lang || "").toLowerCase().indexOf("ko") === 0;
  var words = korean ? {
    title: "댓글", connect: "X(트위터) 또는 페이스북 계정으로 로그인하세요", needLogin: "댓글을 쓰려면 계정 중 하나로 로그인하세요.",
    loginX: "X(트위터)로 로그인", loginFacebook: "페이스북으로 로그인", policy: "Standards Board Policy", comment: "댓글", post: "등록",
    loggedInAs: "로그인: ", logout: "로그아웃", awaiting: "검토 대기 중", held: "검토를 위해 보류됨", rejected: "게시되지 않음",
    more: "더 보기", none: "아직 댓글이 없습니다.", tooLong: "250자를 넘었습니다.", expired: "로그인이 만료되었습니다. 다시 로그인하세요.",
    tooFast: "너무 빨리 쓰고 있습니다. {s}초 후에 다시 시도하세요.", failed: "댓글을 보내지 못했습니다. 잠시 후 다시 시도하세요.",
    yours: "내 댓글", popupBlocked: "로그인 창이 차단되었습니다. 팝업을 허용하고 다시 시도하세요.",
    reply: "답글", replyTo: "{name}님에게 답글", report: "신고", cancel: "취소", sendReport: "신고하기", why: "신고 사유",
    note: "운영자에게 남길 말 (선택)", reported: "신고가 접수되었습니다. 운영자가 검토합니다.",
    hidden: "신고가 접수되어 이 댓글은 운영자가 검토할 때까지 숨겨집니다.", ownComment: "내 댓글은 신고할 수 없습니다.",
    gone: "더 이상 게시되지 않은 댓글입니다.", moreReplies: "답글 더 보기", loginFirst: "답글과 신고는 로그인 후에 할 수 있습니다.",
    tooManyReports: "신고가 너무 많습니다. {s}초 후에 다시 시도하세요."
  } : {
    title: "Comments", connect: "Log in to Twitter or Facebook account to connect with the Korea JoongAng Daily",
    needLogin: "To write comments, please log in to one of the accounts.", loginX: "Log in with X (Twitter)",
    loginFacebook: "Log in with Facebook", policy: "Standards Board Policy", comment: "Comment", post: "Post",
    loggedInAs: "Logged in as ", logout: "Log out", awaiting: "Awaiting review", held: "Held for review",
    rejected: "Not published", more: "More comments", none: "No comments yet.", tooLong: "Over the 250-character limit.",
    expired: "Your login has expired. Please log in again.", tooFast: "You are posting too fast. Please try again in {s} seconds.",
    failed: "Your comment could not be sent. Please try again in a moment.", yours: "Your comment",
    popupBlocked: "The login window was blocked. Allow pop-ups for this site and try again.",
    reply: "Reply", replyTo: "Reply to {name}", report: "Report", cancel: "Cancel", sendReport: "Send report", why: "Why?",
    note: "A note for the moderators (optional)", reported: "Thank you. The moderators will look at it.",
    hidden: "Thank you. The comment is hidden until a moderator has looked at it.",
    ownComment: "You cannot report your own comment.", gone: "This comment is no longer shown.", moreReplies: "More replies",
    loginFirst: "Log in to reply or to report a comment.", tooManyReports: "You have sent many reports. Please try again in {s} seconds."
  };
  var flagReasons = korean ? [
    ["abusive", "욕설·괴롭힘"], ["offensive", "불쾌한 내용"], ["spam", "스팸·광고"], ["personal_info", "개인정보 노출"], ["other", "기타"]
  ] : [
    ["abusive", "Abusive or harassing"], ["offensive", "Offensive"], ["spam", "Spam or advertising"],
    ["personal_info", "Personal information"], ["other", "Something else"]
  ];
  var reasons = korean ? {
    profanity: "욕설", hate: "혐오 표현", sexual: "성적인 표현", insult: "모욕", threat: "위협", personal_info: "개인정보",
    link: "링크", spam: "스팸", flood: "도배", duplicate: "중복 댓글", rate_limited: "너무 잦은 댓글", too_long: "250자 초과",
    empty: "빈 댓글", malformed: "허용되지 않는 문자", new_commenter: "새 계정의 첫 댓글", abusive: "공격적인 표현",
    article_closed: "댓글이 닫힌 기사", account_banned: "이용이 제한된 계정", account_suspended: "일시 정지된 계정"
  } : {
    profanity: "profanity", hate: "hate speech", sexual: "sexual content", insult: "an insult", threat: "a threat",
    personal_info: "personal information", link: "a link", spam: "spam", flood: "repeated characters or lines",
    duplicate: "a duplicate comment", rate_limited: "commenting too often", too_long: "more than 250 characters",
    empty: "an empty comment", malformed: "characters that are not allowed", new_commenter: "a new account's first comments",
    abusive: "abusive language", article_closed: "comments on this article are closed",
    account_banned: "this account may not comment", account_suspended: "this account is suspended"
  };
  // The API's refusals (problem+json `reason`), in the reader's language; anything else shows the API's own words.
  var refusals = korean ? {
    article_closed: "이 기사는 댓글이 닫혔습니다.", account_banned: "이 계정은 댓글을 쓸 수 없습니다.",
    account_suspended: "이 계정은 일시 정지되었습니다.", too_long: "250자를 넘었습니다.", empty: "내용을 입력하세요.",
    malformed: "허용되지 않는 문자가 있습니다.", provider_not_allowed: "이 로그인 방식은 사용할 수 없습니다.",
    reply_parent_unavailable: "답글을 달려는 댓글이 더 이상 게시되어 있지 않습니다.", own_comment: "내 댓글은 신고할 수 없습니다."
  } : {
    article_closed: "Comments are closed on this article.", account_banned: "This account may not comment here.",
    account_suspended: "This account is suspended.", too_long: "Over the 250-character limit.",
    empty: "Write something before posting.", malformed: "The comment has characters that are not allowed.",
    provider_not_allowed: "This login provider is not accepted here.",
    reply_parent_unavailable: "The comment you are replying to is no longer shown.",
    own_comment: "You cannot report your own comment."
  };
  var session = null; // {token, name, provider, expiresAt}
  try { session = JSON.parse(sessionStorage.getItem("commentdesk:" + api) || "null"); } catch (e) { session = null; }
  if (session && session.expiresAt < Date.now()) session = null;
  var boxes = [];
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  // Characters as the server counts them: user-perceived characters of the NFC text, CRLF as one, trimmed.
  function count(text) {
    var t = text.replace(/\r\n/g, "\n").normalize("NFC").replace(/^\s+|\s+$/g, "");
    if (!segmenter) return Array.from(t).length;
    var n = 0;
    for (var it = segmenter.segment(t)[Symbol.iterator](), s = it.next(); !s.done; s = it.next()) n++;
    return n;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text != null) node.textContent = text;
    return node;
  }

  function reasonWords(list) {
    return (list || []).map(function (r) { return reasons[r] || r.replace(/_/g, " "); }).join(", ");
  }

  function setSession(value) {
    session = value;
    try {
      if (value) sessionStorage.setItem("commentdesk:" + api, JSON.stringify(value));
      else sessionStorage.removeItem("commentdesk:" + api);
    } catch (e) { /* storage may be off: the session then lasts as long as the page */ }
    boxes.forEach(function (box) { box.render(); });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== api || !event.data || typeof event.data !== "object") return;
    if (event.data.type === "commentdesk-login" && typeof event.data.token === "string") {
      setSession({ token: event.data.token, name: String(event.data.name || ""), provider: String(event.data.provider || ""),
        expiresAt: Number(event.data.expiresAt) || Date.now() + 3600000 });
    } else if (event.data.type === "commentdesk-login-failed") {
      boxes.forEach(function (box) { box.say(String(event.data.message || ""), true); });
    }
  });

  function Box(root) {
    var self = this;
    var ref = root.getAttribute("data-commentdesk-article");
    var max = 250;
    var next = null;
    root.textContent = "";
    root.classList.add("commentdesk");
    var section = el("section", { "aria-label": words.title });
    var heading = el("h2", {}, words.title);
    var account = el("div", { "class": "commentdesk-account" });
    var form = el("form", { "class": "commentdesk-form", novalidate: "" });
    var id = "commentdesk-" + Math.random().toString(36).slice(2);
    var label = el("label", { "for": id }, words.comment);
    var area = el("textarea", { id: id, rows: "4", "aria-describedby": id + "-count" });
    var footer = el("div", { "class": "commentdesk-footer" });
    var policy = el("span", { "class": "commentdesk-policy" }, words.policy + " ");
    var counter = el("span", { id: id + "-count", "class": "commentdesk-count", "aria-live": "polite" });
    var submit = el("button", { type: "submit" }, words.post);
    var status = el("p", { "class": "commentdesk-status", role: "status", "aria-live": "polite" });
    var mine = el("ul", { "class": "commentdesk-mine", "aria-label": words.yours });
    var list = el("ul", { "class": "commentdesk-list" });
    var more = el("button", { type: "button", "class": "commentdesk-more", hidden: "" }, words.more);
    policy.appendChild(counter);
    footer.appendChild(policy);
    footer.appendChild(submit);
    form.appendChild(label);
    form.appendChild(area);
    form.appendChild(footer);
    [heading, account, form, status, mine, list, more].forEach(function (n) { section.appendChild(n); });
    root.appendChild(section);

    this.say = function (text, isError) {
      status.textContent = text;
      status.className = "commentdesk-status" + (isError ? " commentdesk-error" : "");
    };

    // The N/250자 counter of a text area, and whether its button may send.
    function measure(input, shown, button) {
      var n = count(input.value);
      shown.textContent = n + "/" + max + "자";
      var over = n > max;
      shown.classList.toggle("commentdesk-over", over);
      input.setAttribute("aria-invalid", over ? "true" : "false");
      button.disabled = !session || over || n === 0;
      return over;
    }

    function updateCounter() {
      var over = measure(area, counter, submit);
      if (over) self.say(words.tooLong, true);
      else if (status.textContent === words.tooLong) self.say("");
    }

    function login(provider) {
      var popup = window.open(api + "/auth/" + provider + "/login?origin=" + encodeURIComponent(location.origin),
        "commentdesk-login", "width=600,height=720");
      if (!popup) self.say(words.popupBlocked, true);
    }

    this.render = function () {
      account.textContent = "";
      if (session && status.textContent === words.loginFirst) self.say("");
      if (session) {
        account.appendChild(el("span", {}, words.loggedInAs + session.name));
        var out = el("button", { type: "button" }, words.logout);
        out.addEventListener("click", function () { setSession(null); });
        account.appendChild(document.createTextNode(" "));
        account.appendChild(out);
        area.disabled = false;
      } else {
        account.appendChild(el("p", {}, words.connect));
        var lock = el("p", { "class": "commentdesk-lock" });
        lock.appendChild(el("span", { "aria-hidden": "true" }, "🔒 "));
        lock.appendChild(document.createTextNode(words.needLogin));
        account.appendChild(lock);
        var x = el("button", { type: "button", "class": "commentdesk-login-x" }, words.loginX);
        var fb = el("button", { type: "button", "class": "commentdesk-login-facebook" }, words.loginFacebook);
        x.addEventListener("click", function () { login("x"); });
        fb.addEventListener("click", function () { login("facebook"); });
        account.appendChild(x);
        account.appendChild(document.createTextNode(" "));
        account.appendChild(fb);
        area.disabled = true;
      }
      updateCounter();
    };

    function problem(response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 401) { setSession(null); return words.expired; }
        var wait = body.retryAfterSeconds || response.headers.get("Retry-After") || "60";
        if (response.status === 429) return (body.reason === "flags_rate_limited" ? words.tooManyReports : words.tooFast).replace("{s}", wait);
        var said = refusals[body.reason];
        if (said && body.reason === "account_suspended" && body.suspendedUntil) {
          said += " (" + new Date(body.suspendedUntil).toLocaleString(korean ? "ko-KR" : "en-GB") + ")";
        }
        return said || body.detail || body.title || words.failed;
      });
    }

    function showMine(comment, text) {
      var item = el("li", { "data-comment-id": String(comment.id) });
      var body = el("p", { "class": "commentdesk-body" }, text);
      var state = el("p", { "class": "commentdesk-state" }, words.awaiting);
      item.appendChild(body);
      item.appendChild(state);
      mine.insertBefore(item, mine.firstChild);
      // Followed until it is decided for good: the worker decides in a moment, a moderator a held one later.
      var tries = 0;
      (function poll() {
        if (!session || tries++ > 400) return;
        fetch(api + "/v1/comments/" + comment.id, { headers: { Authorization: "Bearer " + session.token } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (c) {
            if (!c || c.status === "queued") { setTimeout(poll, 1000); return; }
            if (c.status === "approved") { item.remove(); load("revalidate"); return; }
            var because = reasonWords(c.reasons);
            state.textContent = (c.status === "held" ? words.held : words.rejected) + (because ? ": " + because : "");
            if (c.status === "held") setTimeout(poll, 2000);
          })
          .catch(function () { setTimeout(poll, 3000); });
      })();
    }

    // Posts `text` (a reply when parentId is set); `done()` runs once it is stored, `said(message)` when it is not.
    function send(text, parentId, done, said) {
      var key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      var payload = parentId ? { body: text, parentId: parentId } : { body: text };
      fetch(api + "/v1/articles/" + encodeURIComponent(ref) + "/comments", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token, "Idempotency-Key": key },
        body: JSON.stringify(payload)
      }).then(function (response) {
        if (response.status === 202 || response.status === 200) {
          return response.json().then(function (comment) { done(); showMine(comment, text); });
        }
        return problem(response).then(said);
      }).catch(function () { said(words.failed); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!session || submit.disabled) return;
      submit.disabled = true;
      self.say("");
      send(area.value, null, function () { area.value = ""; updateCounter(); },
        function (message) { self.say(message, true); updateCounter(); });
    });

    // An inline form under a comment: a reply, or a report. Only one is open per comment.
    function openForm(item, build) {
      var open = item.querySelector(":scope > .commentdesk-inline");
      if (open) open.remove();
      if (!session) { self.say(words.loginFirst, true); return; }
      var inline = el("form", { "class": "commentdesk-inline", novalidate: "" });
      var note = el("p", { "class": "commentdesk-inline-status", role: "status", "aria-live": "polite" });
      var cancel = el("button", { type: "button" }, words.cancel);
      cancel.addEventListener("click", function () { inline.remove(); });
      build(inline, note, cancel);
      inline.appendChild(note);
      var replies = item.querySelector(":scope > .commentdesk-replies");
      item.insertBefore(inline, replies || null);
      var first = inline.querySelector("textarea, select");
      if (first) first.focus();
    }

    function replyForm(item, comment) {
      openForm(item, function (inline, note, cancel) {
        var input = el("textarea", { rows: "3", "aria-label": words.replyTo.replace("{name}", comment.displayName) });
        var shown = el("span", { "class": "commentdesk-count", "aria-live": "polite" });
        var button = el("button", { type: "submit" }, words.post);
        var row = el("div", { "class": "commentdesk-footer" });
        row.appendChild(shown);
        var buttons = el("span");
        buttons.appendChild(cancel);
        buttons.appendChild(document.createTextNode(" "));
        buttons.appendChild(button);
        row.appendChild(buttons);
        inline.appendChild(input);
        inline.appendChild(row);
        input.addEventListener("input", function () { measure(input, shown, button); });
        measure(input, shown, button);
        inline.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!session || button.disabled) return;
          button.disabled = true;
          send(input.value, comment.id, function () { inline.remove(); },
            function (message) { note.textContent = message; note.className = "commentdesk-inline-status commentdesk-error"; measure(input, shown, button); });
        });
      });
    }

    function reportForm(item, comment) {
      openForm(item, function (inline, note, cancel) {
        var select = el("select", { "aria-label": words.why });
        flagReasons.forEach(function (pair) { select.appendChild(el("option", { value: pair[0] }, pair[1])); });
        var remark = el("textarea", { rows: "2", maxlength: "500", "aria-label": words.note, placeholder: words.note });
        var button = el("button", { type: "submit" }, words.sendReport);
        inline.appendChild(el("label", {}, words.why + " "));
        inline.lastChild.appendChild(select);
        inline.appendChild(remark);
        inline.appendChild(cancel);
        inline.appendChild(document.createTextNode(" "));
        inline.appendChild(button);
        inline.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!session) return;
          button.disabled = true;
          var payload = { reason: select.value };
          if (remark.value.trim()) payload.note = remark.value.trim();
          fetch(api + "/v1/comments/" + comment.id + "/flags", {
            method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token },
            body: JSON.stringify(payload)
          }).then(function (response) {
            if (response.status === 201 || response.status === 200) {
              return response.json().then(function (flag) {
                inline.remove();
                var thanks = el("p", { "class": "commentdesk-state", role: "status" }, flag.hidden ? words.hidden : words.reported);
                if (flag.hidden) {
                  item.textContent = "";
                  item.classList.add("commentdesk-hidden");
                }
                item.insertBefore(thanks, item.querySelector(":scope > .commentdesk-replies"));
              });
            }
            if (response.status === 404) { note.textContent = words.gone; button.disabled = false; return; }
            return problem(response).then(function (message) { note.textContent = message; button.disabled = false; });
          }).catch(function () { note.textContent = words.failed; button.disabled = false; });
        });
      });
    }

    // One published comment: author, text (always as text), Reply (top level) and Report, and its replies.
    function renderComment(comment, into, isReply) {
      var item = el("li", { "data-comment-id": String(comment.id) });
      item.appendChild(el("p", { "class": "commentdesk-author" }, comment.displayName));
      item.appendChild(el("p", { "class": "commentdesk-body" }, comment.body));
      var actions = el("div", { "class": "commentdesk-actions" });
      if (!isReply) {
        var reply = el("button", { type: "button", "class": "commentdesk-reply" }, words.reply);
        reply.addEventListener("click", function () { replyForm(item, comment); });
        actions.appendChild(reply);
        actions.appendChild(document.createTextNode(" "));
      }
      var report = el("button", { type: "button", "class": "commentdesk-report" }, words.report);
      report.addEventListener("click", function () { reportForm(item, comment); });
      actions.appendChild(report);
      item.appendChild(actions);
      if (!isReply) {
        var replies = el("ul", { "class": "commentdesk-replies" });
        (comment.replies || []).forEach(function (r) { renderComment(r, replies, true); });
        item.appendChild(replies);
        if ((comment.replyCount || 0) > (comment.replies || []).length) {
          var moreReplies = el("button", { type: "button", "class": "commentdesk-more-replies" },
            words.moreReplies + " (" + (comment.replyCount - (comment.replies || []).length) + ")");
          var after = null, fromStart = true;
          moreReplies.addEventListener("click", function () {
            var url = api + "/v1/comments/" + comment.id + "/replies?limit=50" + (after ? "&after=" + encodeURIComponent(after) : "");
            fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (page) {
              if (!page) return;
              if (fromStart) { replies.textContent = ""; fromStart = false; }
              page.replies.forEach(function (r) { renderComment(r, replies, true); });
              after = page.next || null;
              moreReplies.hidden = !after;
            }).catch(function () {});
          });
          item.appendChild(moreReplies);
        }
      }
      into.appendChild(item);
    }

    function load(fresh) {
      var url = api + "/v1/articles/" + encodeURIComponent(ref) + "/comments" + (!fresh && next ? "?before=" + encodeURIComponent(next) : "");
      // After the reader's own comment was approved, ask past the cache: the list it holds predates it.
      fetch(url, { cache: fresh === "revalidate" ? "no-cache" : "default" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (page) {
        if (!page) return;
        if (fresh) list.textContent = "";
        page.comments.forEach(function (c) { renderComment(c, list, false); });
        if (!list.firstChild) list.appendChild(el("li", { "class": "commentdesk-empty" }, words.none));
        next = page.next;
        more.hidden = !next;
      }).catch(function () { /* the list is shown again on the next load */ });
    }

    area.addEventListener("input", updateCounter);
    more.addEventListener("click", function () { load(false); });
    fetch(api + "/v1/policy").then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
      if (p && p.maxCharacters) { max = p.maxCharacters; updateCounter(); }
    }).catch(function () {});
    this.render();
    load(true);
  }

  function start() {
    var style = el("style", {}, ".commentdesk{font-family:inherit;max-width:40em}.commentdesk textarea{width:100%;box-sizing:border-box;font:inherit}" +
      ".commentdesk-footer{display:flex;justify-content:space-between;align-items:center;margin:.3em 0}" +
      ".commentdesk-over{color:#b00020;font-weight:bold}.commentdesk-error{color:#b00020}.commentdesk ul{list-style:none;padding:0}" +
      ".commentdesk li{border-top:1px solid #ddd;padding:.4em 0}.commentdesk-author{font-weight:bold;margin:0}" +
      ".commentdesk-state{color:#555;font-style:italic;margin:0}.commentdesk-lock{color:#555}.commentdesk button{font:inherit;margin:.2em 0}" +
      ".commentdesk-replies{margin-left:1.5em}.commentdesk-actions button,.commentdesk-more-replies{background:none;border:none;" +
      "color:#1565c0;cursor:pointer;padding:0 .3em 0 0}.commentdesk-inline{margin:.3em 0 .5em}.commentdesk-inline textarea{display:block;margin:.3em 0}");
    document.head.appendChild(style);
    var roots = document.querySelectorAll("[data-commentdesk-article]");
    for (var i = 0; i < roots.length; i++) boxes.push(new Box(roots[i]));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
}());
