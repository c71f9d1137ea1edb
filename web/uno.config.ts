import { defineConfig, presetWind3 } from "unocss";

export default defineConfig({
  // Follows the system's light or dark setting (prefers-color-scheme).
  presets: [presetWind3({ dark: "media" })],
  shortcuts: {
    card: "bg-white dark:bg-gray-800 border border-gray-200 dark:border-gray-700",
    btn: "px-3 py-1.5 rounded-md text-sm border border-gray-300 dark:border-gray-600 bg-white dark:bg-gray-700 hover:bg-gray-50 dark:hover:bg-gray-600 disabled:opacity-50 disabled:cursor-not-allowed",
    "btn-primary":
      "bg-indigo-600 text-white border-indigo-600 hover:bg-indigo-700 dark:bg-indigo-500 dark:hover:bg-indigo-400",
  },
});
