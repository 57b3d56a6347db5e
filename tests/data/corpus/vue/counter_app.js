import { createApp, ref } from "vue";

createApp({
  setup() {
    const count = ref(3);
    return { count };
  },
  template: `
    <div class="flex min-h-screen flex-col items-center justify-center gap-4 bg-violet-50">
      <p class="text-5xl font-bold text-violet-900">{{ count }}</p>
      <button class="rounded-lg bg-violet-600 px-6 py-3 text-white" @click="count++">Add one</button>
    </div>`,
}).mount("#app");
