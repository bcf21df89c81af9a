// Opening the page from a link that names what to verify, as a certificate's
// QR code does (cli/certificates.py verify_url; api/routers/bundles.py):
//   /verify?entries=6,7      the bundle of those evidence entries, made now;
//   /verify?question={...}   a court's question (schemas/questions.py), asked
//                            again, and the bundle of its answer.
// The page fetches the bundle from the log that serves it and verifies it
// here, as if the judge had dropped it: the log key is still the judge's to
// give, and without one the report says the key was taken from the bundle.
"use strict";
(function (CZ) {
  const ui = (CZ.ui = CZ.ui || {});
  const HEX = /^[0-9a-f]{64}$/;

  async function fetchJson(path, init) {
    const answer = await fetch(path, Object.assign({ headers: { Accept: "application/json" } }, init));
    const body = await answer.json().catch(() => null);
    if (!answer.ok) {
      throw new Error(body && body.detail ? `${body.error}: ${body.detail}` : `HTTP ${answer.status}`);
    }
    return body;
  }

  function hex(value, what) {
    if (typeof value !== "string" || !HEX.test(value)) throw new Error(`${what} must be 64 lowercase hex digits`);
    return value;
  }

  /** Return the API path that answers *question*, as the registry API names its parameters. */
  ui.questionPath = function (question) {
    const q = question || {};
    const at = q.at ? `at=${encodeURIComponent(q.at)}` : "";
    switch (q.kind) {
      case "history":
        return `/v1/assets/${hex(q.asset, "asset")}`;
      case "holder":
        return `/v1/assets/${hex(q.asset, "asset")}/holder?${at}`;
      case "licensed":
        return (
          `/v1/assets/${hex(q.asset, "asset")}/licensed?party=${hex(q.party, "party")}` +
          `&purpose=${encodeURIComponent(q.purpose || "")}&${at}`
        );
      case "portfolio":
        return `/v1/parties/${hex(q.party, "party")}/portfolio${at ? "?" + at : ""}`;
      case "fingerprint":
        return `/v1/fingerprints/${hex(q.fingerprint, "fingerprint")}/assets`;
      case "certificate":
        return `/v1/certificates/${encodeURIComponent(q.certificate || "")}`;
      default:
        throw new Error(`a question of kind ${JSON.stringify(q.kind)} is not known`);
    }
  };

  /** Return the bundle the link in *search* (location.search) names, or null if it names none. */
  ui.linkedBundle = async function (search) {
    const params = new URLSearchParams(search);
    const entries = params.get("entries");
    const question = params.get("question");
    if (entries !== null) {
      if (!/^[0-9]{1,19}(,[0-9]{1,19}){0,999}$/.test(entries)) {
        throw new Error("entries= must list entry indexes separated by commas");
      }
      return fetchJson("/v1/bundles", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ indexes: entries.split(",").map(Number) }),
      });
    }
    if (question !== null) {
      let asked;
      try {
        asked = JSON.parse(question);
      } catch (error) {
        throw new Error(`question= is not JSON: ${error.message}`);
      }
      const answer = await fetchJson(ui.questionPath(asked));
      if (!answer.bundle) throw new Error("the log gave no bundle for this question");
      return answer.bundle;
    }
    return null;
  };

  /** Verify the bundle the page's address names, if it names one. */
  ui.openLink = async function () {
    try {
      const bundle = await ui.linkedBundle(location.search);
      if (bundle !== null) await ui.verifyBundleText(JSON.stringify(bundle));
    } catch (error) {
      ui.showError(error);
    }
  };
})((globalThis.CZ = globalThis.CZ || {}));
