import UnoCSS from "unocss/vite";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// Built into web/dist with base /ui/ and embedded in the binary by build.ts.
export default defineConfig({
  base: "/ui/",
  plugins: [UnoCSS(), solid()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", reportCompressedSize: false },
});
