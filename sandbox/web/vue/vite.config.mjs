// The build of one Vue answer (codearena.runners.vue). A .mjs config loaded with
// `--configLoader native`: Vite then needs no write access to node_modules (shared, read-only).
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import tailwindcss from "tailwindcss";

// An answer that is not a single-file component may use `template:` strings, which need Vue's
// runtime compiler (the full build); SFCs are compiled at build time and use the smaller runtime.
const runtimeCompiler = process.env.CODEARENA_VUE_RUNTIME_COMPILER === "1";

export default defineConfig({
  base: "./",
  logLevel: "warn",
  plugins: [vue()],
  resolve: {
    // src/main.js imports "./App": the answer's App.vue, or its App.js/App.ts when it is a script.
    extensions: [".vue", ".mjs", ".js", ".mts", ".ts", ".jsx", ".tsx", ".json"],
    alias: runtimeCompiler ? { vue: "vue/dist/vue.esm-bundler.js" } : {},
  },
  css: {
    postcss: {
      plugins: [tailwindcss({ content: ["./index.html", "./src/**/*.{vue,js,ts,jsx,tsx}"] })],
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    minify: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 100000,
  },
});
