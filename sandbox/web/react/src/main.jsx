// Mounts the answer's component: its default export, else a capitalised function it exports.
import React from "react";
import { createRoot } from "react-dom/client";
import "./index.css";
import * as answer from "./App";

const exported = Object.entries(answer);
const App =
  answer.default ??
  answer.App ??
  exported.find(([name, value]) => /^[A-Z]/.test(name) && typeof value === "function")?.[1];

if (App) {
  createRoot(document.getElementById("root")).render(
    <React.StrictMode>
      <App />
    </React.StrictMode>,
  );
} else {
  console.error("codearena: the answer exports no React component (no default export)");
}
