// The configurator (configure/index.html): reads the form, updates the preview, the tag and the
// site file's YAML. Everything it writes into the page goes through textContent.
"use strict";

(() => {
  const form = document.getElementById("configurator");
  const $ = (id) => document.getElementById(id);
  // The glossary's base URL: the one it was built with, else the folder above this page.
  const base = new URL(form.dataset.baseUrl || "../", location.href).href.replace(/\/?$/, "/");
  const DEFAULTS = { occurrences: "first", max: "100", theme: "auto", linkTarget: "" };
  // data-* attributes in the order `script_tag` (widget_server/assets.py) writes them.
  const ATTRIBUTES = [
    ["categories", "data-categories"], ["occurrences", "data-occurrences"], ["max", "data-max"],
    ["exclude", "data-exclude"], ["theme", "data-theme"], ["linkTarget", "data-link-target"],
  ];
  // The site file's field for each setting (see widget_server/sites.py).
  const FIELDS = { occurrences: "occurrences", max: "max", exclude: "exclude", theme: "theme", linkTarget: "link_target" };
  // A site file's origins, as `glossary-widget check` takes them (origin_problem in
  // widget_server/sites.py): plain http only for this computer, a host of DNS labels.
  const LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
  const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
  // Served by a local `make run`, the tag would load the widget from this computer, which no
  // reader can reach: said with the tag, as `embed` says it (widget_server/urls.py, is_loopback).
  const host = new URL(base).hostname;
  const local = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(host) || host.endsWith(".localhost");
  let frame = $("preview");
  let timer = 0;

  /** Shows or hides a field's message; a field with a message is marked invalid. */
  function problem(input, message, element) {
    element.textContent = message || element.textContent;
    element.hidden = !message;
    if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function validSelector(selector) {
    try {
      document.createDocumentFragment().querySelector(selector);
      return true;
    } catch {
      return false;
    }
  }

  /** What keeps `line` from being one of a site file's origins (https://host[:port]), in the
   * words of `glossary-widget check`; "" when it is one. */
  function originProblem(line) {
    const port = /:(\d+)$/.exec(line)?.[1];
    if (port && (Number(port) < 1 || Number(port) > 65535)) return "has a port that is not a number from 1 to 65535";
    let url;
    try {
      url = new URL(line);
    } catch {
      return "must be https://host or https://host:port";
    }
    if (!/^https?:$/.test(url.protocol) || !/^https?:\/\//i.test(line)) return "must be https://host or https://host:port";
    if (url.protocol === "http:" && !LOCAL_HOSTS.includes(url.hostname)) {
      return "must use https (plain http is only for localhost and 127.0.0.1)";
    }
    // Checked on the text as typed: the URL parser drops a lone "?" or "#", and adds a "/".
    if (/[/?#@\\]/.test(line.slice(line.indexOf("//") + 2))) {
      return "must be only the scheme, the host and the port, with no path, query or user";
    }
    // A host the parser rewrote (an international name, upper case) gets the next message, which
    // shows it as it must be written.
    if (!HOST.test(url.hostname) && url.hostname !== "[::1]" && url.origin === line) {
      return "has a host that is not a domain name or an IP address";
    }
    if (url.origin !== line) return `must be written as the browser writes it: ${url.origin}`;
    return "";
  }

  /** The origins typed, one a line; null when one is not an origin (its message says why). */
  function origins() {
    const lines = $("origins").value.split("\n").map((line) => line.trim()).filter(Boolean);
    const problems = lines.map((line, index) => {
      const why = lines.indexOf(line) < index ? "is listed twice" : originProblem(line);
      return why && `"${line}" ${why}.`;
    }).filter(Boolean);
    problem($("origins"), problems.join(" "), $("origins-error"));
    return problems.length ? null : lines;
  }

  /** The settings that differ from the widget's defaults, as data-* values; null when a field
   * is invalid (its message then says why). */
  function settings() {
    const data = new FormData(form);
    const chosen = data.getAll("categories");
    const all = form.querySelectorAll("input[name=categories]").length;
    problem(null, chosen.length ? "" : "Choose at least one category.", $("categories-error"));
    const exclude = data.get("exclude").trim();
    const excludeValid = !exclude || validSelector(exclude);
    problem($("exclude"), excludeValid ? "" : `"${exclude}" is not a valid CSS selector, so nothing is skipped. Check its brackets, quotes and punctuation.`, $("exclude-error"));
    const site = data.get("site").trim();
    const siteValid = !site || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(site);
    problem($("site"), siteValid ? "" : "A site id has only lowercase letters, digits and single hyphens.", $("site-error"));
    // The field's own checks (min, max, step), and nothing left empty: no other number is
    // put in its place.
    const maxInput = $("max");
    const maxValid = maxInput.value !== "" && maxInput.validity.valid;
    problem(maxInput, maxValid ? "" : "Enter a whole number from 1 to 1000.", $("max-error"));
    const max = maxValid ? String(maxInput.valueAsNumber) : "";
    const values = {
      categories: chosen.length < all ? chosen.join(",") : "",
      occurrences: data.get("occurrences"),
      max,
      exclude: excludeValid ? exclude : "",
      theme: data.get("theme"),
      linkTarget: data.get("linkTarget"),
    };
    for (const [name, value] of Object.entries(values)) if (value === (DEFAULTS[name] ?? "")) delete values[name];
    const originList = origins();
    return chosen.length && siteValid && maxValid ? { values, site, text: data.get("text"), origins: originList } : null;
  }

  const escape = (value) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  /** The tag, as `glossary-widget embed` prints it. */
  function tag({ values, site }) {
    const pinned = $("kind-pinned").checked;
    const attributes = [["src", base + (pinned ? form.dataset.pinned : "widget.js")]];
    if (pinned) attributes.push(["integrity", form.dataset.integrity], ["crossorigin", "anonymous"]);
    // A registered site's settings are in its file: the tag only names it.
    if (site) attributes.push(["data-site", site]);
    else for (const [name, attribute] of ATTRIBUTES) if (values[name]) attributes.push([attribute, values[name]]);
    return `<script ${attributes.map(([name, value]) => `${name}="${escape(value)}"`).join(" ")} defer></script>`;
  }

  /** The site file, in YAML: strings in JSON's double quotes, which YAML reads the same. */
  function yaml({ values, site, origins }) {
    const lines = [`name: ${JSON.stringify(site)}`, `origins: [${origins.map((o) => JSON.stringify(o)).join(", ") || '"https://www.example.com"'}]`];
    if (values.categories) lines.push(`categories: [${values.categories.split(",").join(", ")}]`);
    for (const [name, field] of Object.entries(FIELDS)) {
      if (values[name]) lines.push(`${field}: ${name === "max" ? values[name] : JSON.stringify(values[name])}`);
    }
    return lines.join("\n") + "\n";
  }

  /** A new preview frame for `current`: a fresh page, so the widget starts from nothing. */
  function preview({ values, text }) {
    const params = new URLSearchParams(values);
    if (text.trim()) params.set("text", text);
    const next = frame.cloneNode(false);
    next.src = `preview.html#${params}`;
    frame.replaceWith(next);
    frame = next;
    $("highlights-summary").textContent = "Loading the preview…";
    $("highlights").replaceChildren();
  }

  function update(withPreview) {
    const current = settings();
    // With a field in error there is no tag (nor site file) to copy: the last valid one would be
    // taken for these settings. The preview keeps showing the last valid ones.
    $("tag").textContent = current ? tag(current) : "";
    $("tag-block").hidden = !current;
    $("copy").hidden = !current;
    $("tag-local").hidden = !(current && local);
    $("tag-invalid").hidden = Boolean(current);
    $("copy-status").textContent = "";
    $("yaml-block").hidden = !current?.site;
    if (current?.site) {
      $("yaml").textContent = current.origins ? yaml(current) : "";
      $("yaml-file").hidden = !current.origins;
      $("yaml-invalid").hidden = Boolean(current.origins);
      $("yaml-path").textContent = `glossary_data/sites/${current.site}.yml`;
    }
    if (current && withPreview) preview(current);
  }

  /** The preview page's list of highlights: "<term>: <why>, <n> times". */
  function showHighlights({ highlights, total }) {
    const items = highlights.map(({ title, text, why, count }) => {
      const item = document.createElement("li");
      item.textContent = `${title}: “${text}” (${why})${count > 1 ? `, ${count} times` : ""}`;
      return item;
    });
    $("highlights").replaceChildren(...items);
    $("highlights-summary").textContent = total
      ? `${total} highlight${total === 1 ? "" : "s"} of ${new Set(highlights.map((h) => h.slug)).size} terms:`
      : "Nothing is highlighted with these settings.";
  }

  window.addEventListener("message", (event) => {
    if (event.source === frame.contentWindow && event.data?.type === "glossary-preview") showHighlights(event.data);
  });
  // The tag changes at once; the preview once typing pauses.
  form.addEventListener("input", (event) => {
    update(false);
    if (!["site", "origins"].includes(event.target.name)) {
      clearTimeout(timer);
      timer = setTimeout(() => update(true), event.target.type === "text" || event.target.tagName === "TEXTAREA" ? 400 : 0);
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  $("tag-kind").addEventListener("change", () => update(false));
  $("tag-host").textContent = new URL(base).host;
  $("preview-section").hidden = false;
  $("tag-kind").hidden = false;
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("tag").textContent);
      $("copy-status").textContent = "Copied.";
    } catch {
      getSelection().selectAllChildren($("tag"));
      $("copy-status").textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    }
  });
  update(true);
})();
