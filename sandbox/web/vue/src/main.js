// Mounts the answer's component (src/App.vue, or the default export of src/App.js|ts) with Pinia, so a
// component that defines and uses a store in the same file works. codearena.runners.vue replaces this
// file when the answer mounts itself (createApp(...).mount(...)).
import { createApp } from "vue";
import { createPinia } from "pinia";
import "./index.css";
import App from "./App";

createApp(App).use(createPinia()).mount("#app");
