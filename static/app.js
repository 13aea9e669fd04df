// Small behaviours the server cannot do: toasts from HX-Trigger, the phone menu.
(function () {
  "use strict";

  function showToast(message, level) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast" + (level === "error" ? " toast-error" : "");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.textContent = message;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 4000);
  }

  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    showToast(detail.message, detail.level);
  });

  // A refused change (422 invalid input, 409 conflict) answers with the re-rendered form
  // or panel, its messages beside the fields, and one toast in HX-Trigger
  // (app/web/htmx.py finish_mutation): swap it like a success. htmx 2 swaps no 4xx by
  // default; every other error still ends in htmx:responseError below.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true, error: false },
      { code: "409", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  // Other errors answered to HTMX requests are not swapped: tell the user.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) return; // HX-Redirect takes the user to sign-in
    if (xhr && /"toast"/.test(xhr.getResponseHeader("HX-Trigger") || "")) return; // the server said it already
    var text = "Something went wrong (" + (xhr ? xhr.status : "?") + ").";
    if (xhr && xhr.status === 403) text = "You do not have permission to do that.";
    if (xhr && xhr.status === 400) text = stripTags(xhr.responseText) || "The request could not be understood.";
    if (xhr && xhr.status === 429) text = "Too many attempts. Wait a little and try again.";
    showToast(text, "error");
  });

  function stripTags(html) {
    // DOMParser runs no scripts and loads nothing: safe for server text.
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    return (doc.body.textContent || "").trim().slice(0, 300);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      var nav = document.getElementById("sidenav");
      if (nav) {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      }
    }
    // Confirm destructive actions without inline script: data-confirm="Sure?"
    var confirmable = event.target.closest("[data-confirm]");
    if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Filter panels come open (so they work without JS); on a phone they start folded,
  // where they would fill the first screen.
  function foldWhenNarrow(root) {
    if (!window.matchMedia("(max-width: 800px)").matches) return;
    root.querySelectorAll("details[data-fold-when-narrow]").forEach(function (panel) { panel.open = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { foldWhenNarrow(document); });

  // Leads board: drag a card onto another stage's column. The card's own "Move" form does
  // the work (it is also the keyboard way); "Lost" opens that form for its reason, and
  // "Won" follows the card's "convert to booking" link (a lead is won by its booking).
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest && event.target.closest(".lead-card[draggable=true]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-lead"));
    dragged.classList.add("dragging");
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest("[data-drop-stage]");
    if (!column || column.getAttribute("data-drop-stage") === dragged.getAttribute("data-stage")) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest("[data-drop-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest("[data-drop-stage]");
    if (!column) return;
    event.preventDefault();
    var stage = column.getAttribute("data-drop-stage");
    var card = dragged;
    if (stage === card.getAttribute("data-stage")) return;
    if (stage === "won") {
      var convert = card.querySelector("a.lead-convert");
      if (convert) window.location.assign(convert.href);
      return;
    }
    var form = card.querySelector(".lead-move form");
    var select = form && form.querySelector("select[name=stage]");
    if (!select) return;
    select.value = stage;
    if (select.value !== stage) return; // not a move this card offers
    if (stage === "lost") {
      var details = card.querySelector("details.lead-move");
      details.open = true;
      form.querySelector("input[name=lost_reason]").focus();
      return;
    }
    if (window.htmx) window.htmx.trigger(form, "submit");
  });

  // Inbox: the split view is for a laptop; on a phone a conversation opens as its own page.
  document.addEventListener("htmx:confirm", function (event) {
    var link = event.detail.elt;
    if (!link.hasAttribute || !link.hasAttribute("data-split-link")) return;
    if (window.matchMedia("(max-width: 800px)").matches) {
      event.preventDefault();
      window.location.assign(link.href);
      return;
    }
    document.querySelectorAll("[data-split-link][aria-current]").forEach(function (el) { el.removeAttribute("aria-current"); });
    link.setAttribute("aria-current", "true");
  });

  // Auto-submit filter forms on change when they ask for it (no hx-on, CSP-safe).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && window.htmx) window.htmx.trigger(form, "submit");
  });
})();
