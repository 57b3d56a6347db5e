/* codearena: pages written for the Tailwind v3 play CDN (cdn.tailwindcss.com) are served Tailwind 4's
   browser build (@tailwindcss/browser), which this prelude precedes:
   - `tailwind.config = {...}` (a very common v3 idiom) needs a global `tailwind` object;
   - the colours and font families that config sets become Tailwind 4 theme variables (@theme), and
     `darkMode: "class"` becomes the class-based `dark:` variant;
   - v3's default border colour (gray-200) is restored (v4 uses currentColor). */
(function () {
  window.tailwind = window.tailwind || {};
  function add(text) {
    var style = document.createElement("style");
    style.setAttribute("type", "text/tailwindcss");
    style.textContent = text;
    (document.head || document.documentElement).appendChild(style);
  }
  add("@layer base { *, ::after, ::before, ::backdrop, ::file-selector-button " +
      "{ border-color: var(--color-gray-200, currentColor); } }");
  function flatten(name, value, out) {
    if (typeof value === "string") out.push("--" + name + ": " + value + ";");
    else if (value && typeof value === "object")
      for (var key in value) flatten(key === "DEFAULT" ? name : name + "-" + key, value[key], out);
  }
  function applyConfig() {
    var config = window.tailwind && window.tailwind.config;
    if (!config) return;
    var out = [], theme = config.theme || {};
    [theme, theme.extend || {}].forEach(function (t) {
      for (var c in t.colors || {}) flatten("color-" + c, t.colors[c], out);
      for (var f in t.fontFamily || {}) {
        var v = t.fontFamily[f];
        out.push("--font-" + f + ": " + (Array.isArray(v) ? v.join(", ") : v) + ";");
      }
    });
    var css = out.length ? "@theme { " + out.join(" ") + " }\n" : "";
    var dark = config.darkMode;
    if (dark === "class" || dark === "selector" || (Array.isArray(dark) && dark[0] === "class"))
      css += "@custom-variant dark (&:where(.dark, .dark *));";
    if (css) add(css);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", applyConfig);
  else applyConfig();
})();
