import { defineConfig, presetWind3 } from "unocss";

export default defineConfig({
  // Follows the system's light or dark setting (prefers-color-scheme).
  presets: [presetWind3({ dark: "media" })],
  // A small reset instead of a reset package: lists without bullets, border-box sizing.
  preflights: [
    {
      getCSS: () => `
*, ::before, ::after { box-sizing: border-box; border-width: 0; border-style: solid; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; line-height: 1.5; font-family: ui-sans-serif, system-ui, sans-serif; }
h1, h2, p, ul { margin: 0; padding: 0; }
ul { list-style: none; }
button, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; background-color: transparent; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
`,
    },
  ],
  shortcuts: {
    card: "bg-white dark:bg-gray-800 border border-gray-200 dark:border-gray-700",
    btn: "px-3 py-1.5 rounded-md text-sm border border-gray-300 dark:border-gray-600 bg-white dark:bg-gray-700 hover:bg-gray-50 dark:hover:bg-gray-600 disabled:opacity-50 disabled:cursor-not-allowed",
    "btn-primary":
      "bg-indigo-600 text-white border-indigo-600 hover:bg-indigo-700 dark:bg-indigo-500 dark:hover:bg-indigo-400",
  },
});
