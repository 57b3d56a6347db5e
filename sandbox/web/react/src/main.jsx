// Mounts the answer's component (src/App.jsx or src/App.tsx). codearena.runners.react rewrites the
// import line when the component is a named export, and replaces this file when the answer mounts itself.
import React from "react";
import { createRoot } from "react-dom/client";
import "./index.css";
import App from "./App";

createRoot(document.getElementById("root")).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
