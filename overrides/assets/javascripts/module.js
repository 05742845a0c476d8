/* Small accessibility fixes to what Material for MkDocs' scripts create, loaded on every page after
   Material's own script (overrides/main.html). Without JavaScript the pages work as they are. */
(function () {
  "use strict";

  /* Footnote pop-ups (content.footnote.tooltips) are dialogs without a name: axe's aria-dialog-name rule
     and screen readers need one, "Footnote 3".
     Glossary pop-ups (content.tooltips) are added at the end of <body>, outside every landmark: the
     link already points at them with aria-describedby, which reads them even when hidden, so they are
     hidden from the reading order instead of being read twice (axe's region rule). */
  function fixPopup(popup) {
    if (popup.getAttribute("role") === "dialog" && !popup.hasAttribute("aria-label")) {
      popup.setAttribute("aria-label", "Footnote");
      requestAnimationFrame(function () {
        var ref = popup.id && document.querySelector('[aria-controls="' + popup.id + '"]');
        if (ref) popup.setAttribute("aria-label", "Footnote " + ref.textContent.trim());
      });
    } else if (popup.getAttribute("role") === "tooltip") {
      popup.setAttribute("aria-hidden", "true");
    }
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.classList.contains("md-tooltip2")) fixPopup(node);
      });
    });
  }).observe(document.body, { childList: true });

  /* The drawer and search toggles are checkboxes; a browser that restores form state on "back" could
     reopen them (Material marked them autocomplete="off", which HTML does not allow on checkboxes). */
  window.addEventListener("pageshow", function () {
    ["__drawer", "__search"].forEach(function (id) {
      var toggle = document.getElementById(id);
      if (toggle && toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
    });
  });

  /* A table or the chart wider than the screen scrolls sideways inside its frame: such a frame must be
     reachable and scrollable from the keyboard, and named (axe's scrollable-region-focusable). Checked
     again when the window is resized or turned. */
  function markScrollingFrames() {
    document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset figure.chart").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      if (scrolls && !frame.hasAttribute("tabindex")) {
        var caption = frame.querySelector("figcaption, caption, th");
        var kind = frame.matches("figure") ? "Chart" : "Table";
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", kind + " (scrolls sideways)" +
          (caption && caption.textContent.trim() ? ": " + caption.textContent.trim() : ""));
        frame.dataset.moduleScrolls = "";
      } else if (!scrolls && frame.hasAttribute("data-module-scrolls")) {
        ["tabindex", "role", "aria-label", "data-module-scrolls"].forEach(function (name) {
          frame.removeAttribute(name);
        });
      }
    });
  }
  var pending;
  window.addEventListener("load", markScrollingFrames);
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrollingFrames, 150);
  });
})();
