// Mounts the answer's component (App.vue, or the default export of a script answer) with Pinia,
// so components that define and use a store in the same file work.
import { createApp } from "vue";
import { createPinia } from "pinia";
import "./index.css";
import * as answer from "./App";

const App = answer.default ?? answer.App;
if (App) {
  createApp(App).use(createPinia()).mount("#app");
} else {
  console.error("codearena: the answer exports no Vue component (no default export)");
}
