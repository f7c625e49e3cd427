// MathJax 3 for the site, served by the site itself (docs/hooks.py copies tex-svg-full.js from the
// docs extra's MathJax package into assets/mathjax/; no request leaves the site). It typesets what
// pymdownx.arithmatex marks in the pages (\( \) and \[ \]) and, in the tutorial, the $ $ and $$ $$
// of the Markdown cells and LaTeX outputs; code (pre, code) is never touched.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: { enableMenu: false },
  svg: { fontCache: "global" },
};
