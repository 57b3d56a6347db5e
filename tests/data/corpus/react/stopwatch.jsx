import React, { useEffect, useState } from "react";

export function Stopwatch() {
  const [running, setRunning] = useState(true);
  const [tenths, setTenths] = useState(0);
  useEffect(() => {
    if (!running) return undefined;
    const id = setInterval(() => setTenths((t) => t + 1), 100);
    return () => clearInterval(id);
  }, [running]);
  return (
    <div className="flex min-h-screen flex-col items-center justify-center gap-6 bg-green-50">
      <div className="font-mono text-6xl text-green-900">{(tenths / 10).toFixed(1)} s</div>
      <button onClick={() => setRunning(!running)} className="rounded-xl bg-green-600 px-6 py-3 text-xl text-white">
        {running ? "Stop" : "Start"}
      </button>
    </div>
  );
}
