import { useState } from "react";
import { CheckCircle2, Circle, Plus } from "lucide-react";

interface Task {
  id: number;
  title: string;
  done: boolean;
}

const START: Task[] = [
  { id: 1, title: "Write the release notes", done: true },
  { id: 2, title: "Review the open pull requests", done: false },
  { id: 3, title: "Plan the next sprint", done: false },
];

export default function TaskBoard() {
  const [tasks, setTasks] = useState<Task[]>(START);
  const toggle = (id: number) =>
    setTasks((all) => all.map((t) => (t.id === id ? { ...t, done: !t.done } : t)));
  const add = () =>
    setTasks((all) => [...all, { id: all.length + 1, title: `New task ${all.length + 1}`, done: false }]);
  const open = tasks.filter((t) => !t.done).length;

  return (
    <div className="min-h-screen bg-slate-100 p-10">
      <div className="mx-auto max-w-xl rounded-2xl bg-white p-8 shadow-lg">
        <h1 className="text-3xl font-bold text-slate-900">Team tasks</h1>
        <p className="mt-1 text-slate-700">{open} open of {tasks.length}</p>
        <ul className="mt-6 space-y-3">
          {tasks.map((t) => (
            <li key={t.id} onClick={() => toggle(t.id)}
                className="flex cursor-pointer items-center gap-3 rounded-lg border border-slate-200 p-3">
              {t.done ? <CheckCircle2 className="text-indigo-600" /> : <Circle className="text-slate-400" />}
              <span className={t.done ? "text-slate-500 line-through" : "text-slate-900"}>{t.title}</span>
            </li>
          ))}
        </ul>
        <button onClick={add}
                className="mt-6 flex items-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white">
          <Plus size={18} /> Add task
        </button>
      </div>
    </div>
  );
}
