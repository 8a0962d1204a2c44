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
    const max = String(Math.max(1, Math.floor(Number(data.get("max"))) || 100));
    const values = {
      categories: chosen.length < all ? chosen.join(",") : "",
      occurrences: data.get("occurrences"),
      max,
      exclude: excludeValid ? exclude : "",
      theme: data.get("theme"),
      linkTarget: data.get("linkTarget"),
    };
    for (const [name, value] of Object.entries(values)) if (value === (DEFAULTS[name] ?? "")) delete values[name];
    return chosen.length && siteValid ? { values, site, text: data.get("text") } : null;
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
  function yaml({ values, site }) {
    const origins = $("origins").value.split(/\s+/).filter(Boolean);
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
    if (!current) return;
    $("tag").textContent = tag(current);
    $("yaml-block").hidden = !current.site;
    if (current.site) {
      $("yaml").textContent = yaml(current);
      $("yaml-path").textContent = `glossary_data/sites/${current.site}.yml`;
    }
    $("copy-status").textContent = "";
    if (withPreview) preview(current);
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
  // Served by a local `make run`, the tag would load the widget from this computer, which no
  // reader can reach: said here as `embed` says it (widget_server/urls.py, is_loopback).
  const host = new URL(base).hostname;
  if (/^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(host) || host.endsWith(".localhost")) {
    $("tag-host").textContent = new URL(base).host;
    $("tag-local").hidden = false;
  }
  $("tag-kind").hidden = false;
  $("copy").hidden = false;
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
