// The build of one React answer (codearena.runners.react). A .mjs config loaded with
// `--configLoader native`: Vite then needs no write access to node_modules (shared, read-only).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "tailwindcss";

export default defineConfig({
  base: "./",
  logLevel: "warn",
  plugins: [react()],
  css: {
    postcss: {
      // Tailwind 3, configured inline (no tailwind.config.js to load): classes are found in the sources.
      plugins: [tailwindcss({ content: ["./index.html", "./src/**/*.{js,jsx,ts,tsx}"] })],
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    minify: false, // readable names in page errors, and a faster build
    reportCompressedSize: false,
    chunkSizeWarningLimit: 100000,
  },
});
