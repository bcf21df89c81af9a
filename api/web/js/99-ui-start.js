// Starting the page: the language and view switches, the note on the log
// that serves the page (its key "as served", offered but never filled in
// unasked), and the two views. api/pages.py calls CZ.ui.start() last.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});

  function showServed(served) {
    const note = ui.$("served");
    note.replaceChildren(ui.pair(ui.message("served", { origin: served.origin, key: served.key })));
    note.hidden = false;
    const use = ui.$("use-served-key");
    use.hidden = false;
    use.addEventListener("click", () => {
      ui.$("log-key").value = served.key;
    });
  }

  /** Set the page up from CZ.PAGE ({view, served}). */
  ui.start = function () {
    const page = CZ.PAGE || { view: "verify", served: null };
    ui.setLanguage("both");
    for (const b of document.querySelectorAll("#langs button")) {
      b.addEventListener("click", () => ui.setLanguage(b.dataset.lang));
    }
    for (const b of document.querySelectorAll("#views button")) {
      b.addEventListener("click", () => ui.showView(b.dataset.show));
    }
    // Looking up needs the log's server: a saved copy opened from disk has none.
    const online = page.served !== null && /^https?:$/.test(location.protocol);
    ui.$("lookup-tab").hidden = !online;
    ui.$("save-page").hidden = !online;
    ui.$("online-option").hidden = !online;
    if (page.served) showServed(page.served);
    ui.startVerifyView();
    ui.startLookupView();
    ui.showView(online ? page.view : "verify");
    document.body.dataset.ready = "true";
    // A certificate's QR code opens the served page with the entries or question to verify.
    if (online) ui.openLink();
  };
})((globalThis.CZ = globalThis.CZ || {}));
