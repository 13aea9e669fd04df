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

  // Errors answered to HTMX requests (4xx/5xx) are not swapped by htmx 2: tell the user.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) return; // HX-Redirect takes the user to sign-in
    var text = "Something went wrong (" + (xhr ? xhr.status : "?") + ").";
    if (xhr && xhr.status === 403) text = "You do not have permission to do that.";
    if (xhr && xhr.status === 409) text = xhr.responseText ? stripTags(xhr.responseText) : "That conflicts with a change made meanwhile.";
    if (xhr && xhr.status === 422) text = stripTags(xhr.responseText) || "Please correct the form.";
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

  // Auto-submit filter forms on change when they ask for it (no hx-on, CSP-safe).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && window.htmx) window.htmx.trigger(form, "submit");
  });
})();
